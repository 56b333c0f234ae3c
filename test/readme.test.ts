import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { figuresMarkdown, publishedFigures } from '../src/cli/figures.js';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('shows the published figures as spinarch computes them today', () => {
    const block = /<!-- figures:begin -->\n([\s\S]*?)<!-- figures:end -->/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(figuresMarkdown(publishedFigures()));
  });

  it('gives the two quick-start commands, and CI runs the same test command', () => {
    expect(readme).toContain('npm ci && npm start\nnpm test\n');
    expect(readFileSync('.ci/run', 'utf8')).toMatch(/^npm ci$[\s\S]*^npm test$/m);
  });
});
