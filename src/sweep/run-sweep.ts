import { setMaxListeners } from 'node:events';
import { Piscina } from 'piscina';
import { ScenarioError } from '../scenario/errors.js';
import { locate } from '../scenario/load.js';
import { suggest } from '../scenario/schema-walk.js';
import { workerModule } from '../workers/threads.js';
import type { Sweep, SweepPoint } from './load.js';
import { measurePoint, type MissingMetric, type PointOutcome, type PointTask, type ResultLine } from './measure.js';
import { keptMetrics } from './metric-path.js';
import { lockResults } from './lock.js';
import { ResultsAppender, readResults, rewriteResults } from './results-file.js';

export interface SweepProgress {
  readonly done: number;
  readonly failed: number;
  readonly total: number;
}

/**
 * What measures a sweep's points: worker threads here (threadEngine), or workers anywhere
 * through a queue. It hands each outcome to `deliver` as it comes, and stops early when
 * `deliver` returns false (a mistake in the sweep that every point would repeat).
 */
export type SweepEngine = (tasks: readonly PointTask[], deliver: (outcome: PointOutcome) => boolean) => Promise<void>;

/** Points measured on `workers` threads of this process, each point in one thread (in this one for 1). */
export function threadEngine(workers: number): SweepEngine {
  return async (tasks, deliver) => {
    if (workers <= 1 || tasks.length <= 1) {
      for (const t of tasks) if (!deliver(await measurePoint(t))) return;
      return;
    }
    const pool = new Piscina<PointTask, PointOutcome>({ filename: workerModule('src/sweep/worker.js'), maxThreads: Math.min(workers, tasks.length), minThreads: 1 });
    try {
      const abort = new AbortController();
      // Every queued point listens for the abort.
      setMaxListeners(tasks.length + 1, abort.signal);
      await Promise.all(
        tasks.map(async (t) => {
          try {
            if (!deliver(await pool.run(t, { signal: abort.signal }))) abort.abort();
          } catch (error) {
            if (!abort.signal.aborted) throw error;
          }
        }),
      );
    } finally {
      await pool.destroy();
    }
  };
}

export interface SweepRunOptions {
  /** Points run at once, each on its own thread (1: all in this thread); for the default engine. */
  readonly workers: number;
  /** What measures the points (default: threadEngine(workers)). */
  readonly engine?: SweepEngine;
  /** Run again the points whose line records a failure. */
  readonly retryFailed?: boolean;
  readonly onProgress?: (p: SweepProgress) => void;
  /** What a user should know about the results file (a torn last line cut off, damaged lines). */
  readonly onNotice?: (text: string) => void;
}

export interface SweepOutcome {
  /** This sweep's results, in the order of its points. */
  readonly lines: readonly ResultLine[];
  /** Points found done in the results file. */
  readonly kept: number;
  /** Points run now. */
  readonly ran: number;
  readonly failed: number;
  /** Lines of the file for points this sweep does not have (kept at its end). */
  readonly foreign: number;
}

/** The task that measures a point. */
export const pointTask = (sweep: Sweep, p: SweepPoint): PointTask => ({
  key: p.key,
  values: p.values,
  raw: p.raw,
  ...(sweep.run === undefined ? {} : { run: sweep.run }),
  ...(sweep.eval === undefined ? {} : { eval: sweep.eval }),
  metrics: sweep.spec.metrics,
  ...(sweep.mnistDir === undefined ? {} : { mnistDir: sweep.mnistDir }),
  version: sweep.version,
});

/** Whether a line already holds what the sweep asks of its point. */
function done(line: ResultLine | undefined, metrics: readonly string[], retryFailed: boolean): boolean {
  if (line === undefined) return false;
  if (line.error !== undefined) return !retryFailed;
  return metrics.every((m) => line.metrics !== undefined && Object.hasOwn(line.metrics, m));
}

/** A metric the design's report does not have, said at the sweep's `metrics` entry. */
function metricError(sweep: Sweep, missing: MissingMetric): ScenarioError {
  const i = sweep.spec.metrics.indexOf(missing.metric);
  const hint = missing.known.length === 0 ? '' : `; there: ${missing.known.slice(0, 30).join(', ')}${missing.known.length > 30 ? ', ...' : ''}${suggest(missing.at.split(/[.[]/).pop() ?? '', missing.known)}`;
  const at = i >= 0 ? ['metrics', i] : ['metrics'];
  return new ScenarioError([{ location: locate(sweep.written, at), path: i >= 0 ? `metrics[${i}]` : 'metrics', message: `the report of ${missing.design} has no '${missing.at}'${hint}` }]);
}

/**
 * Runs a sweep's missing points on worker threads and files each result in the results file
 * as it finishes; then rewrites the file in the sweep's order, so it ends the same, byte for
 * byte, whatever the number of workers and however often the sweep was interrupted.
 */
export async function runSweep(sweep: Sweep, o: SweepRunOptions): Promise<SweepOutcome> {
  const release = lockResults(sweep.out);
  try {
    const before = readResults(sweep.out);
    if (before.partialTail) o.onNotice?.(`${sweep.out}: its last line was half-written (a sweep killed while writing it); that point runs again`);
    if (before.damaged.length > 0) o.onNotice?.(`${sweep.out}: line${before.damaged.length === 1 ? '' : 's'} ${before.damaged.join(', ')} ${before.damaged.length === 1 ? 'is' : 'are'} not results and will be dropped`);
    const byKey = new Map(before.lines.map((l) => [l.key, l]));
    const metrics = keptMetrics(sweep.spec.metrics, sweep.eval?.chips !== undefined);
    // A shard's lines say which sweep and settings they were run with, for merge.
    const stamped = (l: ResultLine): ResultLine => (sweep.part === undefined ? l : { ...l, part: sweep.part });
    const todo = sweep.points.filter((p) => !done(byKey.get(p.key), metrics, o.retryFailed === true));
    const kept = sweep.points.length - todo.length;
    let finished = 0;
    let failed = 0;
    o.onProgress?.({ done: 0, failed: 0, total: todo.length });
    const appender = new ResultsAppender(sweep.out, before.goodBytes);
    let missing: MissingMetric | undefined;
    const file = (outcome: PointOutcome): void => {
      if (outcome.missing !== undefined) {
        missing ??= outcome.missing;
        return;
      }
      const line = stamped(outcome.line);
      appender.append(line);
      byKey.set(line.key, line);
      finished++;
      if (outcome.line.error !== undefined) failed++;
      o.onProgress?.({ done: finished, failed, total: todo.length });
    };
    try {
      await (o.engine ?? threadEngine(o.workers))(
        todo.map((p) => pointTask(sweep, p)),
        (outcome) => {
          file(outcome);
          return missing === undefined;
        },
      );
    } finally {
      appender.close();
    }
    if (missing !== undefined) throw metricError(sweep, missing);
    const inSweep = new Set(sweep.points.map((p) => p.key));
    const ordered = sweep.points.map((p) => byKey.get(p.key)).filter((l): l is ResultLine => l !== undefined).map(stamped);
    const foreign = [...byKey.values()].filter((l) => !inSweep.has(l.key));
    rewriteResults(sweep.out, [...ordered, ...foreign]);
    return { lines: ordered, kept, ran: finished, failed: ordered.filter((l) => l.error !== undefined).length, foreign: foreign.length };
  } finally {
    release();
  }
}
