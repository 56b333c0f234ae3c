import path from 'node:path';
import { accuracy, type Accuracy } from '../arch/accuracy.js';
import { loadScenario } from '../arch/scenario.js';
import { loadMnist } from '../data/mnist.js';
import { spinarchVersion } from '../data/project.js';
import { WEIGHTS_FORMAT, writeWeightsFile, type WeightsFile } from '../data/weights.js';
import { ScenarioError } from '../scenario/errors.js';
import { displayPath, locate } from '../scenario/load.js';
import { mnistTrainData } from '../train/data.js';
import { roundWeights, type TrainNet } from '../train/network.js';
import type { TrainingProfile } from '../train/profile.js';
import { floatProfile, hasQuantizers, quantizeAfter, type QuantizeMode } from '../train/quantize.js';
import { countCorrect, noiseLevels, trainNetwork, type NoiseRange, type TrainData } from '../train/trainer.js';
import { formatAccuracy } from './format.js';
import { UsageError, type CliIo } from './io.js';
import { mnistDir } from './input.js';
import { progressBar } from './progress.js';

export interface TrainCommandOptions {
  readonly mnist?: string | true;
  /** Default: the epochs the design's paper trained for, else 6. */
  readonly epochs?: number;
  readonly batch: number;
  readonly learningRate: number;
  readonly decay: number;
  readonly trainImages?: number;
  readonly out?: string;
  readonly set: readonly string[];
  readonly json?: boolean;
  /** Noise-aware training: the read-noise scales to draw from, 'MIN:MAX[:STEP]', or 'MAX' (from 0). */
  readonly noise?: string;
  /**
   * When the network meets the hardware's quantizers: 'aware' trains through them, 'post'
   * trains in float and quantizes the weights once after. Default: 'aware' where the design's
   * training has quantizers, else 'post' (float weights the hardware maps to its levels).
   */
  readonly quantize?: QuantizeMode;
}

/** Levels a noise range has when its step is not given: 30 steps, enough to be near uniform, few enough that their read tables take seconds. */
const NOISE_STEPS = 30;

/**
 * `--noise MIN:MAX[:STEP]`, or `MAX` for 0:MAX: read-noise scales (times the physical thermal
 * spread, each 0 or more) from MIN to MAX in steps of STEP, by default a thirtieth of the range.
 */
export function parseNoiseRange(text: string): NoiseRange {
  const parts = text.split(':');
  const numbers = parts.map((p) => (p.trim() === '' ? Number.NaN : Number(p)));
  if (parts.length > 3 || numbers.some((x) => !Number.isFinite(x) || x < 0)) throw new UsageError(`--noise: expected MIN:MAX, MIN:MAX:STEP or MAX (noise scales, 0 or more, times the physical spread), like 0:1.5; got '${text}'`);
  const [min, max] = numbers.length === 1 ? [0, numbers[0]!] : [numbers[0]!, numbers[1]!];
  if (max < min) throw new UsageError(`--noise: ${text} runs downward; write the smaller scale first (MIN:MAX)`);
  const step = numbers[2] ?? Number(((max - min) / NOISE_STEPS).toPrecision(12));
  if (step === 0 && max > min) throw new UsageError(`--noise: ${text} has a step of 0; give a positive STEP, or MIN:MAX alone`);
  return { min, max, step };
}

/** The design's noise-aware profile, or why there is none. */
function noiseAware(profile: TrainingProfile, design: string): TrainingProfile {
  if (profile.noiseAware === undefined) throw new UsageError(`--noise: noise-aware training reads the cells through their noise model, which only irmen-dual-cenn has; design ${design} has none`);
  return profile.noiseAware();
}

/** The quantization mode asked for, or the design's default; refused where it means nothing. */
function quantizeMode(profile: TrainingProfile, design: string, asked: QuantizeMode | undefined): QuantizeMode {
  const quantized = hasQuantizers(profile);
  if (asked === 'aware' && !quantized) throw new UsageError(`--quantize aware: design ${design} trains with no quantizer to be aware of (float weights, which its hardware maps to its cells' levels when it loads them: post-training quantization already); use --quantize post or leave --quantize out`);
  return asked ?? (quantized ? 'aware' : 'post');
}

/** Weights keep 8 significant digits: far below any hardware's resolution, and files stay small. */
const DIGITS = 8;

function score(net: TrainNet, data: TrainData): Accuracy {
  return accuracy(countCorrect(net, data), data.count);
}

/**
 * `spinarch train`: trains the scenario's network for its hardware on MNIST's training images
 * and writes a weights file with its provenance (scenario, seed, data checksums, accuracy).
 */
export function trainCommand(file: string, o: TrainCommandOptions, io: CliIo): WeightsFile {
  const noise = o.noise === undefined ? undefined : parseNoiseRange(o.noise);
  const scenario = loadScenario(file, o.set);
  const base = scenario.design.training?.(scenario.value, scenario.layers);
  if (base === undefined) throw new ScenarioError([{ location: locate(scenario.raw, ['design']), path: 'design', message: `spinarch cannot train for design ${scenario.design.name} yet` }]);
  const profile = noise === undefined ? base : noiseAware(base, scenario.design.name);
  const mode = quantizeMode(profile, scenario.design.name, o.quantize);
  const quantized = hasQuantizers(profile);
  // Post-training quantization trains the network with every quantizer off (a teacher-student profile: its teacher alone).
  const trainedProfile = mode === 'post' ? floatProfile(profile) : profile;
  const dir = mnistDir(o.mnist);
  const trainSet = loadMnist(dir, 'train');
  const testSet = loadMnist(dir, 'test');
  const input = scenario.value.network.input;
  const train = mnistTrainData(trainSet, input, o.trainImages);
  const test = mnistTrainData(testSet, input);
  const out = o.out ?? `${scenario.name}.weights.json`;
  const seed = scenario.value.seed;
  const epochs = o.epochs ?? profile.epochs ?? 6;
  const stages = trainedProfile.teacher === true ? 2 : 1;
  const bar = progressBar(io, `training ${scenario.name}`, stages * epochs * Math.ceil(train.count / o.batch), 'batches');
  let net: TrainNet;
  try {
    net = trainNetwork(trainedProfile, train, {
      epochs,
      batch: o.batch,
      learningRate: o.learningRate,
      decay: o.decay,
      seed,
      ...(noise === undefined ? {} : { noise }),
      onProgress: (p) => bar.update(p.epoch * p.batches + p.batch, `${p.stage === 'network' ? '' : `${p.stage} `}epoch ${p.epoch + 1}/${p.epochs} loss ${p.loss.toFixed(4)} accuracy ${(100 * p.accuracy).toFixed(2)} %`),
    });
  } finally {
    bar.stop();
  }
  roundWeights(net, DIGITS);
  // Post: the float network as trained, then its weights quantized once as the hardware stores them.
  // (A design whose training has no quantizers has nothing to quantize here: its hardware maps the float weights when it loads them.)
  const float = mode === 'post' && quantized ? { train: score(net, train), test: score(net, test) } : undefined;
  if (float !== undefined) net = quantizeAfter(net, profile);
  const trained = { train: score(net, train), test: score(net, test) };
  net.plain = true;
  net.realize();
  const floatWeights = { train: score(net, train), test: score(net, test) };
  net.plain = false;
  net.realize();
  // What the file holds: post-training quantization's levels (as the hardware stores them: it quantizes them again to the same codes), a student's binary weights, else the latent float weights (the hardware quantizes them).
  const exported = mode === 'post' || profile.exportQuantized === true;
  const weights: WeightsFile = {
    format: WEIGHTS_FORMAT,
    provenance: {
      scenario: scenario.name,
      design: scenario.design.name,
      network: scenario.layers.map((l) => l.spec.type).join(' -> '),
      training: profile.description,
      // aware: trained through the hardware's quantizers; post: trained with them off, the weights quantized once after.
      quantize: mode,
      // Each training sample's read-noise scale, drawn uniformly from the levels min, min + step, ... max.
      ...(noise === undefined ? {} : { noise: { min: noise.min, max: noise.max, step: noise.step, levels: noiseLevels(noise).length, per: 'sample' } }),
      seed,
      epochs: trainedProfile.teacher === true ? { teacher: epochs, student: epochs } : epochs,
      batch: o.batch,
      learning_rate: o.learningRate,
      decay_per_epoch: o.decay,
      data: {
        train_images: train.count,
        train_images_sha256: trainSet.sha256.images,
        train_labels_sha256: trainSet.sha256.labels,
        test_images_sha256: testSet.sha256.images,
        test_labels_sha256: testSet.sha256.labels,
      },
      spinarch: spinarchVersion(),
      // The trained network in plain arithmetic, through the hardware's quantizers (no device noise; noise-aware, its cells read at noise scale 0); post, after its weights were quantized.
      accuracy: { train: trained.train.rate, test: trained.test.rate },
      // The same network with its latent float weights (weight quantizers off, activation quantizers on).
      accuracy_float_weights: { train: floatWeights.train.rate, test: floatWeights.test.rate },
      // Post: the network as it was trained, every quantizer off.
      ...(float === undefined ? {} : { accuracy_float: { train: float.train.rate, test: float.test.rate } }),
    },
    layers: net.params.map((p) => (exported ? { layer: p.layer.index, shape: p.shape, weights: [...p.qw], bias: [...p.qb] } : { layer: p.layer.index, shape: p.shape, weights: [...p.w], bias: [...p.b] })),
  };
  try {
    writeWeightsFile(out, weights);
  } catch (error) {
    throw new UsageError(`cannot write ${out}: ${(error as Error).message}`);
  }
  if (o.json === true) io.out(`${JSON.stringify({ file: out, ...weights.provenance }, null, 2)}\n`);
  else {
    io.out(`${scenario.design.title}: ${scenario.name}, ${profile.description}\n`);
    io.out(`trained ${trainedProfile.teacher === true ? `${epochs} teacher and ${epochs} student` : epochs} epochs on ${train.count} MNIST training images (seed ${seed}); wrote ${displayPath(path.resolve(out))}\n`);
    io.out(
      mode === 'aware'
        ? "quantization-aware: trained through the hardware's quantizers\n"
        : quantized
          ? 'post-training quantization: trained with every quantizer off, then the weights quantized once as the hardware stores them (the file holds those levels)\n'
          : "post-training quantization: trained in float; the design's training has no quantizers (its hardware maps the float weights to its levels when it loads them)\n",
    );
    if (noise !== undefined) io.out(`noise-aware: each image's read-noise scale drawn from ${noiseLevels(noise).length} levels, ${noise.min} to ${noise.max}; the accuracies below read the cells without noise (scale 0)\n`);
    if (float !== undefined) io.out(`  float, as trained (quantizers off): train ${(100 * float.train.rate).toFixed(2)} %, test ${(100 * float.test.rate).toFixed(2)} %\n`);
    if (float !== undefined) io.out(`  post-quantized, through the hardware's quantizers:\n    train accuracy: ${formatAccuracy(trained.train)}\n    test accuracy:  ${formatAccuracy(trained.test)}\n`);
    else io.out(`  train accuracy: ${formatAccuracy(trained.train)}\n  test accuracy:  ${formatAccuracy(trained.test)}\n`);
    io.out(`  with float weights (${quantized ? 'weight quantizers off, activation quantizers on' : 'quantizers off'}): train ${(100 * floatWeights.train.rate).toFixed(2)} %, test ${(100 * floatWeights.test.rate).toFixed(2)} %\n`);
  }
  return weights;
}
