import { createHash } from 'node:crypto';
import path from 'node:path';
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
export const shardOf = (sweep: Sweep, s: Shard): Sweep => ({ ...sweep, points: sweep.points.filter((p) => p.index % s.count === s.index - 1), plots: [], part: partStamp(sweep, s) });

/**
 * What a shard's lines carry so that merge can check them: the sweep they are a slice of
 * (its file's name and a fingerprint of all its point keys) and the settings the command
 * line changed (eval and run images), which change every point's key.
 */
export interface PartStamp {
  /** The sweep file's name, as the user would recognise it. */
  readonly of: string;
  /** `I/N`. */
  readonly shard: string;
  /** First 16 hex digits of the SHA-256 of the whole sweep's point keys in order. */
  readonly sweep: string;
  readonly eval_images?: number;
  /** Present only for a sweep evaluated on chips (eval.chips, --eval-chips). */
  readonly eval_chips?: number;
  readonly run_images?: number;
}

/** A fingerprint of a sweep's points: another sweep, changed scenarios or another spinarch give another. */
export const sweepFingerprint = (sweep: Sweep): string => createHash('sha256').update(sweep.points.map((p) => p.key).join('\n')).digest('hex').slice(0, 16);

/** The stamp of a shard of `whole`. */
export const partStamp = (whole: Sweep, s: Shard): PartStamp => ({
  of: path.basename(whole.source),
  shard: `${s.index}/${s.count}`,
  sweep: sweepFingerprint(whole),
  ...(whole.eval === undefined ? {} : { eval_images: whole.eval.images }),
  ...(whole.eval?.chips === undefined ? {} : { eval_chips: whole.eval.chips }),
  ...(whole.run === undefined ? {} : { run_images: whole.run.images }),
});

/** A stamp read from a file, or undefined if it is not one (a file is never trusted). */
export function readPartStamp(v: unknown): PartStamp | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  const count = (x: unknown): boolean => x === undefined || (typeof x === 'number' && Number.isSafeInteger(x) && x >= 1);
  if (typeof r['of'] !== 'string' || typeof r['shard'] !== 'string' || typeof r['sweep'] !== 'string' || !count(r['eval_images']) || !count(r['eval_chips']) || !count(r['run_images'])) return undefined;
  return {
    of: r['of'],
    shard: r['shard'],
    sweep: r['sweep'],
    ...(r['eval_images'] === undefined ? {} : { eval_images: r['eval_images'] as number }),
    ...(r['eval_chips'] === undefined ? {} : { eval_chips: r['eval_chips'] as number }),
    ...(r['run_images'] === undefined ? {} : { run_images: r['run_images'] as number }),
  };
}
