import { activate, type DenseActivation } from '../components/digital/dense-head.js';
import type { RandomStream } from '../components/random.js';

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

/**
 * How a stage receives a cell it reads (the hardware's read model): the cell holds its drive
 * u, and a read gives a state in [-1, 1], noisy about the model's mean at the noise scale.
 */
export interface CellReadModel {
  /** The read at noise scale `scale` (times the physical thermal spread; 0 is the ideal read). */
  at(scale: number): CellReadAt;
}

/** The read at one noise scale. The backward pass takes its noise as additive: its slope is the mean's. */
export interface CellReadAt {
  /** One read of a cell at drive u, drawing from `rng`. */
  read(u: number, rng: RandomStream): number;
  /** Slope of the read's mean at drive u. */
  slope(u: number): number;
}

/** A plane of cells a stage reads or writes, by name, with its number of cells. */
export interface StagePlane {
  readonly name: string;
  readonly size: number;
}

/**
 * A stage with fixed templates (a ReLU, a step of a pairwise maximum, a hold) as the hardware
 * realizes it: linear from the states it reads to the drives of the cells it writes.
 */
export interface FixedStage {
  /** The planes it reads, in the order the hardware reads them. */
  readonly reads: readonly StagePlane[];
  readonly writes: readonly StagePlane[];
  /** The drives of the planes it writes, from the states it read. */
  drive(states: ReadonlyMap<string, Float64Array>): ReadonlyMap<string, Float64Array>;
  /** Adds to `dStates` (per plane read) the gradient for `dDrives` (per plane written): the transpose of `drive`. */
  backward(dDrives: ReadonlyMap<string, Float64Array>, dStates: ReadonlyMap<string, Float64Array>): void;
}

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
  | (LayerBase & { readonly kind: 'maxpool'; readonly size: number; readonly stride: number })
  | (LayerBase & {
      /**
       * Cells that hold their drives and are read by the next stage: the input is the drive of
       * plane 'v' (a convolution's sums), each stage reads every plane it needs through `read`
       * and writes new drives, and the output is plane 'v' of the last one as its consumer
       * reads it, decoded (value = scale * state + offset). With no stages, one read.
       */
      readonly kind: 'stages';
      readonly stages: readonly FixedStage[];
      readonly read: CellReadModel;
      readonly encoding: { readonly scale: number; readonly offset: number };
    });

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
  /**
   * The same network trained through the hardware's cell reads ('stages' layers), at the
   * read-noise scale the trainer sets per sample (TrainNet.noise); absent where the design has
   * no read model to train with.
   */
  readonly noiseAware?: () => TrainingProfile;
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
