import { Queue, type Job } from 'bullmq';
import type { PointOutcome } from '../measure.js';
import type { SweepEngine } from '../run-sweep.js';
import type { QueueAddress } from './connection.js';
import { QueueUsageError } from './queue-error.js';
import { toWire, type WireTask } from './wire.js';

/** Attempts at a point whose worker crashed or threw (a point that fails for its scenario's sake completes, with its error). */
export const POINT_ATTEMPTS = 3;

export interface QueueEngineOptions {
  readonly address: QueueAddress;
  /** How often to look for finished points (ms). */
  readonly pollMs?: number;
  /** How long to wait for Redis at the start before saying it cannot be reached (ms). */
  readonly connectMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a queue's connection, or says plainly that Redis is not there. */
export async function readyOrExplain(queue: { waitUntilReady(): Promise<unknown> }, address: QueueAddress, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.waitUntilReady(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new QueueUsageError(`cannot reach Redis at ${address.shown} (waited ${ms / 1000} s): is redis-server running there?`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Points measured by `spinarch worker` processes anywhere, through a BullMQ queue on Redis.
 * Each point is a job whose id is its key, so enqueueing again adds nothing, and a
 * coordinator started again finds the points done while it was away. Finished jobs stay in
 * Redis until their result is in the results file, then are removed.
 */
export function queueEngine(o: QueueEngineOptions): SweepEngine {
  return async (tasks, deliver) => {
    const queue = new Queue<WireTask, PointOutcome>(o.address.name, { connection: o.address.connection });
    // A connection error is retried by ioredis; the first wait says what is wrong.
    queue.on('error', () => undefined);
    try {
      await readyOrExplain(queue, o.address, o.connectMs ?? 5000);
      const pending = new Map(tasks.map((t) => [t.key, t]));
      const enqueue = (ts: readonly (typeof tasks)[number][]) =>
        queue.addBulk(ts.map((t) => ({ name: 'point', data: toWire(t), opts: { jobId: t.key, attempts: POINT_ATTEMPTS, removeOnComplete: false, removeOnFail: false } })));
      await enqueue(tasks);
      let idle = 0;
      while (pending.size > 0) {
        let progressed = false;
        const take = async (job: Job<WireTask, PointOutcome> | undefined, outcome: (job: Job<WireTask, PointOutcome>) => PointOutcome): Promise<boolean> => {
          if (job?.id === undefined || !pending.has(job.id)) return true;
          pending.delete(job.id);
          progressed = true;
          const go = deliver(outcome(job));
          // Only once its result is filed: a coordinator killed in between finds the job again.
          await job.remove().catch(() => undefined);
          return go;
        };
        for (const job of await queue.getJobs(['completed'])) {
          if (!(await take(job, (j) => j.returnvalue))) return withdraw(queue, pending.keys());
        }
        for (const job of await queue.getJobs(['failed'])) {
          const task = job.id === undefined ? undefined : pending.get(job.id);
          if (task === undefined) continue;
          if (!(await take(job, (j) => ({ line: { key: task.key, point: task.values, error: `worker: ${j.failedReason}`, spinarch: task.version } })))) return withdraw(queue, pending.keys());
        }
        if (!progressed && ++idle % 40 === 0) {
          // A job that vanished (removed by hand, or lost by a Redis without its append-only file) is added again.
          const lost: (typeof tasks)[number][] = [];
          for (const [key, task] of pending) if ((await queue.getJob(key)) === undefined) lost.push(task);
          if (lost.length > 0) await enqueue(lost);
        }
        if (progressed) idle = 0;
        else await sleep(o.pollMs ?? 200);
      }
    } finally {
      await queue.close();
    }
  };
}

/** Takes back the points not started yet (a mistake in the sweep: every point would repeat it). */
async function withdraw(queue: Queue<WireTask, PointOutcome>, keys: Iterable<string>): Promise<void> {
  for (const key of keys) await (await queue.getJob(key))?.remove().catch(() => undefined);
}
