import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IdxError, parseIdx } from '../src/data/idx.js';
import { fitImage, mnistImages, syntheticDigit } from '../src/data/images.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { cli, idxFile, tempFiles } from './helpers.js';
import { bundledMnistDir, loadMnist } from '../src/data/mnist.js';

/** Three 28x28 images: all dark, all bright, and a bright square; labels 0, 1, 2. */
function tinyMnist(): string {
  const px = (f: (y: number, x: number) => number): number[] => Array.from({ length: 784 }, (_, i) => f(Math.floor(i / 28), i % 28));
  const images = [...px(() => 0), ...px(() => 255), ...px((y, x) => (y > 8 && y < 20 && x > 8 && x < 20 ? 255 : 0))];
  const dir = tempFiles({});
  writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idxFile([3, 28, 28], images)));
  writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxFile([3], [0, 1, 2]));
  return dir;
}

describe('inputs', () => {
  it('reads IDX files, gzipped or not, and checks them', () => {
    const a = parseIdx(idxFile([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(a.dims).toEqual([2, 3]);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parseIdx(gzipSync(idxFile([1], [9]))).data[0]).toBe(9);
    expect(() => parseIdx(Buffer.from([1, 2, 3, 4]))).toThrow(/bad magic/);
    expect(() => parseIdx(idxFile([10], [1, 2]))).toThrow(/header promises 10/);
    const float = idxFile([1], [0, 0, 0, 0]);
    float[2] = 0x0d;
    expect(() => parseIdx(float)).toThrow(IdxError);
  });

  it('feeds MNIST images with their labels, scaled to [0, 1]', () => {
    const source = mnistImages(tinyMnist(), 1);
    const img = source.image(0);
    expect(img).toMatchObject({ label: 1, height: 28, width: 28, source: 'MNIST test #1' });
    expect(Math.min(...img.pixels)).toBe(1);
    expect(source.image(1).label).toBe(2);
    expect(() => source.image(2)).toThrow(/past the 3 images/);
    expect(() => mnistImages(tinyMnist(), 3)).toThrow(/--index 3 is outside the 3 images/);
  });

  it('runs a design on MNIST images from the command line, and the image changes the result', async () => {
    const dir = tinyMnist();
    const dark = JSON.parse((await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--json', '--mnist', dir, '--index', '0', '--set', 'params.irmen.noise_scale=0')).out);
    const square = JSON.parse((await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--json', '--mnist', dir, '--index', '2', '--set', 'params.irmen.noise_scale=0')).out);
    expect(dark.per_image[0].source).toBe('MNIST test #0');
    expect(square.per_image[0].label).toBe(2);
    expect(square.result.mean).not.toBeCloseTo(dark.result.mean, 3);
  });

  it('renders synthetic digits and crops a 28x28 image to a smaller network input', () => {
    const seven = syntheticDigit(7);
    const ink = seven.pixels.reduce((a, b) => a + b, 0);
    expect(ink).toBeGreaterThan(40);
    expect(syntheticDigit(8).pixels.reduce((a, b) => a + b, 0)).toBeGreaterThan(ink);
    const cropped = fitImage(seven, [400]);
    expect(cropped).toHaveLength(400);
    expect(cropped[0]).toBe(seven.pixels[4 * 28 + 4]);
    expect(() => fitImage(seven, [32, 32, 1])).toThrow(/larger than/);
  });

  it('takes weights from a weights file, and says where a wrong one is named', () => {
    const layers = [
      { layer: 0, shape: [4, 1, 3, 3], weights: new Array(36).fill(0.1), bias: [0, 0, 0, 0] },
      { layer: 3, shape: [4, 4, 3, 3], weights: new Array(144).fill(0.05), bias: [0, 0, 0, 0] },
      { layer: 6, shape: [10, 1600], weights: new Array(16000).fill(0.01), bias: new Array(10).fill(0) },
    ];
    const dir = tempFiles({ 'w.json': JSON.stringify({ layers }), 'short.json': JSON.stringify({ layers: [layers[0]] }) });
    const base = path.resolve('scenarios/irmen-dual-cenn.yaml');
    writeFileSync(path.join(dir, 'file.yaml'), `extends: ${base}\nweights: { file: w.json }\n`);
    writeFileSync(path.join(dir, 'short.yaml'), `extends: ${base}\nweights: { file: short.json }\n`);
    const withFile = runScenario(loadScenario(path.join(dir, 'file.yaml')));
    const random = runScenario(loadScenario(base));
    expect(withFile.energy_j).not.toBeCloseTo(random.energy_j, 15);
    expect(() => loadScenarioAndRun(path.join(dir, 'short.yaml'))).toThrow(/short\.json has no weights for layer 3/);
  });
});

function loadScenarioAndRun(file: string): unknown {
  return runScenario(loadScenario(file));
}

describe('bundled MNIST', () => {
  it('ships the full set with its checksums, and --mnist alone reads it', async () => {
    const test = loadMnist(bundledMnistDir(), 'test');
    expect([test.count, test.rows, test.cols]).toEqual([10_000, 28, 28]);
    // The widely published contents: the first test image is a 7, the second a 2.
    expect([...test.labels!.subarray(0, 5)]).toEqual([7, 2, 1, 0, 4]);
    const r = JSON.parse((await cli('run', 'scenarios/charge-cenn.yaml', '--mnist', '--index', '1', '--json')).out) as { per_image: { source: string; label: number }[] };
    expect(r.per_image[0]).toMatchObject({ source: 'MNIST test #1', label: 2 });
  });

  it('names a damaged file: contents against checksums.json, and a broken gzip', async () => {
    const dir = tinyMnist();
    const images = readFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'));
    writeFileSync(path.join(dir, 'checksums.json'), JSON.stringify({ files: { 't10k-images-idx3-ubyte.gz': { raw_sha256: '0'.repeat(64) } } }));
    const bad = await cli('run', 'scenarios/charge-cenn.yaml', '--mnist', dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/t10k-images-idx3-ubyte\.gz is damaged: the SHA-256 of its contents is [0-9a-f]{64}, checksums\.json says 0{64}/);
    const cut = tempFiles({});
    writeFileSync(path.join(cut, 't10k-images-idx3-ubyte.gz'), images.subarray(0, images.length - 20));
    const truncated = await cli('run', 'scenarios/charge-cenn.yaml', '--mnist', cut);
    expect(truncated.code).toBe(2);
    expect(truncated.err).toMatch(/t10k-images-idx3-ubyte\.gz: damaged gzip data \(unexpected end of file\)/);
  });

  it('gives no accuracy (not a zero) for images without labels, and checks the range before running', async () => {
    const dir = tempFiles({});
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idxFile([2, 28, 28], new Array(2 * 784).fill(80)));
    const r = JSON.parse((await cli('run', 'scenarios/charge-cenn.yaml', '--mnist', dir, '--images', '2', '--json')).out) as Record<string, unknown> & { per_image: { correct: unknown; predicted: number }[] };
    expect(r).not.toHaveProperty('accuracy');
    expect(r.per_image[0]!.correct).toBeNull();
    expect(typeof r.per_image[0]!.predicted).toBe('number');
    const past = await cli('run', 'scenarios/charge-cenn.yaml', '--mnist', dir, '--index', '1', '--images', '2');
    expect(past.code).toBe(2);
    expect(past.err).toMatch(/2 images from --index 1 run past the 2 images of the MNIST test set/);
    expect((await cli('run', 'scenarios/charge-cenn.yaml', '--index', '3')).err).toMatch(/--index picks an MNIST image: give --mnist too/);
  });
});
