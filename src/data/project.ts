import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The project root: the nearest folder above this file with spinarch's package.json (works from src/ and dist/). */
export function projectRoot(): string {
  if (root !== undefined) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'spinarch') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the spinarch package root');
    dir = up;
  }
}

/** spinarch's version (package.json), written into weights files and sweep results. */
export function spinarchVersion(): string {
  return (JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
