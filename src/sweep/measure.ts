import { runScenario } from '../arch/runner.js';
import { scenarioFromRaw } from '../arch/scenario.js';
import { mnistImages } from '../data/images.js';
import { bundledMnistDir } from '../data/mnist.js';
import { chipSpread, evaluateScenario } from '../eval/evaluate.js';
import { ScenarioError } from '../scenario/errors.js';
import type { RawScenario } from '../scenario/load.js';
import { keptMetrics, readMetric } from './metric-path.js';
import type { PartStamp } from './shard.js';
import type { EvalStep, RunStep } from './spec.js';

/** One point to measure, as plain data (it crosses to worker threads and, later, machines). */
export interface PointTask {
  readonly key: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly raw: RawScenario;
  readonly run?: RunStep;
  readonly eval?: EvalStep;
  readonly metrics: readonly string[];
  /** MNIST IDX files for eval and run.mnist; undefined: the copy bundled with spinarch (wherever it runs). */
  readonly mnistDir?: string;
  readonly version: string;
}

/** One line of a results file: a point, and its metrics or why it failed. */
export interface ResultLine {
  readonly key: string;
  readonly point: Readonly<Record<string, unknown>>;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly error?: string;
  readonly spinarch: string;
  /** In a shard's part file: which sweep and settings it was run with (merge checks them). */
  readonly part?: PartStamp;
}

/** A metric that the design's report does not have: a mistake in the sweep, not in the point. */
export interface MissingMetric {
  readonly metric: string;
  readonly at: string;
  readonly known: readonly string[];
  /** The design whose report lacks it (a sweep over scenario files has several). */
  readonly design: string;
}

export interface PointOutcome {
  readonly line: ResultLine;
  readonly missing?: MissingMetric;
}


/**
 * The report a point's metrics are read from: the event-level run report; with eval,
 * `accuracy` and `confusion` and the functional figures (transfer_error_mean) come from the
 * evaluation, and `eval.*` reaches its whole report; with chips, `chips` is their spread
 * (the eval report's). Without run, the cost keys are eval's first image.
 */
async function pointReport(task: PointTask): Promise<Record<string, unknown>> {
  const scenario = scenarioFromRaw(task.raw);
  const dir = task.mnistDir ?? bundledMnistDir();
  // Through JSON, so metrics read what the report's JSON holds (no typed arrays, no undefined).
  const plain = (v: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  const run = task.run === undefined ? undefined : plain(runScenario(scenario, { images: task.run.images, ...(task.run.mnist ? { source: mnistImages(dir, 0, 'test', task.run.images) } : {}) }));
  if (task.eval === undefined) return run ?? {};
  const chips = task.eval.chips;
  const e = await evaluateScenario(scenario, { dir, set: 'test', from: task.eval.from, count: task.eval.images, workers: 1, plain: task.eval.plain, ...(chips === undefined ? {} : { chips }) });
  const { accuracy: _runAccuracy, confusion: _runConfusion, ...cost } = run ?? plain(e.first_image);
  // Asked for chips, a point has their spread even for one chip (sd 0), so every point of the sweep has the same keys.
  const spread = chips === undefined ? undefined : (e.chips ?? (e.accuracy === undefined ? undefined : chipSpread(scenario.value.chip ?? 0, [e.accuracy.rate])));
  return { ...cost, ...e.figures, eval: plain(e), ...(e.accuracy === undefined ? {} : { accuracy: plain(e.accuracy) }), ...(e.confusion === undefined ? {} : { confusion: e.confusion }), ...(spread === undefined ? {} : { chips: plain(spread) }) };
}

/** Runs one point. A failure of the point (its scenario, its run) is its result, not an exception. */
export async function measurePoint(task: PointTask): Promise<PointOutcome> {
  const line = (rest: { metrics: Record<string, unknown> } | { error: string }): ResultLine => ({ key: task.key, point: task.values, ...rest, spinarch: task.version });
  let report: Record<string, unknown>;
  try {
    report = await pointReport(task);
  } catch (error) {
    const message = error instanceof ScenarioError ? error.issues.map((i) => `${i.path === '' ? '' : `${i.path}: `}${i.message}`).join('; ') : error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    return { line: line({ error: message }) };
  }
  const metrics: Record<string, unknown> = {};
  for (const m of keptMetrics(task.metrics, task.eval?.chips !== undefined)) {
    const read = readMetric(report, m);
    if (!read.found) return { line: line({ error: `no metric ${m}` }), missing: { metric: m, at: read.at, known: read.known, design: String(task.raw.data['design'] ?? 'this design') } };
    metrics[m] = read.value;
  }
  return { line: line({ metrics }) };
}
