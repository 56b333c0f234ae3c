import { toCode, toCodes, type Rounding } from '../../components/converters/quantize.js';
import { headForward, type HeadLayer } from '../../components/digital/dense-head.js';
import { groupOf, groupReadout, setsOf, type MaapParams } from '../../components/maap/maap-array.js';
import { driveLevel, layerRankOffsets, outputRank, patchInputs, storedCode, type MaapLayerPlan } from '../../components/maap/maap-controller.js';
import { drawDeviation, maapIdeal } from '../../components/maap/maap-set.js';
import { streamFor } from '../../components/random.js';
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

/**
 * The MAAP-CNN without the kernel: layer by layer, every output's patch and template (decoded
 * as the controller decodes them) give its ideal result, its group of sets (each with the
 * deviation it drew as a device) reads it, the ADC converts, and the stored word feeds the
 * next layer through the multiplier's drive level; the head reads the last layer's words.
 */
export function maapFunctional(f: MaapFunctional): FunctionalModel {
  const levels = 2 ** f.bits - 1;
  const R = f.maap.redundancy;
  const groups = Math.floor(f.maap.sets / R);
  const deviations = Array.from({ length: f.maap.sets }, (_, i) => drawDeviation(streamFor(f.seed, `maap[${i}]`, f.chip), f.maap.variation));
  const groupDeviations = Array.from({ length: groups }, (_, g) => setsOf(g, R).map((s) => deviations[s]!));
  const rankOffsets = layerRankOffsets(f.plans);
  const digital = f.maap.averaging === 'digital';
  // Each template's words decoded, as the controller decodes the words it reads.
  const templates = f.plans.map((plan, n) =>
    Array.from({ length: plan.output.c }, (_, k) => {
      const w = new Float64Array(plan.fanIn);
      for (let j = 0; j < plan.fanIn; j++) w[j] = f.templates[n]!.codes[k * plan.fanIn + j]! * plan.weightScale;
      return w;
    }),
  );
  return {
    infer(pixels) {
      let buffer = pixels.map((x) => driveLevel(toCode(x, f.bits, 'unipolar') * levels, levels));
      let words = new Float64Array(0);
      f.plans.forEach((plan, n) => {
        const { output, geometry } = plan;
        const positions = output.h * output.w;
        words = new Float64Array(output.c * positions);
        const inputs = new Float64Array(plan.input.c * geometry.patch * geometry.patch);
        for (let out = 0; out < words.length; out++) {
          const k = Math.floor(out / positions);
          let m = 0;
          const source = buffer;
          patchInputs(plan, out, (i) => (inputs[m++] = source[i]!));
          const ideal = maapIdeal({ geometry, inputs, weights: templates[n]![k]!, bias: plan.bias[k]! });
          const group = groupOf(rankOffsets[n]! + outputRank(plan, out), groups);
          words[out] = storedCode(toCodes(groupReadout(ideal, groupDeviations[group]!, f.maap.averaging), f.bits, 'unipolar', f.rounding), digital);
        }
        buffer = words.map((code) => driveLevel(code * levels, levels));
      });
      if (f.head === undefined) throw new Error('the network has no dense layers: nothing to classify');
      return headForward(f.head, f.decode(words));
    },
  };
}
