import { activate, type DenseActivation } from '../components/digital/dense-head.js';

/**
 * What a design tells the trainer about its hardware: the layers to train, the activation its
 * cells compute, and how it quantizes weights and activations. The forward pass uses the
 * hardware's functions (imported by the design from its blocks' folders, never copied here);
 * the backward pass treats quantization as the identity (the straight-through estimator).
 */

/** A feature-map shape, height x width x channels (a vector is 1 x n x 1). */
export interface TrainShape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** An elementwise activation: its value and its slope, given the pre-activation x and the value y. */
export interface Activation {
  readonly name: string;
  f(x: number): number;
  df(x: number, y: number): number;
}

/**
 * Fills `outW`, `outB` with the weights and biases the hardware would realize for the latent
 * ones (`weights`, `bias`): the forward pass uses these, the gradient goes to the latent ones.
 */
export type WeightQuantizer = (weights: Float64Array, bias: Float64Array, outW: Float64Array, outB: Float64Array) => void;

interface LayerBase {
  /** Index of the network layer (in `network.layers`) whose weights this is. */
  readonly index: number;
  readonly input: TrainShape;
  readonly output: TrainShape;
}

export type TrainLayer =
  | (LayerBase & {
      readonly kind: 'conv';
      readonly kernel: number;
      readonly stride: number;
      readonly quantize?: WeightQuantizer;
      readonly clip?: number;
      /**
       * Hardware that sums one input map per pass (a charge CeNN) passes each partial sum
       * through its cells' transfer: out = T(... T(T(b + map 0) + map 1) ... + map n-1).
       */
      readonly passTransfer?: Activation;
    })
  | (LayerBase & { readonly kind: 'dense'; readonly quantize?: WeightQuantizer; readonly clip?: number })
  | (LayerBase & { readonly kind: 'activation'; readonly activation: Activation; readonly quantize?: (y: number) => number })
  | (LayerBase & { readonly kind: 'maxpool'; readonly size: number; readonly stride: number });

export interface TrainingProfile {
  /** What the hardware asks of training, in a sentence (it goes into the weights file). */
  readonly description: string;
  /** The layers, the last giving the scores (softmax cross-entropy is taken on them). */
  readonly layers: readonly TrainLayer[];
  /** How the hardware takes a pixel in [0, 1] (an input DAC or code); identity if absent. */
  readonly input?: (x: number) => number;
  /**
   * Teacher-student (seed 004): first train the network with real weights (quantizers off,
   * latent clipping on), then the quantized student from the teacher's weights, as many epochs each.
   */
  readonly teacher?: boolean;
  /** Write the quantized weights (the student's +1/-1) to the weights file, not the latent ones. */
  readonly exportQuantized?: boolean;
  /** The epochs the paper trained for, when it says (the default of `spinarch train`). */
  readonly epochs?: number;
}

/**
 * A dense layer's activation as the digital head computes it (components/digital/dense-head),
 * with its slope for the backward pass.
 */
export function headActivation(name: DenseActivation): Activation {
  const slope: Record<DenseActivation, (x: number, y: number) => number> = {
    none: () => 1,
    softmax: () => 1,
    relu: (x) => (x > 0 ? 1 : 0),
    sigmoid: (_x, y) => y * (1 - y),
    tanh: (_x, y) => 1 - y * y,
  };
  return { name, f: (x) => activate(name, x), df: slope[name] };
}
