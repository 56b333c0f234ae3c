import { signMagnitudeCode, signMagnitudeScale } from '../components/converters/quantize.js';
import type { ClassifierParams } from '../components/digital/classifier.js';
import { headActivation, type Activation, type TrainLayer, type WeightQuantizer } from '../train/profile.js';
import type { Layer } from './network.js';

/** Weights as b-bit sign-magnitude words (full scale at the largest |w|), biases as they are. */
export function signMagnitudeQuantizer(bits: number): WeightQuantizer {
  return (w, b, qw, qb) => {
    const scale = signMagnitudeScale(w, bits);
    for (let i = 0; i < w.length; i++) qw[i] = signMagnitudeCode(w[i]!, scale) * scale;
    qb.set(b);
  };
}

/** The dense layers of a network as a digital head computes them (its weight words, its activations). */
export function headTrainLayers(dense: readonly Layer[], head: ClassifierParams | undefined): TrainLayer[] {
  const out: TrainLayer[] = [];
  dense.forEach((l, n) => {
    if (l.spec.type !== 'dense') throw new Error(`layer ${l.index} is not dense`);
    out.push({ kind: 'dense', index: l.index, input: l.input, output: l.output, ...(head === undefined ? {} : { quantize: signMagnitudeQuantizer(head.weight_bits) }) });
    if (n < dense.length - 1) out.push({ kind: 'activation', index: l.index, input: l.output, output: l.output, activation: headActivation(l.spec.activation) });
  });
  return out;
}

/** How one kind of hardware computes each layer type of a CNN, for training. */
export interface CnnHardware {
  /** A conv layer's weight quantizer. */
  readonly convWeights: WeightQuantizer;
  /** What follows a conv layer that has no ReLU after it (a stage's own transfer), if anything. */
  readonly convTransfer?: Activation;
  /** Hardware that sums a convolution one input map per pass, each partial sum through this transfer. */
  readonly passTransfer?: Activation;
  /** A ReLU layer's activation, and the quantizer of its output (a converter), if any. */
  readonly relu: Activation;
  readonly reluQuantize?: (y: number) => number;
}

/**
 * The training layers of a CNN on `hw`: conv (quantized), its transfer, ReLU as the cells
 * compute it, max-pooling, then the digital head's dense layers.
 */
export function cnnTrainLayers(layers: readonly Layer[], hw: CnnHardware, head: ClassifierParams | undefined): TrainLayer[] {
  const out: TrainLayer[] = [];
  const dense = layers.filter((l) => l.spec.type === 'dense');
  for (const l of layers) {
    const s = l.spec;
    const shapes = { index: l.index, input: l.input, output: l.output };
    if (s.type === 'conv') {
      out.push({ kind: 'conv', ...shapes, kernel: s.kernel, stride: s.stride, quantize: hw.convWeights, ...(hw.passTransfer === undefined ? {} : { passTransfer: hw.passTransfer }) });
      if (hw.convTransfer !== undefined && hw.passTransfer === undefined) out.push({ kind: 'activation', ...shapes, input: l.output, activation: hw.convTransfer });
    } else if (s.type === 'relu') out.push({ kind: 'activation', ...shapes, activation: hw.relu, ...(hw.reluQuantize === undefined ? {} : { quantize: hw.reluQuantize }) });
    else if (s.type === 'maxpool') out.push({ kind: 'maxpool', ...shapes, size: s.size, stride: s.stride });
  }
  if (dense.length === 0) throw new Error('the network has no dense layers to give it scores: nothing to train');
  out.push(...headTrainLayers(dense, head));
  return out;
}
