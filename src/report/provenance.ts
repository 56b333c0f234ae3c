import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deviceTableFiles } from '../arch/device-tables.js';
import { onnxWeightsOf, weightsFileOf, type Scenario } from '../arch/scenario.js';
import { loadMnist } from '../data/mnist.js';
import { spinarchVersion } from '../data/project.js';
import { displayPath } from '../scenario/load.js';

/** A file a report was made from, by its content. */
export interface FileHash {
  readonly file: string;
  readonly sha256: string;
}

export const sha256Of = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

const hashed = (file: string): FileHash => ({ file: displayPath(file), sha256: sha256Of(file) });

/** What one scenario was made of: its files (itself, what it extends, its device tables), its seed, and its weights with their provenance. */
export interface ScenarioProvenance {
  readonly scenario: string;
  readonly files: readonly FileHash[];
  readonly seed: string | number;
  readonly chip: number;
  readonly weights: { readonly kind: 'random' } | { readonly kind: 'file'; readonly file: FileHash; readonly provenance: Readonly<Record<string, unknown>> };
}

export function scenarioProvenance(scenario: Scenario): ScenarioProvenance {
  const files = new Set<string>([path.resolve(scenario.raw.file)]);
  for (const s of scenario.raw.sources.values()) if (!s.location.file.startsWith('--')) files.add(path.resolve(s.location.file));
  if (scenario.onnx !== undefined) files.add(scenario.onnx.file);
  // Measured device tables are inputs like the scenario itself: named and hashed.
  for (const t of deviceTableFiles(scenario.raw.data)) files.add(path.resolve(t));
  const onnx = onnxWeightsOf(scenario);
  if (onnx !== undefined) {
    const m = scenario.onnx!.imported.model;
    return { scenario: scenario.name, files: [...files].map(hashed), seed: scenario.value.seed, chip: scenario.value.chip ?? 0, weights: { kind: 'file', file: hashed(onnx), provenance: { source: 'onnx', opset: m.opset, ir_version: m.irVersion, producer: m.producer } } };
  }
  const weights = weightsFileOf(scenario);
  let provenance: Record<string, unknown> = {};
  if (weights !== undefined) {
    const w = JSON.parse(readFileSync(weights, 'utf8')) as { provenance?: Record<string, unknown> };
    provenance = w.provenance ?? {};
  }
  return {
    scenario: scenario.name,
    files: [...files].map(hashed),
    seed: scenario.value.seed,
    chip: scenario.value.chip ?? 0,
    weights: weights === undefined ? { kind: 'random' } : { kind: 'file', file: hashed(weights), provenance },
  };
}

/** The MNIST set the accuracy came from, by its files' checksums. */
export interface DataProvenance {
  readonly dir: string;
  readonly set: 'test';
  readonly images: number;
  readonly sha256: { readonly images: string; readonly labels: string | null };
}

export function mnistProvenance(dir: string): DataProvenance {
  const m = loadMnist(dir, 'test');
  return { dir: displayPath(dir), set: 'test', images: m.count, sha256: m.sha256 };
}

/** What a report says it was made with. */
export interface Provenance {
  readonly spinarch: string;
  readonly command: string;
  readonly scenarios: readonly ScenarioProvenance[];
  readonly data?: DataProvenance;
}

export function provenance(command: string, scenarios: readonly Scenario[], data: DataProvenance | undefined): Provenance {
  return { spinarch: spinarchVersion(), command, scenarios: scenarios.map(scenarioProvenance), ...(data === undefined ? {} : { data }) };
}
