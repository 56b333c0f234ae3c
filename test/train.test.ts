import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, functionalModel } from '../src/arch/scenario.js';
import { signMagnitudeQuantizer } from '../src/arch/training.js';
import { otaQuantizer } from '../src/arch/cenn/training.js';
import { argmax } from '../src/components/digital/dense-head.js';
import { fitImage, mnistImage } from '../src/data/images.js';
import { loadMnist } from '../src/data/mnist.js';
import { mnistTrainData } from '../src/train/data.js';
import { countCorrect, softmaxCrossEntropy, trainNetwork } from '../src/train/trainer.js';
import { TrainNet } from '../src/train/network.js';
import type { TrainingProfile } from '../src/train/profile.js';
import { streamFor } from '../src/components/random.js';
import { cli, syntheticMnist, tempFiles } from './helpers.js';

const dir = syntheticMnist({ test: 200, train: 600 }, 7);
const irmen = loadScenario('scenarios/irmen-dual-cenn.yaml');
const input = irmen.value.network.input;
const train = mnistTrainData(loadMnist(dir, 'train'), input);
const test = mnistTrainData(loadMnist(dir, 'test'), input);
const options = { epochs: 3, batch: 16, learningRate: 0.005, decay: 0.7, seed: 3 };

describe('training', () => {
  const profile = irmen.design.training!(irmen.value, irmen.layers);
  const net = trainNetwork(profile, train, options);

  it('learns: accuracy on unseen images rises far above chance (10 %)', () => {
    expect(countCorrect(net, test) / test.count).toBeGreaterThan(0.6);
  });

  it('gives the same weights for the same seed, and others for another', () => {
    const again = trainNetwork(profile, train, options);
    expect(again.params.map((p) => [...p.w])).toEqual(net.params.map((p) => [...p.w]));
    const other = trainNetwork(profile, train, { ...options, seed: 4 });
    expect(other.params[0]!.w).not.toEqual(net.params[0]!.w);
  });

  it('trains through the hardware: OTA weights are whole LSB steps of the layer full scale, MAAP words b-bit', () => {
    const w = Float64Array.from([0.9, -0.31, 0.05, 0.004]);
    const b = Float64Array.from([-0.2]);
    const qw = new Float64Array(4);
    const qb = new Float64Array(1);
    otaQuantizer(4)(w, b, qw, qb);
    const lsb = 0.9 / 15;
    for (const x of [...qw, ...qb]) expect(Math.abs(x / lsb - Math.round(x / lsb))).toBeLessThan(1e-9);
    expect([...qw].map((x) => Math.round(x / lsb))).toEqual([15, -5, 1, 0]);
    signMagnitudeQuantizer(4)(w, b, qw, qb);
    // 4-bit sign-magnitude: 7 magnitudes of max|w| / 7; biases stay as they are.
    expect([...qw].map((x) => Math.round((x * 7) / 0.9))).toEqual([7, -2, 0, 0]);
    expect(qb[0]).toBe(-0.2);
  });

  it("matches the hardware: the trained network and the design's functional model (noise off) agree", () => {
    const file = path.join(tempFiles({}), 'w.json');
    const layers = net.params.map((p) => ({ layer: p.layer.index, shape: p.shape, weights: [...p.w], bias: [...p.b] }));
    writeFileSync(file, JSON.stringify({ layers }));
    const s = loadScenario('scenarios/irmen-dual-cenn.yaml', [`weights={file: ${file}}`, 'params.irmen.noise_scale=0']);
    const model = functionalModel(s);
    const data = loadMnist(dir, 'test');
    let agree = 0;
    for (let i = 0; i < 100; i++) {
      const image = mnistImage(data, i);
      test.fill(i, net.input);
      const trained = argmax(net.forward());
      if (argmax(model.infer(fitImage(image, input), image)) === trained) agree++;
    }
    // They differ only where the head's 8-bit readout converter tips a near tie.
    expect(agree).toBeGreaterThanOrEqual(97);
  });

  it('spinarch train writes a weights file with its provenance, byte for byte the same for the same seed', async () => {
    const out = tempFiles({});
    const args = ['train', 'scenarios/maap-cnn-4bit.yaml', '--mnist', dir, '--epochs', '1', '--train-images', '200'];
    const a = await cli(...args, '--out', path.join(out, 'a.json'));
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/test accuracy: +\d+\.\d % \(\d+ of 200; 95 % CI/);
    await cli(...args, '--out', path.join(out, 'b.json'));
    const text = readFileSync(path.join(out, 'a.json'), 'utf8');
    expect(readFileSync(path.join(out, 'b.json'), 'utf8')).toBe(text);
    const file = JSON.parse(text) as { format: string; provenance: Record<string, unknown>; layers: { layer: number; shape: number[] }[] };
    expect(file.format).toBe('spinarch-weights/1');
    expect(file.provenance).toMatchObject({ scenario: 'maap-cnn-4bit', design: 'maap-cnn', seed: 2020, epochs: 1, data: { train_images: 200, train_images_sha256: loadMnist(dir, 'train').sha256.images } });
    expect(file.layers.map((l) => [l.layer, l.shape])).toEqual([
      [0, [4, 1, 3, 3]],
      [3, [4, 4, 3, 3]],
      [6, [10, 1600]],
    ]);
    // The file feeds a run; a file of the wrong shape says which layer and what it needs.
    expect((await cli('run', 'scenarios/maap-cnn-4bit.yaml', '--set', `weights={file: ${path.join(out, 'a.json')}}`)).code).toBe(0);
    const bad = await cli('run', 'scenarios/maap-cnn-4bit.yaml', '--set', `weights={file: ${path.join(out, 'a.json')}}`, '--set', 'network.layers[0].templates=5');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/a\.json: layer 0 has shape \[4, 1, 3, 3\], the network needs \[5, 1, 3, 3\]/);
  });
});

describe('training network', () => {
  const tanh = { name: 'tanh', f: Math.tanh, df: (_x: number, y: number) => 1 - y * y };
  const shape = (h: number, w: number, c: number) => ({ h, w, c });
  const layers = (passTransfer: boolean): TrainingProfile['layers'] => [
    { kind: 'conv', index: 0, input: shape(7, 7, 1), output: shape(5, 5, 2), kernel: 3, stride: 1 },
    { kind: 'activation', index: 0, input: shape(5, 5, 2), output: shape(5, 5, 2), activation: tanh },
    { kind: 'conv', index: 1, input: shape(5, 5, 2), output: shape(4, 4, 3), kernel: 2, stride: 1, ...(passTransfer ? { passTransfer: tanh } : {}) },
    { kind: 'maxpool', index: 2, input: shape(4, 4, 3), output: shape(2, 2, 3), size: 2, stride: 2 },
    { kind: 'dense', index: 3, input: shape(2, 2, 3), output: shape(1, 4, 1) },
  ];

  for (const passTransfer of [false, true]) {
    it(`computes the gradient of its loss (finite differences${passTransfer ? ', convolution summed pass by pass' : ''})`, () => {
      const net = new TrainNet({ description: 'test', layers: layers(passTransfer) }, streamFor(1, 'gradcheck'));
      const rng = streamFor(2, 'gradcheck/input');
      for (let i = 0; i < net.input.length; i++) net.input[i] = rng.uniform();
      for (const p of net.params) for (let i = 0; i < p.b.length; i++) p.b[i] = 0.1 * rng.normal();
      net.realize();
      const d = new Float64Array(4);
      const loss = (): number => softmaxCrossEntropy(net.forward(), 2, d);
      net.zeroGradients();
      loss();
      net.backward(d);
      const h = 1e-6;
      let checked = 0;
      for (const p of net.params) {
        for (const [value, grad] of [[p.w, p.gw], [p.b, p.gb]] as const) {
          for (let i = 0; i < value.length; i += 3) {
            const keep = value[i]!;
            value[i] = keep + h;
            net.realize();
            const up = loss();
            value[i] = keep - h;
            net.realize();
            const down = loss();
            value[i] = keep;
            net.realize();
            expect(grad[i]!).toBeCloseTo((up - down) / (2 * h), 6);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(20);
    });
  }
});
