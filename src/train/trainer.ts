import { streamFor } from '../components/random.js';
import { argmax } from '../components/digital/dense-head.js';
import { TrainNet, type Parameters, type TrainNoise } from './network.js';
import type { TrainingProfile } from './profile.js';

/** Labelled samples: input i written into a buffer, and its label. */
export interface TrainData {
  readonly count: number;
  /** Writes sample i's input (fitted to the network, grey levels in [0, 1]) into `out`. */
  fill(i: number, out: Float64Array): void;
  label(i: number): number;
}

export interface TrainProgress {
  /** 'teacher' while a teacher-student profile trains its real-valued teacher. */
  readonly stage: 'teacher' | 'student' | 'network';
  /** Epochs so far over all stages, and in all. */
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean cross-entropy and accuracy over the epoch so far. */
  readonly loss: number;
  readonly accuracy: number;
}

export interface TrainOptions {
  readonly epochs: number;
  readonly batch: number;
  readonly learningRate: number;
  /** The learning rate is multiplied by this after every epoch. */
  readonly decay: number;
  /** Seeds the initial weights and the order samples are shown in (and the read noise). */
  readonly seed: string | number;
  /**
   * Noise-aware training, for a profile whose cells are read ('stages' layers): each sample's
   * read-noise scale is drawn uniformly from the range's levels, so the network meets every
   * noise level from the least up and cannot lean on the bias of one (the maximum of noisy
   * reads reads high, more so the noisier they are).
   */
  readonly noise?: NoiseRange;
  readonly onProgress?: (p: TrainProgress) => void;
}

/**
 * Read-noise scales (times the physical thermal spread) from `min` up to `max` in steps of
 * `step`: levels, not a continuum, since the read model at each scale is a table of its own
 * (about 0.3 s to make).
 */
export interface NoiseRange {
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

/** The scales of a range: min, min + step, ... up to max (rounded to 12 digits, so 0.1 x 3 is 0.3). */
export function noiseLevels(r: NoiseRange): number[] {
  if (!(r.min >= 0 && r.max >= r.min && r.step >= 0)) throw new Error(`a noise range runs from a scale of 0 or more upward in steps of 0 or more, not [${r.min}, ${r.max}] by ${r.step}`);
  const n = r.step === 0 || r.max === r.min ? 1 : Math.floor((r.max - r.min) / r.step + 1e-9) + 1;
  return Array.from({ length: n }, (_, i) => Number((r.min + i * r.step).toPrecision(12)));
}

/** Adam (Kingma and Ba, 2015) over every parameter tensor of a network. */
class Adam {
  private readonly moments: { m: Float64Array; v: Float64Array }[] = [];
  private t = 0;

  constructor(private readonly tensors: readonly { value: Float64Array; grad: Float64Array; clip: number | undefined }[]) {
    for (const x of tensors) this.moments.push({ m: new Float64Array(x.value.length), v: new Float64Array(x.value.length) });
  }

  step(lr: number, scale: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    this.tensors.forEach(({ value, grad, clip }, n) => {
      const { m, v } = this.moments[n]!;
      for (let i = 0; i < value.length; i++) {
        const g = grad[i]! * scale;
        m[i] = b1 * m[i]! + (1 - b1) * g;
        v[i] = b2 * v[i]! + (1 - b2) * g * g;
        let x = value[i]! - (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-8);
        // BinaryConnect keeps latent weights within the quantizer's range.
        if (clip !== undefined) x = x > clip ? clip : x < -clip ? -clip : x;
        value[i] = x;
      }
    });
  }
}

const tensorsOf = (params: readonly Parameters[]): { value: Float64Array; grad: Float64Array; clip: number | undefined }[] =>
  params.flatMap((p) => [
    { value: p.w, grad: p.gw, clip: p.layer.clip },
    { value: p.b, grad: p.gb, clip: p.layer.clip },
  ]);

/** Softmax cross-entropy of `scores` against `label`: the loss, and its gradient written into `d`. */
export function softmaxCrossEntropy(scores: Float64Array, label: number, d: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]!);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    d[i] = Math.exp(scores[i]! - max);
    sum += d[i]!;
  }
  for (let i = 0; i < scores.length; i++) d[i] = d[i]! / sum;
  const loss = -Math.log(Math.max(d[label]!, 1e-300));
  d[label]! -= 1;
  return loss;
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
function shuffled(n: number, seed: string | number, epoch: number): Int32Array {
  const rng = streamFor(seed, `train/shuffle/epoch[${epoch}]`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Writes sample i through the profile's input transform into the network's input. */
function load(net: TrainNet, data: TrainData, i: number): void {
  data.fill(i, net.input);
  const f = net.profile.input;
  if (f !== undefined) for (let k = 0; k < net.input.length; k++) net.input[k] = f(net.input[k]!);
}

/**
 * Trains a network for its hardware: minibatch Adam on softmax cross-entropy, the forward
 * pass through the hardware's activation and quantizers, gradients straight through the
 * quantizers to latent float weights. Deterministic: the same seed gives the same weights.
 */
export function trainNetwork(profile: TrainingProfile, data: TrainData, o: TrainOptions): TrainNet {
  if (o.noise !== undefined && !profile.layers.some((l) => l.kind === 'stages')) throw new Error('noise-aware training needs a profile whose cells are read (a design\'s noiseAware profile)');
  const net = new TrainNet(profile, streamFor(o.seed, 'train/init'));
  const quiet = net.noise;
  if (profile.teacher === true) {
    net.plain = true;
    net.realize();
    trainStage(net, data, o, 'teacher', 0);
    net.plain = false;
    net.realize();
    trainStage(net, data, o, 'student', o.epochs);
  } else trainStage(net, data, o, 'network', 0);
  net.noise = quiet;
  return net;
}

/** An epoch's read noise, sample by sample: a scale from one stream, the reads' draws from another. */
function noiseStreams(o: TrainOptions, epoch: number): { next: () => TrainNoise } | undefined {
  if (o.noise === undefined) return undefined;
  const levels = noiseLevels(o.noise);
  const scales = streamFor(o.seed, `train/noise/scale/epoch[${epoch}]`);
  const rng = streamFor(o.seed, `train/noise/reads/epoch[${epoch}]`);
  return { next: () => ({ scale: levels[scales.int(levels.length)]!, rng }) };
}

/** `o.epochs` epochs of minibatch Adam (a fresh optimizer), shuffles keyed by the epoch over all stages. */
function trainStage(net: TrainNet, data: TrainData, o: TrainOptions, stage: TrainProgress['stage'], first: number): void {
  const profile = net.profile;
  const adam = new Adam(tensorsOf(net.params));
  const outputs = profile.layers[profile.layers.length - 1]!.output;
  const d = new Float64Array(outputs.h * outputs.w * outputs.c);
  const batches = Math.ceil(data.count / o.batch);
  const total = profile.teacher === true ? 2 * o.epochs : o.epochs;
  let lr = o.learningRate;
  for (let e = 0; e < o.epochs; e++) {
    const epoch = first + e;
    const order = shuffled(data.count, o.seed, epoch);
    const noise = noiseStreams(o, epoch);
    let loss = 0;
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      net.zeroGradients();
      const end = Math.min(data.count, (b + 1) * o.batch);
      for (let n = b * o.batch; n < end; n++) {
        const i = order[n]!;
        load(net, data, i);
        if (noise !== undefined) net.noise = noise.next();
        const scores = net.forward();
        const label = data.label(i);
        if (argmax(scores) === label) correct++;
        loss += softmaxCrossEntropy(scores, label, d);
        net.backward(d);
        seen++;
      }
      adam.step(lr, 1 / (end - b * o.batch));
      net.realize();
      o.onProgress?.({ stage, epoch, epochs: total, batch: b + 1, batches, loss: loss / seen, accuracy: correct / seen });
    }
    lr *= o.decay;
  }
}

/** Correct predictions of a trained network (through its quantizers) on `data`; its cells read at `noise` if given. */
export function countCorrect(net: TrainNet, data: TrainData, noise?: TrainNoise): number {
  const before = net.noise;
  if (noise !== undefined) net.noise = noise;
  let correct = 0;
  try {
    for (let i = 0; i < data.count; i++) {
      load(net, data, i);
      if (argmax(net.forward()) === data.label(i)) correct++;
    }
  } finally {
    net.noise = before;
  }
  return correct;
}
