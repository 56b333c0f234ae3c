import { saturatedLinear } from '../cenn/template.js';
import type { RandomStream } from '../random.js';
import { fractionIn, segmentOf } from '../../device-table/interpolate.js';
import type { CellDynamicsParams } from './cell-dynamics.js';
import type { TransferTable } from './transfer-table.js';
import { FIELD_MAX, FIELD_STEP, type ReadPath, type ReadStatistics } from './read-physics.js';

/**
 * What the next cell receives from a cell, against its stored drive (the ME field over the
 * field that saturates the magnet, u) and the drive it held before: mean and standard
 * deviation on a grid of (previous, new) drives over [-span, span], from the LLG macrospin.
 */
export interface HistoryTable {
  readonly span: number;
  /** Grid points along each axis: previous drives (rows) and new drives (columns). */
  readonly previous: number;
  readonly states: number;
  /** mean[row * states + column], sd likewise. */
  readonly mean: Float64Array;
  readonly sd: Float64Array;
}

/**
 * How a cell's read relates to its stored drive. Both are the same read model
 * (read-physics.ts): the magnet's m_x through the readout RC and the next cell's input RC.
 * `analytic` takes the magnet as settled at its drive (Boltzmann statistics, filtered by the
 * read path); `llg` adds the stage's dynamics from the LLG macrospin, starting from the
 * magnet in equilibrium at the cell's previous drive, so a magnet that has not settled
 * carries its history into the read. `table` is the settled read measured (transfer-table.ts):
 * the same mean and spread against the drive, from a CSV table instead of the physics.
 */
export type CellRead =
  | { readonly kind: 'analytic'; readonly stats: ReadStatistics; readonly scale: number }
  | { readonly kind: 'table'; readonly table: TransferTable; readonly scale: number }
  | { readonly kind: 'llg'; readonly table: HistoryTable; readonly scale: number; readonly cell: CellDynamicsParams; readonly path: ReadPath };

/** Linear interpolation of a table row at fractional index x (clamped to the row). */
function lerp(t: Float64Array, base: number, n: number, x: number): number {
  const c = x <= 0 ? 0 : x >= n - 1 ? n - 1 : x;
  const i = Math.min(n - 2, Math.floor(c));
  const f = c - i;
  return t[base + i]! + f * (t[base + i + 1]! - t[base + i]!);
}

/** Mean of what the next cell receives from a settled cell at drive u (odd in u). */
export function settledMean(stats: ReadStatistics, u: number): number {
  const m = lerp(stats.mean, 0, stats.mean.length, Math.min(Math.abs(u), FIELD_MAX) / FIELD_STEP);
  return u < 0 ? -m : m;
}

/** Its standard deviation (even in u). */
export function settledSpread(stats: ReadStatistics, u: number): number {
  return lerp(stats.sd, 0, stats.sd.length, Math.min(Math.abs(u), FIELD_MAX) / FIELD_STEP);
}

/** Mean of a settled read at drive u, from the physics or the measured table. */
export function readMean(read: CellRead, u: number): number {
  if (read.kind === 'table') {
    const { u: xs, mean } = read.table;
    const i = segmentOf(xs, u);
    return mean[i]! + fractionIn(xs, i, u) * (mean[i + 1]! - mean[i]!);
  }
  if (read.kind === 'analytic') return settledMean(read.stats, u);
  throw new Error('the LLG read depends on the previous drive: it has no settled mean');
}

/** Its spread (noise scale included). */
export function readSpread(read: CellRead, u: number): number {
  if (read.kind === 'table') {
    const { u: xs, sd } = read.table;
    const i = segmentOf(xs, u);
    return read.scale * (sd[i]! + fractionIn(xs, i, u) * (sd[i + 1]! - sd[i]!));
  }
  if (read.kind === 'analytic') return read.scale * settledSpread(read.stats, u);
  throw new Error('the LLG read depends on the previous drive: it has no settled spread');
}

/** Whether a read at drive u leaves the measured table's range (read at its edge, and counted). */
export const beyondTable = (read: CellRead, u: number): boolean => read.kind === 'table' && (u < read.table.u[0]! || u > read.table.u[read.table.u.length - 1]!);

/**
 * One read of a cell holding drive `drive` (which held `previous` before): one normal draw
 * from the bank's stream, `scale` times the model's spread about its mean, within
 * the magnet's [-1, 1].
 */
export function readCell(read: CellRead, drive: number, previous: number, rng: RandomStream): number {
  if (read.kind === 'analytic') {
    // settledMean and settledSpread at one index (this runs for every cell of every stage).
    const { mean, sd } = read.stats;
    const a = drive < 0 ? -drive : drive;
    const x = (a >= FIELD_MAX ? FIELD_MAX : a) / FIELD_STEP;
    const i = x >= mean.length - 1 ? mean.length - 2 : Math.floor(x);
    const f = x - i;
    const m = mean[i]! + f * (mean[i + 1]! - mean[i]!);
    const v = (drive < 0 ? -m : m) + read.scale * (sd[i]! + f * (sd[i + 1]! - sd[i]!)) * rng.normal();
    return v > 1 ? 1 : v < -1 ? -1 : v;
  }
  if (read.kind === 'table') {
    const { u: xs, mean, sd } = read.table;
    const i = segmentOf(xs, drive);
    const f = fractionIn(xs, i, drive);
    const v = mean[i]! + f * (mean[i + 1]! - mean[i]!) + read.scale * (sd[i]! + f * (sd[i + 1]! - sd[i]!)) * rng.normal();
    return v > 1 ? 1 : v < -1 ? -1 : v;
  }
  const t = read.table;
  const at = (u: number, n: number): number => ((u + t.span) / (2 * t.span)) * (n - 1);
  const row = at(previous, t.previous);
  const col = at(drive, t.states);
  const r = row <= 0 ? 0 : row >= t.previous - 1 ? t.previous - 1 : row;
  const i = Math.min(t.previous - 2, Math.floor(r));
  const f = r - i;
  const m = (1 - f) * lerp(t.mean, i * t.states, t.states, col) + f * lerp(t.mean, (i + 1) * t.states, t.states, col);
  const s = (1 - f) * lerp(t.sd, i * t.states, t.states, col) + f * lerp(t.sd, (i + 1) * t.states, t.states, col);
  return saturatedLinear(m + read.scale * s * rng.normal());
}
