import { describe, it } from 'vitest';
import { ACCURACY_CASES } from '../src/cli/accuracy-figures.js';
import { expectSlicesReproduced, isExampleCase } from './accuracy-slices.js';

// The README's examples table (docs/accuracy.json's example cases), checked beside the README's
// other cases so the two run on different workers (mtj-mlp's cell programming takes most of it).
describe('docs/accuracy.json: the ONNX examples', () => {
  it('a slice of each example case re-evaluated now gives the stored classes and energy', async () => {
    await expectSlicesReproduced(ACCURACY_CASES.filter(isExampleCase));
  }, 300_000);
});
