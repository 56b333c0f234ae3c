import { Piscina } from 'piscina';
import type { Scenario } from '../arch/scenario.js';
import type { MnistSetName } from '../data/mnist.js';
import { workerModule } from '../workers/threads.js';
import { evaluateChunk, type ChunkResult, type ChunkTask } from './chunk.js';

/** Images per task. Fixed, so chunk boundaries (and sums over them) do not depend on the number of workers. */
export const CHUNK = 100;

export interface EvalOptions {
  readonly dir: string;
  readonly set: MnistSetName;
  readonly from: number;
  readonly count: number;
  /** Worker threads (1 runs in this thread). */
  readonly workers: number;
  /** The network in plain arithmetic instead of the hardware (see plainModel). */
  readonly plain?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Every image's class and scores, in order, and the model's running sums over all of them. */
export interface EvalOutcome {
  readonly predicted: Int32Array;
  readonly outputs: Float64Array;
  readonly classes: number;
  readonly tally: Readonly<Record<string, readonly [number, number]>>;
}

export { defaultWorkers } from '../workers/threads.js';

/** Joins chunk results in chunk order (so the sums are added in the same order whatever ran them). */
function merge(results: readonly ChunkResult[], count: number): EvalOutcome {
  const classes = results[0]?.classes ?? 0;
  const predicted = new Int32Array(count);
  const outputs = new Float64Array(count * classes);
  const tally: Record<string, [number, number]> = {};
  results.forEach((r, n) => {
    predicted.set(r.predicted, n * CHUNK);
    outputs.set(r.outputs, n * CHUNK * classes);
    for (const [k, [sum, c]] of Object.entries(r.tally)) {
      const t = (tally[k] ??= [0, 0]);
      t[0] += sum;
      t[1] += c;
    }
  });
  return { predicted, outputs, classes, tally };
}

/**
 * Evaluates `count` images from `from` with the scenario's functional model, in chunks of
 * CHUNK images spread over worker threads (piscina). The outcome is the same, byte for byte,
 * for any number of workers: every image draws from its own streams, and chunks are merged
 * in order.
 */
export async function evaluateImages(scenario: Scenario, o: EvalOptions): Promise<EvalOutcome> {
  const tasks: ChunkTask[] = [];
  for (let from = o.from; from < o.from + o.count; from += CHUNK) {
    tasks.push({ raw: scenario.raw, dir: o.dir, set: o.set, from, count: Math.min(CHUNK, o.from + o.count - from), ...(o.plain === true ? { plain: true } : {}) });
  }
  let done = 0;
  const finished = (r: ChunkResult): ChunkResult => {
    done += r.predicted.length;
    o.onProgress?.(done, o.count);
    return r;
  };
  if (o.workers <= 1 || tasks.length === 1) return merge(tasks.map((t) => finished(evaluateChunk(t))), o.count);
  const pool = new Piscina<ChunkTask, ChunkResult>({ filename: workerModule('src/eval/worker.js'), maxThreads: Math.min(o.workers, tasks.length), minThreads: 1 });
  try {
    return merge(await Promise.all(tasks.map(async (t) => finished(await pool.run(t)))), o.count);
  } finally {
    await pool.destroy();
  }
}
