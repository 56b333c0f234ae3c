import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { mnistImages } from '../src/data/images.js';
import { evaluateImages } from '../src/eval/pool.js';
import { cli, syntheticMnist } from './helpers.js';

const dir = syntheticMnist({ test: 260, train: 0 });

describe('functional mode', () => {
  for (const [file, images] of [
    ['irmen-dual-cenn', 6],
    ['charge-cenn', 4],
    ['maap-cnn-4bit', 3],
    // Its activation pairs from a measured table (params.maap.pair): the same function in both modes.
    ['variants/maap-cnn-4bit-table', 3],
  ] as const) {
    it(`${file}: eval gives the event-level run's class and output scores, image by image, with noise and variation on`, async () => {
      const s = loadScenario(`scenarios/${file}.yaml`);
      const run = runScenario(s, { images, source: mnistImages(dir, 0, 'test', images) });
      const functional = await evaluateImages(s, { dir, set: 'test', from: 0, count: images, workers: 1 });
      expect(functional.classes).toBe(10);
      for (let k = 0; k < images; k++) {
        expect(run.per_image[k]!.outputs).toEqual([...functional.outputs.subarray(10 * k, 10 * k + 10)]);
        expect(run.per_image[k]!.predicted).toBe(functional.predicted[k]);
      }
    });
  }

  it('draws noise per image: the same image gives the same scores in any run, at any position', async () => {
    const s = loadScenario('scenarios/irmen-dual-cenn.yaml');
    const alone = runScenario(s, { images: 1, source: mnistImages(dir, 4, 'test', 1) });
    const among = runScenario(s, { images: 5, source: mnistImages(dir, 0, 'test', 5) });
    expect(alone.per_image[0]!.outputs).toEqual(among.per_image[4]!.outputs);
    // ... and the noise is real: another seed reads the same image differently.
    const other = runScenario(loadScenario('scenarios/irmen-dual-cenn.yaml', ['seed=5']), { images: 1, source: mnistImages(dir, 4, 'test', 1) });
    expect(other.per_image[0]!.outputs).not.toEqual(alone.per_image[0]!.outputs);
    const quiet = runScenario(loadScenario('scenarios/irmen-dual-cenn.yaml', ['params.irmen.noise_scale=0']), { images: 1, source: mnistImages(dir, 4, 'test', 1) });
    expect(quiet.per_image[0]!.outputs).not.toEqual(alone.per_image[0]!.outputs);
  });

  it('gives the same result for any number of workers', async () => {
    const s = loadScenario('scenarios/irmen-dual-cenn.yaml');
    const one = await evaluateImages(s, { dir, set: 'test', from: 3, count: 97, workers: 1 });
    const two = await evaluateImages(s, { dir, set: 'test', from: 3, count: 97, workers: 2 });
    expect(two.predicted).toEqual(one.predicted);
    expect(two.outputs).toEqual(one.outputs);
    expect(two.tally).toEqual(one.tally);
    const a = await cli('eval', 'scenarios/irmen-dual-cenn.yaml', '--mnist', dir, '--images', '83', '--json', '--workers', '1');
    const b = await cli('eval', 'scenarios/irmen-dual-cenn.yaml', '--mnist', dir, '--images', '83', '--json', '--workers', '2');
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
    const report = JSON.parse(a.out) as { images: number; accuracy: { images: number; ci95: number[] }; confusion: number[][]; figures: { transfer_error_mean: number }; first_image: { latency_ps: number; energy_j: number } };
    expect(report.images).toBe(83);
    expect(report.accuracy.images).toBe(83);
    expect(report.confusion.flat().reduce((x, y) => x + y, 0)).toBe(83);
    expect(report.first_image.latency_ps).toBe(42_000);
    expect(report.figures.transfer_error_mean).toBeGreaterThan(0);
  });

  it('reports a class per image and accuracy with its interval from run, and none without labels', async () => {
    const r = JSON.parse((await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--mnist', dir, '--images', '3', '--json')).out) as {
      per_image: { predicted: number; correct: boolean; label: number; outputs: number[] }[];
      accuracy: { images: number; ci95: [number, number] };
      confusion: number[][];
    };
    expect(r.per_image.map((p) => p.correct)).toEqual(r.per_image.map((p) => p.predicted === p.label));
    expect(r.per_image[0]!.outputs).toHaveLength(10);
    expect(r.accuracy.images).toBe(3);
    expect(r.accuracy.ci95[0]).toBeLessThan(r.accuracy.ci95[1]);
    expect(r.confusion).toHaveLength(10);
  });
});
