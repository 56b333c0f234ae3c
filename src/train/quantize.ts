import { streamFor } from '../components/random.js';
import { TrainNet } from './network.js';
import type { TrainLayer, TrainingProfile } from './profile.js';

/**
 * When a network meets its hardware's quantizers. 'aware': during training (quantization-aware
 * training, the forward pass through every quantizer, gradients straight through them).
 * 'post': after it (post-training quantization, as seed 003 trained in TensorFlow and
 * quantized after): trained in float, then the weights quantized once as the hardware stores them.
 */
export type QuantizeMode = 'aware' | 'post';

export const QUANTIZE_MODES: readonly QuantizeMode[] = ['aware', 'post'];

/** Whether a profile quantizes anything: a layer's weights, an activation (a converter), or the input. */
export function hasQuantizers(profile: TrainingProfile): boolean {
  return profile.input !== undefined || profile.layers.some((l) => 'quantize' in l && l.quantize !== undefined);
}

/** A layer without its quantizer: the weights or values as they are, everything else (the activation's shape, the latent clip, a pass transfer) kept. */
function unquantized(l: TrainLayer): TrainLayer {
  switch (l.kind) {
    case 'conv': {
      const { quantize: _quantize, ...rest } = l;
      return rest;
    }
    case 'dense': {
      const { quantize: _quantize, ...rest } = l;
      return rest;
    }
    case 'activation': {
      const { quantize: _quantize, ...rest } = l;
      return rest;
    }
    default:
      return l;
  }
}

/**
 * The profile with every quantizer off, for post-training quantization: float weights, float
 * activations (no converter between layers, the input as it is), but the hardware's own
 * activation shapes (a ReLU saturating where the cells do, a cell's transfer, a convolution
 * summed pass by pass) and the latent weights' clip; a teacher-student profile trains its
 * real-valued teacher only.
 */
export function floatProfile(profile: TrainingProfile): TrainingProfile {
  const { input: _input, teacher: _teacher, exportQuantized: _export, noiseAware: _noiseAware, layers, ...rest } = profile;
  return { ...rest, layers: layers.map(unquantized) };
}

/**
 * A float-trained network (of `floatProfile(profile)`) quantized once, the way the hardware
 * stores it: a network of `profile` holding `trained`'s weights as its latent ones, its
 * quantized copies (`qw`, `qb`) the design's weight quantizer's levels of them, and every
 * activation quantizer of `profile` on.
 */
export function quantizeAfter(trained: TrainNet, profile: TrainingProfile): TrainNet {
  const net = new TrainNet(profile, streamFor(0, 'train/post'));
  if (net.params.length !== trained.params.length) throw new Error('post-training quantization takes the weights of a network of the same layers');
  net.params.forEach((p, i) => {
    const from = trained.params[i]!;
    if (from.shape.join('x') !== p.shape.join('x')) throw new Error(`layer ${p.layer.index}: a trained network of shape [${from.shape.join(', ')}] for [${p.shape.join(', ')}]`);
    p.w.set(from.w);
    p.b.set(from.b);
  });
  net.realize();
  return net;
}
