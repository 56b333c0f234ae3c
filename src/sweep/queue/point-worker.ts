import { UnrecoverableError, Worker } from 'bullmq';
import { Piscina } from 'piscina';
import { spinarchVersion } from '../../data/project.js';
import { ScenarioError } from '../../scenario/errors.js';
import { workerModule } from '../../workers/threads.js';
import type { PointOutcome, PointTask } from '../measure.js';
import { taskKey } from '../point-key.js';
import type { QueueAddress } from './connection.js';
import { readyOrExplain } from './queue-engine.js';
import { fromWire, type WireTask } from './wire.js';

export interface PointWorkerOptions {
  readonly address: QueueAddress;
  /** Points at once, each on its own thread. */
  readonly concurrency: number;
  /**
   * How long a worker holds a point without renewing its lock (ms). A worker killed in the
   * middle of a point stops renewing; after this long BullMQ's stalled-job check gives the
   * point to another worker.
   */
  readonly lockMs: number;
  readonly onEvent?: (text: string) => void;
  /** Stops the worker (after the points it holds) when aborted. */
  readonly signal: AbortSignal;
}

/** Times a point may be recovered from a worker that died holding it before it counts as failed. */
export const MAX_STALLED = 2;

/**
 * Refuses a point this worker would not compute as the coordinator asked: another spinarch
 * version, or other scenario, weights or MNIST files give another key.
 */
function checkSameInputs(task: PointTask, version: string): void {
  let key: string;
  try {
    key = taskKey(task, version);
  } catch (error) {
    const why = error instanceof ScenarioError ? error.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : (error as Error).message;
    throw new UnrecoverableError(`this worker (spinarch ${version}, in ${process.cwd()}) cannot build point ${task.key}: ${why}`);
  }
  if (key !== task.key) {
    throw new UnrecoverableError(
      `this worker (spinarch ${version}, in ${process.cwd()}) computes key ${key} for point ${task.key}: its spinarch version, or the scenario, weights or MNIST files it reads, differ from the coordinator's (start workers from the same spinarch, in a folder where the sweep's files resolve to the same ones)`,
    );
  }
}

/**
 * `spinarch worker`: takes points from the queue and measures each on a thread of its own
 * (so this thread stays free to renew the points' locks), until stopped.
 */
export async function runPointWorker(o: PointWorkerOptions): Promise<{ done: number; refused: number }> {
  const version = spinarchVersion();
  const pool = new Piscina<PointTask, PointOutcome>({ filename: workerModule('src/sweep/worker.js'), maxThreads: o.concurrency, minThreads: 1 });
  let done = 0;
  let refused = 0;
  const worker = new Worker<WireTask, PointOutcome>(
    o.address.name,
    async (job) => {
      const task = fromWire(job.data);
      checkSameInputs(task, version);
      return pool.run(task);
    },
    { connection: o.address.connection, concurrency: o.concurrency, lockDuration: o.lockMs, stalledInterval: o.lockMs, maxStalledCount: MAX_STALLED, autorun: false },
  );
  worker.on('error', () => undefined);
  worker.on('completed', (job) => {
    done++;
    o.onEvent?.(`point ${job.id ?? '?'} done${job.returnvalue.line.error === undefined ? '' : ` (it failed: ${job.returnvalue.line.error})`}`);
  });
  worker.on('failed', (job, error) => {
    if (error instanceof UnrecoverableError || error.name === 'UnrecoverableError') refused++;
    o.onEvent?.(`point ${job?.id ?? '?'}: ${error.message}`);
  });
  try {
    await readyOrExplain(worker, o.address, 5000);
    o.onEvent?.(`waiting for points on ${o.address.shown}, queue ${o.address.name} (${o.concurrency} at a time)`);
    const running = worker.run();
    await new Promise<void>((resolve) => (o.signal.aborted ? resolve() : o.signal.addEventListener('abort', () => resolve(), { once: true })));
    await worker.close();
    await running;
  } finally {
    await worker.close().catch(() => undefined);
    await pool.destroy();
  }
  return { done, refused };
}
