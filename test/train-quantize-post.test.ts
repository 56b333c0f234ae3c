import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/arch/scenario.js';
import { signMagnitudeQuantizer } from '../src/arch/training.js';
import { otaQuantizer } from '../src/arch/cenn/training.js';
import { loadMnist } from '../src/data/mnist.js';
import { mnistTrainData } from '../src/train/data.js';
import { roundWeights } from '../src/train/network.js';
import { floatProfile, hasQuantizers, quantizeAfter } from '../src/train/quantize.js';
import { countCorrect, trainNetwork } from '../src/train/trainer.js';
import type { WeightQuantizer } from '../src/train/profile.js';
import { cli, syntheticMnist, tempFiles } from './helpers.js';

const dir = syntheticMnist({ test: 200, train: 400 }, 5);
const IMAGES = 400;

interface File {
  provenance: Record<string, unknown> & { accuracy: { train: number; test: number }; accuracy_float?: { train: number; test: number } };
  layers: { layer: number; shape: number[]; weights: number[]; bias: number[] }[];
}
const read = (file: string): File => JSON.parse(readFileSync(file, 'utf8')) as File;

/** Runs `spinarch train` on the synthetic set; returns its output and the file it wrote. */
async function train(scenario: string, ...extra: string[]): Promise<{ code: number; out: string; err: string; file: string }> {
  const file = path.join(tempFiles({}), 'w.json');
  const r = await cli('train', scenario, '--mnist', dir, '--epochs', '1', '--train-images', String(IMAGES), '--out', file, ...extra);
  return { ...r, file };
}

/** `q` applied to a layer's weights and biases as a file holds them. */
function requantized(q: WeightQuantizer, l: File['layers'][number]): { weights: number[]; bias: number[] } {
  const w = Float64Array.from(l.weights);
  const b = Float64Array.from(l.bias);
  const qw = new Float64Array(w.length);
  const qb = new Float64Array(b.length);
  q(w, b, qw, qb);
  return { weights: [...qw], bias: [...qb] };
}

describe('train --quantize post (MAAP-CNN, 4 bits)', () => {
  const scenario = loadScenario('scenarios/maap-cnn-4bit.yaml');
  const profile = scenario.design.training!(scenario.value, scenario.layers);
  const params = (scenario.value as unknown as { params: { bits: number; classifier: { weight_bits: number } } }).params;
  const bits = params.bits;
  const headBits = params.classifier.weight_bits;
  const quantizers = new Map<number, WeightQuantizer>([
    [0, signMagnitudeQuantizer(bits)],
    [3, signMagnitudeQuantizer(bits)],
    [6, signMagnitudeQuantizer(headBits)],
  ]);
  const post = train('scenarios/maap-cnn-4bit.yaml', '--quantize', 'post');

  it('trains with every quantizer off but keeps the hardware activation shape (the ReLU saturating at the set output range)', () => {
    expect(hasQuantizers(profile)).toBe(true);
    const float = floatProfile(profile);
    expect(hasQuantizers(float)).toBe(false);
    expect(float.input).toBeUndefined();
    const relu = float.layers.find((l) => l.kind === 'activation');
    expect(relu?.kind === 'activation' && [relu.activation.f(-1), relu.activation.f(0.5), relu.activation.f(3)]).toEqual([0, 0.5, 1]);
    // The profile asked for keeps its quantizers: the ADC's 4-bit code of 0.5 is 7/15 or 8/15, never 0.5.
    const adc = profile.layers.find((l) => l.kind === 'activation');
    expect(adc?.kind === 'activation' && adc.quantize !== undefined && Math.abs(adc.quantize(0.5) - 0.5)).toBeCloseTo(1 / 30, 12);
  });

  it("writes exactly the design's weight-quantizer levels of the float-trained weights, and says quantize: post", async () => {
    const r = await post;
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const file = read(r.file);
    expect(file.provenance['quantize']).toBe('post');
    // The float network, trained here the same way (the command's defaults: batch 32, rate 0.005, decay 0.6, seed 2020).
    const data = mnistTrainData(loadMnist(dir, 'train'), scenario.value.network.input, IMAGES);
    const net = trainNetwork(floatProfile(profile), data, { epochs: 1, batch: 32, learningRate: 0.005, decay: 0.6, seed: scenario.value.seed });
    roundWeights(net, 8);
    expect(file.layers.map((l) => l.layer)).toEqual([...quantizers.keys()]);
    file.layers.forEach((l, i) => {
      const q = quantizers.get(l.layer)!;
      const p = net.params[i]!;
      const levels = requantized(q, { ...l, weights: [...p.w], bias: [...p.b] });
      // (JSON keeps no negative zero.)
      expect(l.weights).toEqual(levels.weights.map((x) => x + 0));
      expect(l.bias).toEqual(levels.bias.map((x) => x + 0));
      // The hardware, quantizing them again when it loads them, finds the same levels.
      const again = requantized(q, l);
      for (let k = 0; k < l.weights.length; k++) expect(again.weights[k]).toBeCloseTo(l.weights[k]!, 14);
    });
    // A 4-bit template layer holds at most 15 distinct values (7 magnitudes each sign, and 0).
    expect(new Set(file.layers[0]!.weights).size).toBeLessThanOrEqual(15);
    expect(new Set(file.layers[1]!.weights).size).toBeLessThanOrEqual(15);
  });

  it('reports the float accuracy and the post-quantized one; the quantized network loses only a few points', async () => {
    const r = await post;
    expect(r.out).toMatch(/post-training quantization: trained with every quantizer off/);
    expect(r.out).toMatch(/float, as trained \(quantizers off\): train \d+\.\d\d %, test \d+\.\d\d %/);
    expect(r.out).toMatch(/post-quantized, through the hardware's quantizers:\n {4}train accuracy: .*\n {4}test accuracy: +\d+\.\d %/);
    const { accuracy, accuracy_float: float } = read(r.file).provenance;
    expect(float).toBeDefined();
    expect(float!.test).toBeGreaterThan(0.5);
    expect(Math.abs(accuracy.test - float!.test)).toBeLessThan(0.08);
  });

  it("runs on the hardware's quantizers as reported: eval --plain of the file gives the provenance's test accuracy", async () => {
    const r = await post;
    const e = await cli('eval', 'scenarios/maap-cnn-4bit.yaml', '--mnist', dir, '--plain', '--workers', '1', '--json', '--set', `weights={file: ${r.file}}`);
    expect(e.code).toBe(0);
    const result = JSON.parse(e.out) as { accuracy: { rate: number } };
    expect(result.accuracy.rate).toBe(read(r.file).provenance.accuracy.test);
  });

  it('aware, the default, is unchanged: latent float weights (not the quantizer levels), provenance quantize: aware', async () => {
    const aware = await train('scenarios/maap-cnn-4bit.yaml');
    expect(aware.code).toBe(0);
    expect(aware.out).toMatch(/quantization-aware: trained through the hardware's quantizers/);
    const explicit = await train('scenarios/maap-cnn-4bit.yaml', '--quantize', 'aware');
    expect(readFileSync(explicit.file, 'utf8')).toBe(readFileSync(aware.file, 'utf8'));
    const file = read(aware.file);
    expect(file.provenance['quantize']).toBe('aware');
    expect(file.provenance['accuracy_float']).toBeUndefined();
    const first = file.layers[0]!;
    expect(requantized(signMagnitudeQuantizer(bits), first).weights).not.toEqual(first.weights);
    // The weights trained through the quantizers differ from the float-trained ones.
    expect(file.layers[0]!.weights).not.toEqual(read((await post).file).layers[0]!.weights);
  });
});

describe('train --quantize post on the other designs', () => {
  it('charge CeNN: the stored conv weights and biases are whole OTA LSB steps of the layer full scale', async () => {
    const r = await train('scenarios/charge-cenn.yaml', '--quantize', 'post');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const file = read(r.file);
    expect(file.provenance['quantize']).toBe('post');
    const s = loadScenario('scenarios/charge-cenn.yaml');
    const bits = (s.value as unknown as { params: { ota: { weight_bits: number } } }).params.ota.weight_bits;
    for (const l of file.layers.filter((x) => x.shape.length === 4)) {
      const again = requantized(otaQuantizer(bits), l);
      for (let k = 0; k < l.weights.length; k++) expect(again.weights[k]).toBeCloseTo(l.weights[k]!, 14);
      for (let k = 0; k < l.bias.length; k++) expect(again.bias[k]).toBeCloseTo(l.bias[k]!, 14);
    }
  });

  it('SOT MLP: the real-valued teacher alone, then binarized: every weight and bias in {-1, +1}', async () => {
    const r = await train('scenarios/sot-mlp.yaml', '--quantize', 'post');
    expect(r.code).toBe(0);
    const file = read(r.file);
    expect(file.provenance).toMatchObject({ quantize: 'post', epochs: 1 });
    for (const l of file.layers) for (const x of [...l.weights, ...l.bias]) expect(Math.abs(x)).toBe(1);
  });

  it('MTJ MLP: float training is post-training quantization already (the default); --quantize aware is refused', async () => {
    const r = await train('scenarios/mtj-mlp.yaml');
    expect(r.code).toBe(0);
    expect(read(r.file).provenance['quantize']).toBe('post');
    expect(r.out).toMatch(/training has no quantizers/);
    const post = await train('scenarios/mtj-mlp.yaml', '--quantize', 'post');
    expect(readFileSync(post.file, 'utf8')).toBe(readFileSync(r.file, 'utf8'));
    const aware = await train('scenarios/mtj-mlp.yaml', '--quantize', 'aware');
    expect(aware.code).toBe(2);
    expect(aware.err).toMatch(/--quantize aware: design mtj-mlp trains with no quantizer to be aware of/);
  });

  it('refuses an unknown mode, and --help explains both', async () => {
    const bad = await train('scenarios/maap-cnn-4bit.yaml', '--quantize', 'later');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--quantize.*'later' is invalid.*aware, post/s);
    const help = await cli('train', '--help');
    expect(help.out).toMatch(/--quantize <mode>/);
    expect(help.out).toMatch(/aware +quantization-aware training/);
    expect(help.out).toMatch(/post +post-training quantization, as seed 003 did/);
  });

  it('quantizeAfter keeps the float weights as latent ones and realizes the hardware levels', () => {
    const s = loadScenario('scenarios/maap-cnn-8bit.yaml');
    const profile = s.design.training!(s.value, s.layers);
    const data = mnistTrainData(loadMnist(dir, 'train'), s.value.network.input, 100);
    const float = trainNetwork(floatProfile(profile), data, { epochs: 1, batch: 20, learningRate: 0.005, decay: 1, seed: 1 });
    const q = quantizeAfter(float, profile);
    q.params.forEach((p, i) => {
      expect([...p.w]).toEqual([...float.params[i]!.w]);
      expect([...p.qw]).not.toEqual([...p.w]);
    });
    expect(countCorrect(q, data)).toBeGreaterThan(25);
  });
});
