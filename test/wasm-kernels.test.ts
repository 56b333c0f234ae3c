import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script, without types
import { KERNELS, kernelModule } from '../scripts/build-wasm.mjs';

describe('WebAssembly kernels', () => {
  it('are committed as what their text assembles to (npm run build:wasm after editing a .wat)', async () => {
    const kernels = KERNELS as readonly { wat: string; module: string }[];
    expect(kernels.length).toBeGreaterThan(0);
    for (const k of kernels) expect(readFileSync(k.module, 'utf8'), `${k.module} is stale: npm run build:wasm`).toBe(await (kernelModule as (wat: string) => Promise<string>)(k.wat));
  });
});
