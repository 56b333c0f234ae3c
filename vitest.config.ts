import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Timing is measured in bench/, never in tests; this only guards against hangs.
    testTimeout: 60_000,
  },
});
