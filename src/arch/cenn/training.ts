import { TRANSFER_GAIN, encodingOf, planeSize, saturatedLinear } from '../../components/cenn/template.js';
import type { ClassifierParams } from '../../components/digital/classifier.js';
import { readCell, readMean, type CellRead } from '../../components/irmen/cell-read.js';
import { FIELD_STEP } from '../../components/irmen/read-physics.js';
import { evaluateStage, otaCode, otaLsb, realizeStage, type HardwareStage } from '../../components/ota/hardware-template.js';
import { WeightSource } from '../../data/weights.js';
import type { Activation, CellReadAt, CellReadModel, FixedStage, TrainLayer, TrainingProfile, WeightQuantizer } from '../../train/profile.js';
import type { Layer } from '../network.js';
import { cnnTrainLayers, headTrainLayers } from '../training.js';
import { compileCennProgram, type StageBudget } from './program.js';

/**
 * A conv layer's weights as b-bit OTA groups realize them: full scale at the layer's largest
 * |weight| or |bias|, each a whole number of LSB currents (realizeStage, for a stage whose
 * input plane holds values as they are, which is what a conv after the input or a pooling reads).
 */
export function otaQuantizer(bits: number): WeightQuantizer {
  return (w, b, qw, qb) => {
    let full = 0;
    for (let i = 0; i < w.length; i++) full = Math.max(full, Math.abs(w[i]!));
    for (let i = 0; i < b.length; i++) full = Math.max(full, Math.abs(b[i]!));
    const lsb = otaLsb(full, bits);
    for (let i = 0; i < w.length; i++) qw[i] = otaCode(w[i]!, lsb, bits) * lsb;
    for (let i = 0; i < b.length; i++) qb[i] = otaCode(b[i]!, lsb, bits) * lsb;
  };
}

/** A conv stage's cells: the saturated-linear transfer (Chua-Yang, and the IRMEN's M-H curve). */
const CONV_STAGE: Activation = { name: 'saturated linear', f: saturatedLinear, df: (x) => (x > -1 && x < 1 ? 1 : 0) };

/** A ReLU stage's cells: the same transfer on 2u - 1, read back as 0.5 * state + 0.5 (template.ts). */
const { gain, shift, encoding } = TRANSFER_GAIN.relu;
const RELU_STAGE: Activation = {
  name: 'CeNN ReLU stage',
  f: (u) => encoding.scale * saturatedLinear(gain * u + shift) + encoding.offset,
  df: (u) => {
    const x = gain * u + shift;
    return x > -1 && x < 1 ? encoding.scale * gain : 0;
  },
};

/** What noise-aware training needs of a CeNN whose cells are read noisily: its stage budget and its cells' read model. */
export interface CennReadTraining {
  readonly budget: StageBudget;
  /** The cells' settled read model as the hardware makes it at a noise scale (asked once per scale training meets). */
  readonly read: (noiseScale: number) => CellRead;
}

/**
 * Training for a CeNN design: its cells' transfer functions and its b-bit OTA weights; the
 * head's words. `passes`: the design sums a convolution one input map per pass, each partial
 * sum saturating in the cells (a charge CeNN); otherwise all maps in one stage (IRMEN).
 * `reads`: the design's cells are read through a noisy read model, which noise-aware training uses.
 */
export function cennTrainingProfile(layers: readonly Layer[], weightBits: number, head: ClassifierParams | undefined, what: string, passes = false, reads?: CennReadTraining): TrainingProfile {
  return {
    description: `${what}: conv and ReLU stages through the saturated-linear cell transfer${passes ? ' (convolutions summed one input map per pass, each partial sum saturating)' : ''}, ${weightBits}-bit OTA weights${headWords(head)}`,
    layers: cnnTrainLayers(layers, { convWeights: otaQuantizer(weightBits), convTransfer: CONV_STAGE, ...(passes ? { passTransfer: CONV_STAGE } : {}), relu: RELU_STAGE }, head),
    ...(reads === undefined ? {} : { noiseAware: () => noiseAwareProfile(layers, weightBits, head, what, reads) }),
  };
}

const headWords = (head: ClassifierParams | undefined): string => (head === undefined ? '' : `, ${head.weight_bits}-bit classifier weights`);

/** The hardware's read at each noise scale training asks for (made once per scale): readCell, and the slope of its mean. */
function trainingRead(readAt: (noiseScale: number) => CellRead): CellReadModel {
  const known = new Map<number, CellReadAt>();
  return {
    at(scale) {
      const seen = known.get(scale);
      if (seen !== undefined) return seen;
      const read = readAt(scale);
      if (read.kind === 'llg') throw new Error('noise-aware training reads cells through a settled read model (transfer: analytic or a table)');
      const at: CellReadAt = {
        read: (u, rng) => readCell(read, u, 0, rng),
        // A grid step each side: the analytic mean is tabulated on that grid, linear between its points (a table's grid is its own, at least as coarse).
        slope: (u) => (readMean(read, u + FIELD_STEP) - readMean(read, u - FIELD_STEP)) / (2 * FIELD_STEP),
      };
      known.set(scale, at);
      return at;
    },
  };
}

/** A stage with fixed templates as its OTAs realize it: evaluateStage forward, its transpose backward. */
function fixedStage(hw: HardwareStage): FixedStage {
  const { step } = hw;
  return {
    reads: Object.entries(step.inputs).map(([name, p]) => ({ name, size: planeSize(p.shape) })),
    writes: step.outputs.map((o) => ({ name: o.name, size: planeSize(o.shape) })),
    drive: (states) =>
      evaluateStage(hw, (plane) => {
        const s = states.get(plane);
        if (s === undefined) throw new Error(`stage ${step.index} reads plane '${plane}', which it was not given`);
        return s;
      }),
    backward(dDrives, dStates) {
      for (const { plane, maps } of hw.planes) {
        const { h, w } = plane.shape;
        const s = plane.stride;
        const g = dDrives.get(plane.name)!;
        maps.forEach((map, k) => {
          for (const t of map.terms) {
            const d = dStates.get(t.plane)!;
            for (let y = 0; y < h; y++) {
              for (let x = 0; x < w; x++) d[y * s * t.width + x * s + t.offset]! += t.weight * g[k * h * w + y * w + x]!;
            }
          }
        });
      }
    },
  };
}

/**
 * The network as the hardware runs it, for noise-aware training: each convolution's sums are
 * stored as drives, then the program's fixed stages up to the next convolution (ReLU, the
 * pairwise maxima of a pooling, holds) each read every plane they need through the cells' read
 * model, and the next convolution or the head reads the last plane once more.
 */
function noiseAwareProfile(layers: readonly Layer[], weightBits: number, head: ClassifierParams | undefined, what: string, reads: CennReadTraining): TrainingProfile {
  // The program's stages do not depend on the weights, only its convolutions' templates do (and those are trained).
  const steps = compileCennProgram(layers, WeightSource.random(0), reads.budget).steps;
  if (steps[0]?.kind !== 'conv') throw new Error('noise-aware training needs the network to start with a convolution (the first stage reads the input port, not cells)');
  const read = trainingRead(reads.read);
  const out: TrainLayer[] = [];
  for (let k = 0; k < steps.length; ) {
    const conv = layers.find((l) => l.index === steps[k]!.layer);
    if (conv?.spec.type !== 'conv') throw new Error(`stage ${k} is a convolution of no conv layer`);
    const before = out[out.length - 1];
    if (before !== undefined && before.output.h * before.output.w * before.output.c !== conv.input.h * conv.input.w * conv.input.c) throw new Error(`layer ${conv.index} reads a plane the stages before do not write`);
    out.push({ kind: 'conv', index: conv.index, input: conv.input, output: conv.output, kernel: conv.spec.kernel, stride: conv.spec.stride, quantize: otaQuantizer(weightBits) });
    let j = k + 1;
    while (j < steps.length && steps[j]!.kind !== 'conv') j++;
    const last = steps[j - 1]!;
    const v = last.outputs.find((o) => o.name === 'v');
    if (v === undefined) throw new Error(`stage ${last.index} writes no value plane`);
    const stages = steps.slice(k + 1, j).map((s) => fixedStage(realizeStage(s, weightBits)));
    out.push({ kind: 'stages', index: last.layer, input: conv.output, output: { h: v.shape.h, w: v.shape.w, c: v.shape.maps }, stages, read, encoding: encodingOf(v) });
    k = j;
  }
  out.push(
    ...headTrainLayers(
      layers.filter((l) => l.spec.type === 'dense'),
      head,
    ),
  );
  return {
    description: `${what}, noise-aware: every cell read through the settled read model at a noise scale drawn per sample, the ReLU and max-pooling (pairwise maxima) stages as their OTAs realize them, ${weightBits}-bit OTA weights${headWords(head)}`,
    layers: out,
  };
}
