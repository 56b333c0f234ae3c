import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that take the longest on a machine with an empty cache (the README's case re-evaluation
 * computes the LLG tables; npm start runs every scenario): started first, so the two workers
 * finish together instead of one waiting on a long file picked up last. Vitest's own order
 * (larger files first) knows nothing of this on a fresh clone. npm start (compare) comes a
 * minute after the README's figures, which calibrate the 9,216-set MAAP chip and cache it.
 */
const LONG_FIRST = ['readme.test.ts', 'readme-examples.test.ts', 'irmen-device.test.ts', 'maap-cnn.test.ts', 'compare.test.ts', 'fuzz.test.ts', 'chips.test.ts'];

class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = LONG_FIRST.findIndex((name) => f.moduleId.endsWith(`/${name}`));
      return i === -1 ? LONG_FIRST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two files at a time: most tests are single-threaded, and CI machines have two cores.
    maxWorkers: 2,
    sequence: { sequencer: LongFirst },
    // Timing is measured in bench/, never in tests; this only guards against hangs.
    testTimeout: 60_000,
  },
});
