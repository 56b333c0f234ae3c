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

/**
 * What `npm start` compares: every bundled scenario, with the MAAP-CNN provisioned for the
 * charge CeNN's parallelism beside the bundled one, so latency is compared like with like.
 */
export function mainJobScenarios(): string[] {
  const files = bundledScenarios();
  const at = files.findIndex((f) => path.basename(f) === 'maap-cnn-4bit.yaml');
  files.splice(at + 1, 0, path.join(projectRoot(), 'scenarios', 'variants', 'maap-cnn-4bit-parallel.yaml'));
  return files;
}
