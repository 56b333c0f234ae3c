import { IDENTITY, TRANSFER_GAIN, encodingOf, type CennStep, type Encoding, type OutputPlane, type PlaneShape, type StepKind, type TemplateTerm, type Transfer } from '../../components/cenn/template.js';
import { NetworkError, showShape, type Layer } from '../network.js';
import type { WeightSource } from '../../data/weights.js';

/** How many CeNN stages each kind of layer takes (scenario parameters). */
export interface StageBudget {
  /** A convolution followed by its ReLU (seed 000: 2). */
  readonly convRelu: number;
  /** A max-pooling layer (seed 000: 12). */
  readonly pool: number;
}

/** The CeNN program of a network: its stages, and which layers it leaves to other hardware. */
export interface CennProgram {
  readonly steps: readonly CennStep[];
  /** Layers the CeNN does not run (the final fully connected layers). */
  readonly unmapped: readonly Layer[];
  /** Stages per layer index. */
  readonly stagesPerLayer: ReadonlyMap<number, number>;
}

type Planes = Record<string, { shape: PlaneShape; encoding: Encoding }>;

const copyTerms = (plane: string, maps: number): TemplateTerm[][] => Array.from({ length: maps }, (_, k) => [{ plane, map: k, dy: 0, dx: 0, weight: 1 }]);

/**
 * The transfer that carries a plane over in its own encoding: the ReLU stage's for a plane
 * known non-negative (it keeps the cell's whole range for [0, 1]), the linear one otherwise.
 */
const keeping = (e: Encoding): Transfer => (e.scale === TRANSFER_GAIN.relu.encoding.scale && e.offset === TRANSFER_GAIN.relu.encoding.offset ? 'relu' : 'linear');

class ProgramBuilder {
  readonly steps: CennStep[] = [];
  planes: Planes;

  constructor(input: PlaneShape) {
    this.planes = { v: { shape: input, encoding: IDENTITY } };
  }

  add(layer: number, kind: StepKind, label: string, outputs: OutputPlane[], inputMaps = 1): void {
    this.steps.push({ index: this.steps.length, layer, kind, label, inputs: this.planes, outputs, inputMaps });
    this.planes = Object.fromEntries(outputs.map((o) => [o.name, { shape: o.shape, encoding: encodingOf(o) }]));
  }

  /** A stage that only carries every plane over to the other bank (fills a stage budget), each in its own encoding. */
  hold(layer: number): void {
    this.add(
      layer,
      'hold',
      'hold',
      Object.entries(this.planes).map(([name, p]) => ({ name, shape: p.shape, stride: 1, transfer: keeping(p.encoding), terms: copyTerms(name, p.shape.maps), bias: new Array<number>(p.shape.maps).fill(0) })),
    );
  }

  get v(): { shape: PlaneShape; encoding: Encoding } {
    const v = this.planes['v'];
    if (v === undefined) throw new Error('no value plane');
    return v;
  }
}

function conv(b: ProgramBuilder, layer: Layer, weights: WeightSource): void {
  if (layer.spec.type !== 'conv') throw new Error('not a conv layer');
  const { kernel, templates, stride } = layer.spec;
  const inMaps = layer.input.c;
  const lw = weights.forLayer(layer.index, [templates, inMaps, kernel, kernel], templates);
  const terms: TemplateTerm[][] = [];
  for (let k = 0; k < templates; k++) {
    const t: TemplateTerm[] = [];
    for (let j = 0; j < inMaps; j++) {
      for (let dy = 0; dy < kernel; dy++) {
        for (let dx = 0; dx < kernel; dx++) t.push({ plane: 'v', map: j, dy, dx, weight: lw.weights[((k * inMaps + j) * kernel + dy) * kernel + dx]! });
      }
    }
    terms.push(t);
  }
  const shape = { maps: layer.output.c, h: layer.output.h, w: layer.output.w };
  b.add(layer.index, 'conv', `conv ${kernel}x${kernel}x${inMaps} -> ${templates} maps`, [{ name: 'v', shape, stride, transfer: 'linear', terms, bias: [...lw.bias] }], inMaps);
}

function relu(b: ProgramBuilder, layer: number): void {
  const { shape } = b.v;
  b.add(layer, 'relu', 'ReLU', [{ name: 'v', shape, stride: 1, transfer: 'relu', terms: copyTerms('v', shape.maps), bias: new Array<number>(shape.maps).fill(0) }]);
}

/**
 * One pairwise maximum along an axis, max(v, v shifted by one) = v + ReLU(v' - v), in three
 * stages: difference, rectify, accumulate. The value plane is carried along, because the
 * bank that held it is overwritten by the next stage.
 */
function pairwiseMax(b: ProgramBuilder, layer: number, axis: 'x' | 'y', last: { stride: number; shape: PlaneShape } | undefined): void {
  const { shape, encoding } = b.v;
  // The maximum of non-negative values is non-negative: carried in the ReLU encoding.
  const carry = keeping(encoding);
  const out: PlaneShape = axis === 'x' ? { ...shape, w: shape.w - 1 } : { ...shape, h: shape.h - 1 };
  const zero = new Array<number>(shape.maps).fill(0);
  const [dy, dx] = axis === 'x' ? [0, 1] : [1, 0];
  const diff: TemplateTerm[][] = Array.from({ length: shape.maps }, (_, k) => [
    { plane: 'v', map: k, dy, dx, weight: 1 },
    { plane: 'v', map: k, dy: 0, dx: 0, weight: -1 },
  ]);
  b.add(layer, 'pool-diff', `max along ${axis}: difference`, [
    { name: 'v', shape: out, stride: 1, transfer: carry, terms: copyTerms('v', shape.maps), bias: zero },
    { name: 'u', shape: out, stride: 1, transfer: 'linear', terms: diff, bias: zero },
  ]);
  b.add(layer, 'pool-rect', `max along ${axis}: rectify`, [
    { name: 'v', shape: out, stride: 1, transfer: carry, terms: copyTerms('v', shape.maps), bias: zero },
    { name: 'u', shape: out, stride: 1, transfer: 'relu', terms: copyTerms('u', shape.maps), bias: zero },
  ]);
  const sum: TemplateTerm[][] = Array.from({ length: shape.maps }, (_, k) => [
    { plane: 'v', map: k, dy: 0, dx: 0, weight: 1 },
    { plane: 'u', map: k, dy: 0, dx: 0, weight: 1 },
  ]);
  b.add(layer, 'pool-acc', `max along ${axis}: accumulate`, [
    { name: 'v', shape: last?.shape ?? out, stride: last?.stride ?? 1, transfer: carry, terms: sum, bias: zero },
  ]);
}

function maxpool(b: ProgramBuilder, layer: Layer): void {
  if (layer.spec.type !== 'maxpool') throw new Error('not a pooling layer');
  const { size, stride } = layer.spec;
  const passes: ('x' | 'y')[] = [...new Array<'x'>(size - 1).fill('x'), ...new Array<'y'>(size - 1).fill('y')];
  passes.forEach((axis, i) => {
    const last = i === passes.length - 1 ? { stride, shape: { maps: layer.output.c, h: layer.output.h, w: layer.output.w } } : undefined;
    pairwiseMax(b, layer.index, axis, last);
  });
}

function fill(b: ProgramBuilder, layer: Layer, from: number, budget: number, what: string, key: string): void {
  const used = b.steps.length - from;
  if (used > budget) {
    throw new NetworkError({
      keyPath: ['params', 'stages', key],
      path: `params.stages.${key}`,
      message: `${what} of layer ${layer.index} (${showShape(layer.input)} -> ${showShape(layer.output)}) needs ${used} CeNN stages, the budget is ${budget}`,
    });
  }
  for (let i = used; i < budget; i++) b.hold(layer.index);
}

/**
 * Maps a network onto CeNN stages: conv followed by ReLU in `budget.convRelu` stages,
 * max-pooling in `budget.pool` stages (pairwise maxima: 3 stages per neighbour, 12 for a
 * 3x3 window), lone conv or ReLU in one stage each. Stages beyond what a layer needs hold
 * the planes; fewer than it needs is an error. Fully connected layers at the end are left
 * to other hardware, as in seed 000.
 */
export function compileCennProgram(layers: readonly Layer[], weights: WeightSource, budget: StageBudget): CennProgram {
  const first = layers[0]!;
  const b = new ProgramBuilder({ maps: first.input.c, h: first.input.h, w: first.input.w });
  const unmapped: Layer[] = [];
  const stagesPerLayer = new Map<number, number>();
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const start = b.steps.length;
    if (unmapped.length > 0 && layer.spec.type !== 'dense') {
      throw new NetworkError({ keyPath: ['network', 'layers', i], path: `network.layers[${i}]`, message: 'a CeNN cannot run layers after a fully connected one' });
    }
    switch (layer.spec.type) {
      case 'conv': {
        // A CeNN cell is wired to its 3x3 neighbourhood (seed 000): a template reaches no further.
        if (layer.spec.kernel !== 3 && layer.spec.kernel !== 1) {
          throw new NetworkError({ keyPath: ['network', 'layers', i, 'kernel'], path: `network.layers[${i}].kernel`, message: `a CeNN cell is wired to its 3x3 neighbourhood, so its templates are 3x3 (or 1x1); a ${layer.spec.kernel}x${layer.spec.kernel} kernel does not map` });
        }
        conv(b, layer, weights);
        const next = layers[i + 1];
        if (next?.spec.type === 'relu') {
          relu(b, next.index);
          fill(b, layer, start, budget.convRelu, 'conv + ReLU', 'conv_relu');
          stagesPerLayer.set(next.index, 0);
          i++;
        }
        break;
      }
      case 'relu':
        relu(b, layer.index);
        break;
      case 'maxpool':
        maxpool(b, layer);
        fill(b, layer, start, budget.pool, 'max-pooling', 'pool');
        break;
      case 'dense':
        unmapped.push(layer);
        break;
    }
    stagesPerLayer.set(layer.index, b.steps.length - start);
  }
  if (b.steps.length === 0) throw new NetworkError({ keyPath: ['network', 'layers'], path: 'network.layers', message: 'no layer a CeNN can run (conv, relu, maxpool)' });
  return { steps: b.steps, unmapped, stagesPerLayer };
}
