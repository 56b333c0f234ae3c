import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeBlocks } from '../src/cli/figures.js';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('shows the published figures and the MAAP latency sweep as spinarch computes them today', () => {
    for (const [name, table] of Object.entries(readmeBlocks())) {
      const block = new RegExp(`<!-- ${name}:begin -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(readme);
      expect(block, `README block ${name}`).not.toBeNull();
      expect(block![1]).toBe(table);
    }
  });

  it('gives the two quick-start commands, and CI runs the same test command', () => {
    expect(readme).toContain('npm ci && npm start\nnpm test\n');
    expect(readFileSync('.ci/run', 'utf8')).toMatch(/^npm ci$[\s\S]*^npm test$/m);
  });
});
