import { expect } from 'vitest';
import { ACCURACY_CASES, caseCost, loadCase, readAccuracyFile, type AccuracyCase } from '../src/cli/accuracy-figures.js';
import { bundledMnistDir, loadMnist } from '../src/data/mnist.js';
import { evaluateImages } from '../src/eval/pool.js';

/**
 * Re-evaluates a slice of each of `cases` (20 test images, a different slice for each case)
 * and expects the classes, energy and latency docs/accuracy.json stores for it.
 */
export async function expectSlicesReproduced(cases: readonly AccuracyCase[]): Promise<void> {
  const file = readAccuracyFile()!;
  const dir = bundledMnistDir();
  const count = loadMnist(dir, 'test').count;
  for (const c of cases) {
    const n = ACCURACY_CASES.indexOf(c);
    const r = file.results.find((x) => x.id === c.id)!;
    const from = (n * 353) % (count - 20);
    const outcome = await evaluateImages(loadCase(c), { dir, set: 'test', from, count: 20, workers: 1, ...(c.plain === true ? { plain: true } : {}) });
    expect(Array.from(outcome.predicted).join(''), c.id).toBe(r.predictions.slice(from, from + 20));
    const cost = caseCost(c);
    expect(cost.energy_j, c.id).toBe(r.energy_j);
    expect(cost.latency_ps, c.id).toBe(r.latency_ps);
  }
}

/** The ONNX examples' cases (test/readme-examples.test.ts), apart so they run beside the bundled ones. */
export const isExampleCase = (c: AccuracyCase): boolean => c.id.startsWith('examples/');
