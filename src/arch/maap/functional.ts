import { toCode, type Rounding } from '../../components/converters/quantize.js';
import { headForward, type HeadLayer } from '../../components/digital/dense-head.js';
import { chipSets, groupOf, setsOf, type MaapParams } from '../../components/maap/maap-array.js';
import { SetBatch } from '../../components/maap/set-batch.js';
import { SetGroup } from '../../components/maap/set-group.js';
import { BATCH } from '../../components/maap/set-kernel.js';
import { driveLevel, layerRankOffsets, outputRank, storedCode, type MaapLayerPlan } from '../../components/maap/maap-controller.js';
import { setModel } from '../../components/maap/set-response.js';
import { imageNormalsFor } from '../../components/random.js';
import type { FunctionalModel } from '../design.js';

export interface MaapFunctional {
  readonly plans: readonly MaapLayerPlan[];
  /** Template words per layer (codes, decoded with the layer's weight scale). */
  readonly templates: readonly { readonly codes: Float64Array }[];
  readonly bits: number;
  /** How the output ADC resolves a value between codes (params.adc.rounding). */
  readonly rounding: Rounding;
  readonly maap: MaapParams;
  readonly seed: string | number;
  /** Which die (streamFor's chip): keys the devices' variation. */
  readonly chip: number;
  readonly head: readonly HeadLayer[] | undefined;
  /** The last layer's stored words to the values the head computes with. */
  readonly decode: (codes: Float64Array) => Float64Array;
}

/** Activation pairs per set: the largest pooling window the network's MAAP layers use. */
export const pairsPerSet = (plans: readonly MaapLayerPlan[]): number => Math.max(1, ...plans.map((p) => p.geometry.pool * p.geometry.pool));

/**
 * The MAAP-CNN without the kernel: layer by layer, the conv sums of every position (each
 * once, in the order pairSums adds them, so the same doubles as the event level's), every
 * output's pooling window of them read by its group of sets (the chip's devices and trims,
 * each set's thermal draws numbered by the output's rank), the ADC converts, and the stored
 * word feeds the next layer through the multiplier's drive level; the head reads the last
 * layer's words.
 */
export function maapFunctional(f: MaapFunctional): FunctionalModel {
  const levels = 2 ** f.bits - 1;
  const R = f.maap.redundancy;
  const groups = Math.floor(f.maap.sets / R);
  const model = setModel(f.maap.circuit, pairsPerSet(f.plans), f.maap.thermal_noise, f.maap.pair);
  const table = model.table;
  const chip = chipSets(f.maap, model, f.seed, f.chip);
  const groupSets = Array.from({ length: groups }, (_, g) => new SetGroup(model, setsOf(g, R).map((s) => chip[s]!)));
  const rankOffsets = layerRankOffsets(f.plans);
  const digital = f.maap.averaging === 'digital';
  // A layer's outputs are measured BATCH at a time.
  const batch = new SetBatch(model, groupSets, f.maap.averaging);
  // Each template's words decoded, as the controller decodes the words it reads.
  const templates = f.plans.map((plan, n) =>
    Array.from({ length: plan.output.c }, (_, k) => {
      const w = new Float64Array(plan.fanIn);
      for (let j = 0; j < plan.fanIn; j++) w[j] = f.templates[n]!.codes[k * plan.fanIn + j]! * plan.weightScale;
      return w;
    }),
  );
  let counted: readonly [number, number] = [0, 0];
  return {
    // The share of a pair table's reads beyond its range, where there is a table.
    ...(table === undefined ? {} : { tally: () => ({ pair_beyond_share: counted }) }),
    infer(pixels, image) {
      if (table !== undefined) table.count.reads = table.count.beyond = 0;
      if (model.sigma > 0) {
        // Each group's sets' thermal streams for this image (only sets in a group ever measure).
        for (let g = 0; g < groups; g++) groupSets[g]!.image(Array.from({ length: R }, (_, i) => imageNormalsFor(f.seed, `maap[${g * R + i}]`, image.id)));
      }
      let buffer = pixels.map((x) => driveLevel(toCode(x, f.bits, 'unipolar') * levels, levels));
      let words = new Float64Array(0);
      f.plans.forEach((plan, n) => {
        const { output, geometry } = plan;
        const conv = convPlanes(plan, buffer, templates[n]!);
        const { pool } = geometry;
        const convH = (output.h - 1) * plan.poolStride + pool;
        const convW = (output.w - 1) * plan.poolStride + pool;
        const positions = output.h * output.w;
        words = new Float64Array(output.c * positions);
        const codes = new Float64Array(R);
        const count = pool * pool;
        for (let first = 0; first < words.length; first += BATCH) {
          const size = Math.min(BATCH, words.length - first);
          for (let j = 0; j < size; j++) {
            const out = first + j;
            const k = Math.floor(out / positions);
            const rest = out % positions;
            const oy = Math.floor(rest / output.w);
            const ox = rest % output.w;
            for (let py = 0; py < pool; py++) {
              const row = (k * convH + oy * plan.poolStride + py) * convW + ox * plan.poolStride;
              for (let px = 0; px < pool; px++) batch.sums[j * count + py * pool + px] = conv[row + px]!;
            }
            const rank = rankOffsets[n]! + outputRank(plan, out);
            batch.set(j, groupOf(rank, groups), rank);
          }
          batch.measure(size, count);
          for (let j = 0; j < size; j++) {
            for (let i = 0; i < batch.stride; i++) codes[i] = toCode(batch.out[j * batch.stride + i]!, f.bits, 'unipolar', f.rounding);
            words[first + j] = storedCode(codes, digital);
          }
        }
        buffer = words.map((code) => driveLevel(code * levels, levels));
      });
      if (table !== undefined) counted = [table.count.beyond, table.count.reads];
      if (f.head === undefined) throw new Error('the network has no dense layers: nothing to classify');
      return headForward(f.head, f.decode(words));
    },
  };
}

/**
 * Every conv position's sum of a layer (map-major planes of the conv output before pooling),
 * added in pairSums's order (bias, then maps, rows, columns), so each equals the pair sum
 * the event level computes for the same window position.
 */
function convPlanes(plan: MaapLayerPlan, input: Float64Array, templates: readonly Float64Array[]): Float64Array {
  const { output, geometry, poolStride } = plan;
  const { kernel, convStride, pool } = geometry;
  const H = plan.input.h;
  const W = plan.input.w;
  const convH = (output.h - 1) * poolStride + pool;
  const convW = (output.w - 1) * poolStride + pool;
  const out = new Float64Array(output.c * convH * convW);
  for (let k = 0; k < output.c; k++) {
    const w = templates[k]!;
    const bias = plan.bias[k]!;
    for (let cy = 0; cy < convH; cy++) {
      for (let cx = 0; cx < convW; cx++) {
        let sum = bias;
        for (let j = 0; j < plan.input.c; j++) {
          for (let ky = 0; ky < kernel; ky++) {
            const row = j * H * W + (cy * convStride + ky) * W + cx * convStride;
            const wrow = (j * kernel + ky) * kernel;
            for (let kx = 0; kx < kernel; kx++) sum += w[wrow + kx]! * input[row + kx]!;
          }
        }
        out[(k * convH + cy) * convW + cx] = sum;
      }
    }
  }
  return out;
}
