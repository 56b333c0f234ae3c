import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { scenarioFromRaw, weightsSourceFileOf, type Scenario } from '../arch/scenario.js';
import { withTableDigests } from '../arch/device-tables.js';
import { bundledMnistDir, loadMnist } from '../data/mnist.js';
import type { PointTask } from './measure.js';
import { keptMetrics } from './metric-path.js';
import type { EvalStep, RunStep } from './spec.js';

/** JSON with keys sorted at every depth: the same value, the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** What a point's result depends on: the resolved scenario, what is run, the data, spinarch's version. */
export interface PointIdentity {
  readonly scenario: Scenario;
  readonly run?: RunStep;
  readonly eval?: EvalStep;
  /** SHA-256 of the MNIST images the point reads, if it reads any. */
  readonly data?: string;
  readonly version: string;
  /** The metrics the point keeps: the area table is part of the key only if one of them reads it. */
  readonly metrics: readonly string[];
}

/** Report keys computed from the scenario's area table (and only those). */
const AREA_METRIC = /^(area_m2|area_breakdown|area_by_class|classifier_area_m2|energy_delay_area_product|images_per_s_per_mm2|energy_per_image_per_mm2_j)(\b|$)/;

/** Whether any of the metrics reads the area table. */
export const readsArea = (metrics: readonly string[]): boolean => metrics.some((m) => AREA_METRIC.test(m));

/**
 * The scenario as a point's key sees it. The area table (params.area) feeds no simulation:
 * only the area figures read it, so it is left out of the key unless the point keeps one of
 * them. Results measured before area existed keep their keys, and a changed area table never
 * leaves a stored area figure stale.
 */
function keyedScenario(value: Scenario['value'], metrics: readonly string[]): Scenario['value'] {
  if (readsArea(metrics)) return value;
  const params = (value as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null || !('area' in params)) return value;
  const { area: _area, ...rest } = params as Record<string, unknown>;
  return { ...value, params: rest } as Scenario['value'];
}

/**
 * A point's key: a hash of its validated scenario (units resolved, so `17 nm` and `1.7e-8 m`
 * are the same point; a weights file and a device table by their content, not their names), what runs at it, the data
 * and spinarch's version. 16 hex digits: a clash among a sweep's points is checked, not hoped away.
 */
export function pointKey(p: PointIdentity): string {
  // The weights by their content: a weights file's, or the ONNX model's they come from.
  const weights = weightsSourceFileOf(p.scenario);
  const value = { ...keyedScenario(withTableDigests(p.scenario.value), p.metrics), weights: weights === undefined ? 'random' : { sha256: sha256(readFileSync(weights)) } };
  return sha256(canonicalJson({ spinarch: p.version, scenario: value, run: p.run, eval: p.eval, data: p.data })).slice(0, 16);
}

/** The MNIST images a point reads, by their SHA-256; undefined if it reads none. */
export const dataOf = (task: Pick<PointTask, 'run' | 'eval' | 'mnistDir'>): string | undefined =>
  task.eval !== undefined || task.run?.mnist === true ? loadMnist(task.mnistDir ?? bundledMnistDir(), 'test').sha256.images : undefined;

/**
 * A task's key as this process computes it, from its own spinarch and files: a worker
 * checks it against the key the coordinator filed the task under.
 */
export function taskKey(task: PointTask, version: string): string {
  const data = dataOf(task);
  return pointKey({ scenario: scenarioFromRaw(task.raw), metrics: keptMetrics(task.metrics, task.eval?.chips !== undefined), ...(task.run === undefined ? {} : { run: task.run }), ...(task.eval === undefined ? {} : { eval: task.eval }), ...(data === undefined ? {} : { data }), version });
}
