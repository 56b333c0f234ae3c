import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this file with spinarch's package.json (works from src/ and dist/). */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'spinarch') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the spinarch package root');
    dir = up;
  }
}

/** The scenarios that ship with spinarch, in name order (4bit before 32bit) (files starting with '_' are bases, not run on their own). */
export function bundledScenarios(): string[] {
  const dir = path.join(projectRoot(), 'scenarios');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('_'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((f) => path.join(dir, f));
}
