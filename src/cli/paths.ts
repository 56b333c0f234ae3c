import { readdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../data/project.js';

export { projectRoot };

/** The scenarios that ship with spinarch (`scenarios/variants` for the variants), in name order (4bit before 32bit) (files starting with '_' are bases, not run on their own). */
export function bundledScenarios(folder = 'scenarios'): string[] {
  const dir = path.join(projectRoot(), folder);
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('_'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((f) => path.join(dir, f));
}
