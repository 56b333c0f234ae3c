import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, type Scenario } from '../src/arch/scenario.js';
import type { z } from 'zod';
import { cellSettingOf, irmenScenario, stageDelayOf } from '../src/arch/cenn/irmen-dual-cenn.js';
import { compileCennProgram } from '../src/arch/cenn/program.js';
import { IDENTITY, encodingOf, saturatedLinear, type PlaneData } from '../src/components/cenn/template.js';
import { settledMean, settledSpread } from '../src/components/irmen/cell-read.js';
import { cellReadOf, readPlanes, storeDrives, type HeldPlane } from '../src/components/irmen/irmen-bank.js';
import { evaluateStage, realizeStage } from '../src/components/ota/hardware-template.js';
import { streamFor, type RandomStream } from '../src/components/random.js';
import { WeightSource } from '../src/data/weights.js';
import { loadMnist } from '../src/data/mnist.js';
import { UsageError } from '../src/cli/io.js';
import { parseNoiseRange, trainCommand } from '../src/cli/train.js';
import { mnistTrainData } from '../src/train/data.js';
import { TrainNet } from '../src/train/network.js';
import type { TrainingProfile } from '../src/train/profile.js';
import { noiseLevels, softmaxCrossEntropy, trainNetwork } from '../src/train/trainer.js';
import { syntheticMnist, tempFiles } from './helpers.js';

const IRMEN = 'scenarios/irmen-dual-cenn.yaml';
/** One conv, its ReLU and the seed's 3x3 pooling (12 stages): the hardware's whole stage repertoire, in little time. */
const ONE_CONV = 'network.layers=[{type: conv, kernel: 3, templates: 4}, {type: relu}, {type: maxpool, size: 3, stride: 1}, {type: dense, outputs: 10}]';
/** Smaller still, for training: 2x2 pooling in 6 stages. */
const SMALL = ['network.layers=[{type: conv, kernel: 3, templates: 2}, {type: relu}, {type: maxpool, size: 2, stride: 2}, {type: dense, outputs: 10}]', 'params.stages.pool=6'];

const noiseAware = (s: Scenario): TrainingProfile => s.design.training!(s.value, s.layers).noiseAware!();
const irmenValue = (s: Scenario) => s.value as z.output<typeof irmenScenario>;
const irmenOf = (s: Scenario) => irmenValue(s).params.irmen;
const settingOf = (s: Scenario) => cellSettingOf(irmenValue(s), stageDelayOf(irmenValue(s)));
/** The read the hardware makes of the scenario's cells at noise scale `scale`. */
function hardwareRead(s: Scenario, scale: number) {
  const read = cellReadOf({ ...irmenOf(s), noise_scale: scale }, settingOf(s), s.value.seed);
  if (read.kind !== 'analytic') throw new Error('analytic read expected');
  return read;
}

/** A network on the noise-aware profile, random weights and biases, its input an image-like pattern. */
function netFor(profile: TrainingProfile, seed: number, biasSpread = 0.2): TrainNet {
  const net = new TrainNet(profile, streamFor(seed, 'train-noise/init'));
  const rng = streamFor(seed, 'train-noise/bias');
  for (const p of net.params) for (let i = 0; i < p.b.length; i++) p.b[i] = biasSpread * rng.normal();
  net.realize();
  const w = Math.round(Math.sqrt(net.input.length));
  for (let i = 0; i < net.input.length; i++) net.input[i] = 0.5 + 0.5 * Math.sin((i % w) / 3) * Math.cos(Math.floor(i / w) / 4);
  return net;
}

/**
 * The hardware's own path, written from its blocks as irmenFunctional runs them: the program's
 * stages realized by the OTAs, each reading its planes through readPlanes at `scale`; returns the
 * last plane as the head reads it, decoded.
 */
function hardwareFeatures(s: Scenario, net: TrainNet, scale: number, rng: RandomStream): Float64Array {
  const file = path.join(tempFiles({}), 'w.json');
  writeFileSync(file, JSON.stringify({ layers: net.params.map((p) => ({ layer: p.layer.index, shape: p.shape, weights: [...p.w], bias: [...p.b] })) }));
  const steps = compileCennProgram(s.layers, WeightSource.fromFile(file), { convRelu: 2, pool: 12 }).steps;
  const hw = steps.map((step) => realizeStage(step, 8));
  const read = cellReadOf({ ...irmenOf(s), noise_scale: scale }, settingOf(s), s.value.seed);
  const error = { sum: 0, reads: 0 };
  const first = s.layers[0]!.input;
  let held = new Map<string, HeldPlane>();
  steps.forEach((step, i) => {
    const driven: Map<string, PlaneData> = i === 0 ? new Map([['v', { shape: { maps: first.c, h: first.h, w: first.w }, encoding: IDENTITY, values: net.input }]]) : readPlanes(held, Object.keys(step.inputs), rng, read, error, 'test');
    const drives = evaluateStage(hw[i]!, (p) => driven.get(p)!.values);
    held = storeDrives(
      step.outputs.map((o) => [o.name, { shape: o.shape, encoding: encodingOf(o), values: drives.get(o.name)! }] as const),
      held,
      false,
    );
  });
  const v = readPlanes(held, ['v'], rng, read, error, 'test').get('v')!;
  return v.values.map((x) => v.encoding.scale * x + v.encoding.offset);
}

/** Per-cell mean and variance over draws, averaged over the plane's cells. */
function drawStatistics(draw: () => Float64Array, draws: number): { mean: number; variance: number } {
  let sum: Float64Array | undefined;
  let squares: Float64Array | undefined;
  for (let d = 0; d < draws; d++) {
    const x = draw();
    sum ??= new Float64Array(x.length);
    squares ??= new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      sum[i]! += x[i]!;
      squares[i]! += x[i]! * x[i]!;
    }
  }
  let mean = 0;
  let variance = 0;
  for (let i = 0; i < sum!.length; i++) {
    const m = sum![i]! / draws;
    mean += m;
    variance += (squares![i]! - draws * m * m) / (draws - 1);
  }
  return { mean: mean / sum!.length, variance: variance / sum!.length };
}

describe('noise-aware training: the forward pass through the hardware read model', () => {
  const s = loadScenario(IRMEN, [ONE_CONV]);
  const profile = noiseAware(s);
  // Layers: conv, its stages (ReLU and 12 pooling stages), dense.
  const features = 1;

  it('runs every stage the hardware runs between the convolution and the head', () => {
    expect(profile.layers.map((l) => l.kind)).toEqual(['conv', 'stages', 'dense']);
    const stages = profile.layers[1]!;
    expect(stages.kind === 'stages' ? stages.stages.length : 0).toBe(13);
    // A larger stage budget adds holds, which read and rewrite every plane: they are read too.
    const holding = noiseAware(loadScenario(IRMEN, [ONE_CONV, 'params.stages.conv_relu=3', 'params.stages.pool=13'])).layers[1]!;
    expect(holding.kind === 'stages' ? holding.stages.length : 0).toBe(15);
    expect(profile.description).toMatch(/noise-aware/);
  });

  it('at noise scale 0 reads every cell as the hardware does at noise_scale 0, and is the noiseless training', () => {
    const net = netFor(profile, 1);
    net.noise = { scale: 0, rng: streamFor(1, 'a') };
    net.forward();
    const trained = Float64Array.from(net.output(features));
    // The draws do not matter at scale 0.
    net.noise = { scale: 0, rng: streamFor(2, 'b') };
    net.forward();
    expect([...net.output(features)]).toEqual([...trained]);
    const hardware = hardwareFeatures(s, net, 0, streamFor(3, 'hw'));
    let most = 0;
    for (let i = 0; i < hardware.length; i++) most = Math.max(most, Math.abs(hardware[i]! - trained[i]!));
    expect(most).toBeLessThan(1e-12);
    // Today's noiseless training (saturated-linear cells, a plain maximum) differs only by the
    // OTAs' 8-bit realization of the ReLU and pooling templates (0.5 is 128/255 of full scale).
    const ideal = new TrainNet(s.design.training!(s.value, s.layers), streamFor(1, 'train-noise/init'));
    ideal.params.forEach((p, i) => (p.b.set(net.params[i]!.b), p.w.set(net.params[i]!.w)));
    ideal.realize();
    ideal.input.set(net.input);
    ideal.forward();
    const plain = ideal.output(3);
    let apart = 0;
    for (let i = 0; i < plain.length; i++) apart = Math.max(apart, Math.abs(plain[i]! - trained[i]!));
    expect(apart).toBeGreaterThan(1e-4);
    expect(apart).toBeLessThan(0.03);
  });

  it('with noise, a read spreads as the read model says at the cell drive (state-dependent)', () => {
    // conv -> the head: one read of the conv's cells, whose drives are its biases.
    const one = noiseAware(loadScenario(IRMEN, ['network.layers=[{type: conv, kernel: 3, templates: 4}, {type: dense, outputs: 10}]']));
    expect(one.layers.map((l) => l.kind)).toEqual(['conv', 'stages', 'dense']);
    const net = netFor(one, 2);
    const conv = net.params[0]!;
    conv.w.fill(0);
    conv.b.set([0, 0.5, 0.8, 0.9]);
    net.realize();
    const scale = 2;
    net.noise = { scale, rng: streamFor(4, 'reads') };
    const read = hardwareRead(s, scale);
    const cells = 26 * 26;
    for (let k = 0; k < 4; k++) {
      const u = conv.qb[k]!;
      const { mean, variance } = drawStatistics(() => {
        net.forward();
        return net.output(1).slice(k * cells, (k + 1) * cells);
      }, 12);
      const sd = Math.sqrt(variance);
      const spread = read.scale * settledSpread(read.stats, u);
      // 12 x 676 draws: the mean within 4 standard errors, the spread within 3 % (3.5 of them);
      // the spread at 0.8 is about 3.6 times that at 0.
      expect(Math.abs(mean - settledMean(read.stats, u))).toBeLessThan((4 * spread) / Math.sqrt(12 * cells));
      expect(sd / spread).toBeGreaterThan(0.97);
      expect(sd / spread).toBeLessThan(1.03);
    }
  });

  it('a ReLU stage is read twice: by itself from the conv cells, then by its consumer', () => {
    const relu = noiseAware(loadScenario(IRMEN, ['network.layers=[{type: conv, kernel: 3, templates: 1}, {type: relu}, {type: dense, outputs: 10}]']));
    const net = netFor(relu, 3);
    net.params[0]!.w.fill(0);
    net.params[0]!.b.set([0.4]);
    net.realize();
    const scale = 3;
    net.noise = { scale, rng: streamFor(5, 'reads') };
    const { stats, scale: times } = hardwareRead(s, scale);
    const { variance } = drawStatistics(() => {
      net.forward();
      return Float64Array.from(net.output(1));
    }, 20);
    // value = 0.5 r2 + 0.5, r2 read at u2 = 2 r1 - 1, r1 read at 0.4: both spreads, the first through the slope 2.
    const u1 = 0.4;
    const u2 = 2 * settledMean(stats, u1) - 1;
    const expected = 0.5 * times * Math.hypot(settledSpread(stats, u2), 2 * settledSpread(stats, u1));
    expect(Math.sqrt(variance) / expected).toBeGreaterThan(0.97);
    expect(Math.sqrt(variance) / expected).toBeLessThan(1.03);
  });

  it('with noise, the pooled features spread and bias as the hardware path does (the maximum of noisy reads reads high)', () => {
    const net = netFor(profile, 4);
    const scale = 4;
    const quiet = hardwareFeatures(s, net, 0, streamFor(0, 'hw'));
    let level = 0;
    for (const x of quiet) level += x;
    level /= quiet.length;
    const hwRng = streamFor(6, 'hw');
    const hardware = drawStatistics(() => hardwareFeatures(s, net, scale, hwRng), 16);
    net.noise = { scale, rng: streamFor(7, 'reads') };
    const trained = drawStatistics(() => {
      net.forward();
      return Float64Array.from(net.output(features));
    }, 16);
    const bias = hardware.mean - level;
    expect(bias).toBeGreaterThan(0.005);
    expect(Math.abs(trained.mean - hardware.mean)).toBeLessThan(0.1 * bias);
    expect(trained.variance / hardware.variance).toBeGreaterThan(0.93);
    expect(trained.variance / hardware.variance).toBeLessThan(1.07);
  });

  it('back-propagates through the mean of the reads: gradients match finite differences of the mean model', () => {
    const small = noiseAware(loadScenario(IRMEN, [...SMALL, 'network.input=[10, 10, 1]']));
    // The cells read at their mean at noise scale 1.5, without draws, and the slope training uses there.
    const { stats } = hardwareRead(s, 1.5);
    const meanOnly = (l: TrainingProfile['layers'][number]): TrainingProfile['layers'][number] => {
      if (l.kind !== 'stages') return l;
      const slope = l.read.at(1.5).slope;
      return { ...l, read: { at: () => ({ read: (u) => saturatedLinear(settledMean(stats, u)), slope }) } };
    };
    const net = netFor({ ...small, layers: small.layers.map(meanOnly) }, 5, 0.5);
    // Finite differences see the weights themselves, not their OTA codes.
    net.plain = true;
    net.realize();
    const d = new Float64Array(10);
    const loss = (): number => softmaxCrossEntropy(net.forward(), 2, d);
    net.zeroGradients();
    loss();
    net.backward(d);
    const h = 1e-6;
    let checked = 0;
    for (const p of net.params) {
      for (const [value, grad] of [
        [p.w, p.gw],
        [p.b, p.gb],
      ] as const) {
        for (let i = 0; i < value.length; i += 2) {
          const keep = value[i]!;
          value[i] = keep + h;
          net.realize();
          const up = loss();
          value[i] = keep - h;
          net.realize();
          const down = loss();
          value[i] = keep;
          net.realize();
          const fd = (up - down) / (2 * h);
          // The slope is a centred difference over the read table's grid, the forward its linear interpolation.
          expect(Math.abs(grad[i]! - fd)).toBeLessThan(0.03 * Math.abs(fd) + 1e-3);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('noise-aware training: determinism and the CLI', () => {
  const dir = syntheticMnist({ test: 100, train: 120 }, 11);
  const s = loadScenario(IRMEN, SMALL);
  const train = mnistTrainData(loadMnist(dir, 'train'), s.value.network.input);
  const options = { epochs: 1, batch: 16, learningRate: 0.005, decay: 0.7, seed: 3 };

  it('gives the same weights for the same seed and range, others for another range', () => {
    const profile = noiseAware(s);
    const noise = { min: 0, max: 1.5, step: 0.5 };
    const a = trainNetwork(profile, train, { ...options, noise });
    const b = trainNetwork(profile, train, { ...options, noise });
    expect(b.params.map((p) => [...p.w, ...p.b])).toEqual(a.params.map((p) => [...p.w, ...p.b]));
    const c = trainNetwork(profile, train, { ...options, noise: { min: 0, max: 6, step: 3 } });
    expect(c.params[0]!.w).not.toEqual(a.params[0]!.w);
    // The noiseless profile has no cells to read noisily.
    expect(() => trainNetwork(s.design.training!(s.value, s.layers), train, { ...options, noise })).toThrow(/noise-aware training needs a profile whose cells are read/);
  });

  it('reads --noise as MIN:MAX[:STEP], or MAX from 0, in 30 steps unless told, and refuses what is not a range of scales', () => {
    expect(parseNoiseRange('0:1.5')).toEqual({ min: 0, max: 1.5, step: 0.05 });
    expect(noiseLevels(parseNoiseRange('0:1.5'))).toEqual(Array.from({ length: 31 }, (_, i) => Number((0.05 * i).toFixed(2))));
    expect(parseNoiseRange('3')).toEqual({ min: 0, max: 3, step: 0.1 });
    expect(noiseLevels(parseNoiseRange('0.2:1:0.3'))).toEqual([0.2, 0.5, 0.8]);
    expect(noiseLevels(parseNoiseRange('0.5:0.5'))).toEqual([0.5]);
    for (const bad of ['', 'x', '1:', ':1', '-1:1', '1:2:3:4', 'Infinity', '0:1:-0.1']) expect(() => parseNoiseRange(bad)).toThrow(UsageError);
    expect(() => parseNoiseRange('2:1')).toThrow(/runs downward/);
    expect(() => parseNoiseRange('0:1:0')).toThrow(/step of 0/);
  });

  it('spinarch train --noise writes the range into the provenance, byte for byte the same for the same seed; other designs are refused', () => {
    const out = tempFiles({});
    const io = { out: () => undefined, err: () => undefined, errIsTty: false };
    const o = { mnist: dir, epochs: 1, batch: 16, learningRate: 0.005, decay: 0.6, trainImages: 40, set: SMALL, noise: '0:1.5:0.75' };
    trainCommand(IRMEN, { ...o, out: path.join(out, 'a.json') }, io);
    trainCommand(IRMEN, { ...o, out: path.join(out, 'b.json') }, io);
    const text = readFileSync(path.join(out, 'a.json'), 'utf8');
    expect(readFileSync(path.join(out, 'b.json'), 'utf8')).toBe(text);
    const file = JSON.parse(text) as { provenance: { noise: unknown; training: string } };
    expect(file.provenance.noise).toEqual({ min: 0, max: 1.5, step: 0.75, levels: 3, per: 'sample' });
    expect(file.provenance.training).toMatch(/^IRMEN dual-CeNN, noise-aware: /);
    expect(() => trainCommand('scenarios/maap-cnn-4bit.yaml', { ...o, set: [], out: path.join(out, 'c.json') }, io)).toThrow(UsageError);
    expect(() => trainCommand('scenarios/maap-cnn-4bit.yaml', { ...o, set: [], out: path.join(out, 'c.json') }, io)).toThrow(/only irmen-dual-cenn has; design maap-cnn has none/);
  });
});
