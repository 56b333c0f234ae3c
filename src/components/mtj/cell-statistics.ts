import { streamFor } from '../random.js';
import { SerialCell, drawMtj } from './serial-mtj.js';
import { rvTableOf, type MultiLevelCellParams } from './synapse-array.js';

/** Monte Carlo statistics of multi-level cells (seed 002, Fig. 2): levels and write voltages. */
export interface CellStatistics {
  readonly mtjs: number;
  readonly cells: number;
  /** Cell levels a pulse between their write voltages did not set (none in Table I's spread). */
  readonly missed_levels: number;
  /** Read resistance of each level over the cells. */
  readonly levels: readonly { readonly level: number; readonly min_ohm: number; readonly max_ohm: number; readonly mean_ohm: number }[];
  /** Every level's range lies above the previous level's: no two neighbours overlap. */
  readonly separated: boolean;
  /** Driver voltage at which the k-th MTJ switches on a rising ramp, over the cells. */
  readonly write_voltages: readonly { readonly step: number; readonly min_v: number; readonly max_v: number }[];
  /** Driver voltage that programs every MTJ of a cell (the last write voltage). */
  readonly program_all_v: { readonly min: number; readonly max: number; readonly mean: number };
}

/**
 * Draws `cells` cells (each MTJ from Table I's distributions, cell k from its own stream),
 * programs each to every level in turn, and reads it. A level is set by a pulse halfway
 * between the write voltages that bound it.
 */
export function cellStatistics(params: MultiLevelCellParams, cells: number, seed: string | number, name: string): CellStatistics {
  const n = params.mtjs;
  const series = params.program.switch_resistance;
  const reads: number[][] = Array.from({ length: n + 1 }, () => []);
  const writes: number[][] = Array.from({ length: n }, () => []);
  let missed = 0;
  const rv = rvTableOf(params);
  for (let k = 0; k < cells; k++) {
    const rng = streamFor(seed, `${name}/cell[${k}]`);
    const cell = new SerialCell(Array.from({ length: n }, () => drawMtj(params.table, rng, rv)));
    const wv = cell.writeVoltages(series);
    wv.forEach((v, i) => writes[i]!.push(v));
    for (let level = 0; level <= n; level++) {
      cell.erase();
      if (level > 0) cell.apply(level < n ? (wv[level - 1]! + wv[level]!) / 2 : wv[n - 1]! + 0.1, series);
      // A pulse between two write voltages that lands on another level (their spread overlaps) is counted, not read.
      if (cell.level !== level) missed++;
      else reads[level]!.push(cell.readResistance(params.read_voltage));
    }
  }
  const levels = reads.map((rs, level) => ({ level, min_ohm: Math.min(...rs), max_ohm: Math.max(...rs), mean_ohm: rs.reduce((a, b) => a + b, 0) / Math.max(1, rs.length) }));
  const all = writes[n - 1]!;
  return {
    mtjs: n,
    cells,
    missed_levels: missed,
    levels,
    separated: levels.every((l, i) => i === 0 || l.min_ohm > levels[i - 1]!.max_ohm),
    write_voltages: writes.map((ws, i) => ({ step: i + 1, min_v: Math.min(...ws), max_v: Math.max(...ws) })),
    program_all_v: { min: Math.min(...all), max: Math.max(...all), mean: all.reduce((a, b) => a + b, 0) / all.length },
  };
}
