import type { Sweep } from './load.js';

/** The I-th (1-based) of N disjoint slices of a sweep's points. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** A shard that cannot be read: exit 2. */
export class ShardError extends Error {
  override name = 'ShardError';
}

/**
 * Reads `--shard I/N`, or `--shard N` with I from the batch scheduler: SLURM_ARRAY_TASK_ID
 * (an array written --array=1-N) or Kubernetes' JOB_COMPLETION_INDEX (0 to N-1).
 */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>>): Shard {
  const m = /^\s*(?:(\d+)\s*\/\s*)?(\d+)\s*$/.exec(text);
  if (m === null) throw new ShardError(`--shard ${text}: expected I/N (the I-th of N slices, 1 <= I <= N), or N with the index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX`);
  const count = Number(m[2]);
  let index: number;
  if (m[1] !== undefined) index = Number(m[1]);
  else if (env['SLURM_ARRAY_TASK_ID'] !== undefined) index = Number(env['SLURM_ARRAY_TASK_ID']);
  else if (env['JOB_COMPLETION_INDEX'] !== undefined) index = Number(env['JOB_COMPLETION_INDEX']) + 1;
  else throw new ShardError(`--shard ${text}: which slice? Give I/N, or run it as a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes indexed Job (JOB_COMPLETION_INDEX)`);
  if (!Number.isSafeInteger(count) || count < 1) throw new ShardError(`--shard ${text}: N must be a whole number >= 1`);
  if (!Number.isSafeInteger(index) || index < 1 || index > count) throw new ShardError(`--shard ${text}: slice ${index} is not between 1 and ${count}${m[1] === undefined ? ' (a Slurm array for spinarch runs --array=1-N)' : ''}`);
  return { index, count };
}

/** The points of a shard: every N-th point from the I-th, so each slice gets a share of every axis. Its plots are drawn after the merge. */
export const shardOf = (sweep: Sweep, s: Shard): Sweep => ({ ...sweep, points: sweep.points.filter((p) => p.index % s.count === s.index - 1), plots: [] });
