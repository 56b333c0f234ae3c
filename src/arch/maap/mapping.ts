import { signMagnitudeCode, signMagnitudeScale } from '../../components/converters/quantize.js';
import type { MaapLayerPlan } from '../../components/maap/maap-controller.js';
import { NetworkError, showShape, type Layer, type Shape } from '../network.js';
import type { WeightSource } from '../../data/weights.js';

/** A conv layer with its ReLU and max-pooling: what one MAAP operation per output computes. */
export interface MaapLayer {
  readonly ordinal: number;
  /** Network layer indices it covers. */
  readonly layers: readonly number[];
  readonly conv: Layer;
  readonly input: Shape;
  readonly output: Shape;
  readonly kernel: number;
  readonly templates: number;
  readonly convStride: number;
  readonly pool: number;
  readonly poolStride: number;
}

/** Per-image operation counts the mapping implies (seed 003, Table 1; reference.md section 4). */
export interface MaapCounts {
  /** One MAAP output per pooled value. */
  readonly outputs: number;
  /** Every input value of a MAAP layer is read once and multiplied once. */
  readonly inputReads: number;
  readonly multiplies: number;
  /** Each output reads its template: kernel^2 x input maps words. */
  readonly weightReads: number;
  /** Each output is written once. */
  readonly outputWrites: number;
  readonly memoryAccesses: number;
}

/**
 * Groups the network into MAAP layers: conv, then ReLU (the MAAP set always applies it),
 * then an optional max-pool. Dense layers at the end are left to other hardware.
 */
export function mapMaapLayers(layers: readonly Layer[]): { maap: MaapLayer[]; unmapped: Layer[] } {
  const maap: MaapLayer[] = [];
  const unmapped: Layer[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const fail = (message: string): never => {
      throw new NetworkError({ keyPath: ['network', 'layers', i], path: `network.layers[${i}]`, message });
    };
    if (layer.spec.type === 'dense') {
      unmapped.push(layer);
      continue;
    }
    if (unmapped.length > 0) fail('a MAAP layer cannot follow a fully connected one');
    if (layer.spec.type !== 'conv') fail(`a MAAP set computes conv -> ReLU -> max-pool; a ${layer.spec.type} layer must follow a conv`);
    if (layer.spec.type !== 'conv') continue;
    if (layers[i + 1]?.spec.type !== 'relu') fail('a MAAP set always applies ReLU after the convolution; add { type: relu } after this conv');
    const pool = layers[i + 2]?.spec;
    const pooled = pool?.type === 'maxpool';
    const last = layers[pooled ? i + 2 : i + 1]!;
    maap.push({
      ordinal: maap.length + 1,
      layers: pooled ? [i, i + 1, i + 2] : [i, i + 1],
      conv: layer,
      input: layer.input,
      output: last.output,
      kernel: layer.spec.kernel,
      templates: layer.spec.templates,
      convStride: layer.spec.stride,
      pool: pool?.type === 'maxpool' ? pool.size : 1,
      poolStride: pool?.type === 'maxpool' ? pool.stride : 1,
    });
    i += pooled ? 2 : 1;
  }
  if (maap.length === 0) throw new NetworkError({ keyPath: ['network', 'layers'], path: 'network.layers', message: 'no conv -> ReLU [-> max-pool] sequence for the MAAP sets to run' });
  return { maap, unmapped };
}

const size = (s: Shape): number => s.c * s.h * s.w;
export const fanIn = (l: MaapLayer): number => l.kernel * l.kernel * l.input.c;

/** The count rule: what one image costs in operations, derived from the layers alone. */
export function maapCounts(layers: readonly MaapLayer[]): MaapCounts {
  const outputs = layers.reduce((a, l) => a + size(l.output), 0);
  const inputReads = layers.reduce((a, l) => a + size(l.input), 0);
  const weightReads = layers.reduce((a, l) => a + size(l.output) * fanIn(l), 0);
  return { outputs, inputReads, multiplies: inputReads, weightReads, outputWrites: outputs, memoryAccesses: weightReads + outputs + inputReads };
}

export const describeMaapLayer = (l: MaapLayer): string =>
  `conv ${l.kernel}x${l.kernel}x${l.input.c} -> ${l.templates}, ReLU${l.pool > 1 ? `, max-pool ${l.pool}x${l.pool}/${l.poolStride}` : ''} (${showShape(l.input)} -> ${showShape(l.output)})`;

/** Weights and SRAM layout: templates first, then the input image, then each layer's outputs. */
export function planMaap(layers: readonly MaapLayer[], weights: WeightSource, bits: number): { plans: MaapLayerPlan[]; templates: { address: number; codes: Float64Array }[]; imageBase: number; words: number } {
  let address = 0;
  const templates: { address: number; codes: Float64Array }[] = [];
  const weightBases: number[] = [];
  const scales: number[] = [];
  const biases: Float64Array[] = [];
  for (const l of layers) {
    const lw = weights.forLayer(l.conv.index, [l.templates, l.input.c, l.kernel, l.kernel], l.templates);
    // b-bit sign-magnitude words, full scale at the layer's largest weight.
    const scale = signMagnitudeScale(lw.weights, bits);
    const codes = lw.weights.map((w) => signMagnitudeCode(w, scale));
    templates.push({ address, codes });
    weightBases.push(address);
    scales.push(scale);
    biases.push(lw.bias);
    address += codes.length;
  }
  const imageBase = address;
  let inputBase = imageBase;
  address += size(layers[0]!.input);
  const plans = layers.map((l, n) => {
    const outputBase = address;
    address += size(l.output);
    const plan: MaapLayerPlan = {
      ordinal: l.ordinal,
      input: l.input,
      output: l.output,
      inputBase,
      outputBase,
      weightBase: weightBases[n]!,
      fanIn: fanIn(l),
      geometry: { maps: l.input.c, kernel: l.kernel, convStride: l.convStride, pool: l.pool, patch: (l.pool - 1) * l.convStride + l.kernel },
      poolStride: l.poolStride,
      weightScale: scales[n]!,
      bias: biases[n]!,
    };
    inputBase = outputBase;
    return plan;
  });
  return { plans, templates, imageBase, words: address };
}
