import { signMagnitudeCode, signMagnitudeScale } from '../converters/quantize.js';

/** Activations a dense layer may apply (the last layer's, softmax included, never changes the argmax). */
export type DenseActivation = 'none' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

/** One dense layer of a digital head: weights (outputs x inputs, row-major) and biases. */
export interface HeadLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  readonly activation: DenseActivation;
}

/**
 * The head's layers as its memory holds them: weights as `bits`-bit sign-magnitude words,
 * full scale per layer (biases stay at accumulator precision).
 */
export function quantizeHead(layers: readonly HeadLayer[], bits: number): HeadLayer[] {
  return layers.map((l) => {
    const scale = signMagnitudeScale(l.weights, bits);
    const weights = new Float64Array(l.weights.length);
    for (let i = 0; i < weights.length; i++) weights[i] = signMagnitudeCode(l.weights[i]!, scale) * scale;
    return { ...l, weights };
  });
}

/** A hidden layer's activation (the last layer's outputs are left as they are: its scores). */
export function activate(activation: DenseActivation, x: number): number {
  switch (activation) {
    case 'relu':
      return x > 0 ? x : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'tanh':
      return Math.tanh(x);
    default:
      return x;
  }
}

/** The head's output scores for one feature vector: y = W x + b, layer by layer. */
export function headForward(layers: readonly HeadLayer[], features: Float64Array): Float64Array {
  let x = features;
  layers.forEach((l, n) => {
    if (x.length !== l.inputs) throw new RangeError(`dense layer ${n} takes ${l.inputs} inputs, got ${x.length}`);
    const y = new Float64Array(l.outputs);
    const last = n === layers.length - 1;
    for (let o = 0; o < l.outputs; o++) {
      let sum = l.bias[o]!;
      const row = o * l.inputs;
      for (let i = 0; i < l.inputs; i++) sum += l.weights[row + i]! * x[i]!;
      y[o] = last ? sum : activate(l.activation, sum);
    }
    x = y;
  });
  return x;
}

/** The class of a score vector: the index of its largest entry (the first, on a tie). */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
