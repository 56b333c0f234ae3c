import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCURACY_CASES, readAccuracyFile, rescore } from '../src/cli/accuracy-figures.js';
import { expectSlicesReproduced, isExampleCase } from './accuracy-slices.js';
import { readmeBlocks } from '../src/cli/figures.js';
import { bundledMnistDir, loadMnist } from '../src/data/mnist.js';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('shows the published figures, the MAAP latency sweep and the accuracy tables as spinarch computes them today', () => {
    for (const [name, table] of Object.entries(readmeBlocks())) {
      const block = new RegExp(`<!-- ${name}:begin -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(readme);
      expect(block, `README block ${name}`).not.toBeNull();
      expect(block![1]).toBe(table);
      // A value rendered without its shape is a bug in the renderer, not a figure.
      expect(table, `README block ${name}`).not.toMatch(/\[object Object\]|undefined|NaN/);
    }
  });

  it('gives the two quick-start commands, and CI runs the same test command', () => {
    expect(readme).toContain('npm ci && npm start\nnpm test\n');
    expect(readFileSync('.ci/run', 'utf8')).toMatch(/^npm ci$[\s\S]*^npm test$/m);
  });
});

describe('docs/accuracy.json (the accuracy tables)', () => {
  const file = readAccuracyFile();
  const dir = bundledMnistDir();
  const data = loadMnist(dir, 'test');

  it('holds every case the code defines, over the bundled test images, each accuracy recomputed from its classes', () => {
    expect(file).toBeDefined();
    expect(file!.results.map((r) => [r.id, r.file, r.sets, r.plain === true])).toEqual(ACCURACY_CASES.map((c) => [c.id, c.file, c.sets, c.plain === true]));
    expect(file!.test_images_sha256).toBe(data.sha256.images);
    for (const r of file!.results) {
      expect(r.predictions).toMatch(/^[0-9]{10000}$/);
      expect(rescore(r, data.labels!)).toEqual(r.accuracy);
    }
  });

  it('is what the code computes: a slice of every case re-evaluated now gives the stored classes and energy (the examples: readme-examples.test.ts)', async () => {
    await expectSlicesReproduced(ACCURACY_CASES.filter((c) => !isExampleCase(c)));
    // On a machine that has not cached them, the LLG variants' read tables are computed here (about 15 s each).
  }, 300_000);
});
