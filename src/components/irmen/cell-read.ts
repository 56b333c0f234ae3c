import { saturatedLinear } from '../cenn/template.js';
import type { RandomStream } from '../random.js';
import type { CellDynamicsParams } from './cell-dynamics.js';

/** Readout mean and standard deviation against the stored state, on an even grid over [-1, 1] (from the LLG solver). */
export interface ReadTable {
  readonly mean: Float64Array;
  readonly sd: Float64Array;
}

/**
 * How a cell's readout relates to its stored state: the closed form (the state plus the
 * equipartition spread of the hard-axis magnetization), or a table the LLG macrospin gave.
 */
export type CellRead = { readonly kind: 'analytic'; readonly spread: number } | { readonly kind: 'llg'; readonly table: ReadTable; readonly scale: number; readonly cell: CellDynamicsParams };

/** One readout of a cell holding `state`: one normal draw from the bank's stream. */
export function readCell(read: CellRead, state: number, rng: RandomStream): number {
  if (read.kind === 'analytic') return saturatedLinear(state + rng.normal(0, read.spread));
  const { mean, sd } = read.table;
  const last = mean.length - 1;
  const x = ((saturatedLinear(state) + 1) / 2) * last;
  const i = Math.min(last - 1, Math.floor(x));
  const f = x - i;
  const m = mean[i]! + f * (mean[i + 1]! - mean[i]!);
  const s = sd[i]! + f * (sd[i + 1]! - sd[i]!);
  return saturatedLinear(m + read.scale * s * rng.normal());
}
