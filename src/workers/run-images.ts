import { Piscina } from 'piscina';
import { RunError, Simulation, checkInputFits, defaultSource, joinRuns, type ImagesRun } from '../arch/runner.js';
import type { RunReport } from '../arch/report.js';
import type { Scenario } from '../arch/scenario.js';
import type { ImageSource } from '../data/images.js';
import type { ImageChunk } from './image-chunk.js';
import { workerModule, yieldToEvents } from './threads.js';

export interface SpreadOptions {
  readonly images: number;
  readonly source?: ImageSource;
  /** Threads to use, this one included (1: all images here). */
  readonly workers: number;
  /**
   * Seconds now (the CLI's clock): with it, the first image is timed, and a run that would
   * take less than `minSeconds` more stays in this thread. Without, threads are used whenever
   * there are workers and images to spread.
   */
  readonly now?: () => number;
  readonly minSeconds?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Chunks small enough to keep every thread busy to the end, large enough to send few messages. */
const chunkSize = (images: number, workers: number): number => Math.max(1, Math.min(25, Math.ceil(images / (workers * 8))));

/**
 * Runs a scenario's images on several threads: this one (which also builds the design, sets
 * it up, and runs the first image) and `workers - 1` worker threads (piscina), each with
 * its own copy of the design on its own kernel. Threads take chunks of consecutive images
 * from one queue; the chunks' results are joined in image order. An image's results depend
 * only on the scenario, the seed, its index and its pixels (noise streams are keyed by
 * image, device variation by component, and every image starts on the design's frame), so
 * the report is the same, byte for byte, for any number of workers.
 */
export async function runSpread(scenario: Scenario, o: SpreadOptions): Promise<RunReport> {
  const count = o.images;
  if (!Number.isSafeInteger(count) || count < 1) throw new RunError(`images must be a whole number >= 1, got ${count}`);
  const source = o.source ?? defaultSource(scenario);
  checkInputFits(scenario, source);
  const simulation = new Simulation(scenario);
  let done = 0;
  const progress = (run: ImagesRun): ImagesRun => {
    done += run.images.length;
    o.onProgress?.(done, count);
    return run;
  };
  const t0 = o.now?.();
  const runs: ImagesRun[] = [progress(simulation.runImages(source, 0, 1))];
  const perImage = t0 === undefined || o.now === undefined ? Infinity : o.now() - t0;
  const rest = count - 1;
  const threads = Math.min(o.workers - 1, rest);
  if (rest === 0) return simulation.report(runs[0]!, source.description);
  if (threads < 1 || source.spec === undefined || perImage * rest < (o.minSeconds ?? 0)) {
    runs.push(progress(simulation.runImages(source, 1, rest)));
    return simulation.report(joinRuns(runs), source.description);
  }
  const size = chunkSize(rest, o.workers);
  const chunks: ImageChunk[] = [];
  for (let from = 1; from < count; from += size) chunks.push({ raw: scenario.raw, source: source.spec, from, count: Math.min(size, count - from) });
  const results: ImagesRun[] = new Array<ImagesRun>(chunks.length);
  let next = 0;
  const pool = new Piscina<ImageChunk, ImagesRun>({ filename: workerModule('src/workers/run-worker.js'), minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
  try {
    const thread = async (): Promise<void> => {
      while (next < chunks.length) {
        const i = next++;
        results[i] = progress(await pool.run(chunks[i]!));
      }
    };
    const threadsDone = Promise.all(Array.from({ length: threads }, thread));
    // Seen here if this thread fails first; still rethrown by the await below otherwise.
    threadsDone.catch(() => undefined);
    // This thread takes chunks too, yielding after every image so that the other threads'
    // results are taken, and their next chunks sent, without waiting on a whole chunk here.
    while (next < chunks.length) {
      const i = next++;
      const c = chunks[i]!;
      const parts: ImagesRun[] = [];
      for (let k = c.from; k < c.from + c.count; k++) {
        parts.push(progress(simulation.runImages(source, k, 1)));
        await yieldToEvents();
      }
      results[i] = joinRuns(parts);
    }
    await threadsDone;
  } finally {
    await pool.destroy();
  }
  return simulation.report(joinRuns([...runs, ...results]), source.description);
}
