import { SerialCell, meanMtj } from '../../components/mtj/serial-mtj.js';
import { rvTableOf, type MultiLevelCellParams } from '../../components/mtj/synapse-array.js';
import { NetworkError } from '../network.js';

/** A cell of Table I's mean MTJs. */
function nominalCell(p: MultiLevelCellParams): SerialCell {
  const mtj = meanMtj(p.table, rvTableOf(p));
  return new SerialCell(Array.from({ length: p.mtjs }, () => mtj));
}

/** The nominal cell's level conductances: they give the span a weight range maps onto. */
export const nominalLevels = (p: MultiLevelCellParams): Float64Array => nominalCell(p).levelConductances(p.read_voltage);

/**
 * Checks that the programming circuit can program a nominal cell at all: its erase pulse
 * returns every MTJ to low, and its largest pulse reaches the top level. Otherwise no cell
 * would be programmed: a scenario error at the key, not thousands of silent failures.
 */
export function checkProgramming(p: MultiLevelCellParams): void {
  const g = p.program;
  const cell = nominalCell(p);
  cell.high.fill(true);
  cell.apply(g.erase_voltage, g.switch_resistance);
  if (cell.level !== 0) {
    const needed = cell.mtjs[0]!.cN * g.switch_resistance + cell.voltage(cell.mtjs[0]!.cN);
    throw new NetworkError({ keyPath: ['params', 'cell', 'program', 'erase_voltage'], path: 'params.cell.program.erase_voltage', message: `an erase pulse of ${g.erase_voltage} V leaves a nominal cell at level ${cell.level}; erasing ${p.mtjs} MTJs needs about ${needed.toFixed(2)} V or below` });
  }
  const top = cell.writeVoltages(g.switch_resistance)[p.mtjs - 1]!;
  if (top > g.max_voltage) {
    throw new NetworkError({ keyPath: ['params', 'cell', 'program', 'max_voltage'], path: 'params.cell.program.max_voltage', message: `programming all ${p.mtjs} MTJs of a nominal cell needs ${top.toFixed(2)} V, above the largest pulse (${g.max_voltage} V): the top levels could not be written` });
  }
}

/**
 * Inputs read the cells with their voltages directly (seed 002), from drivers that reach at
 * most the largest programming pulse (params.cell.program.max_voltage): a full-scale read
 * above it is outside what the circuit can apply (and far above it the cells' I(V) has no
 * finite solution). Reads above a cell's first write voltage would also disturb it; seed
 * 002 reads at 0.2 V, near that for a one-MTJ cell, so that is not refused here.
 */
export function checkReadVoltages(p: MultiLevelCellParams, scales: readonly { readonly keyPath: readonly string[]; readonly volts: number }[]): void {
  const limit = p.program.max_voltage;
  for (const s of scales) {
    if (s.volts > limit) {
      throw new NetworkError({ keyPath: [...s.keyPath], path: s.keyPath.join('.'), message: `the cells are read at this voltage, and ${s.volts} V is above what the drivers apply (params.cell.program.max_voltage, ${limit} V): keep it at or below ${limit} V` });
    }
  }
}

/** The levels a layer's cells are programmed to, and the scale that maps weights to conductance. */
export interface LayerLevels {
  /** Level of every cell, (row * columns + column) * 2 + (0: G_P, 1: G_N). */
  readonly levels: Int16Array;
  /** The largest |weight| or |bias| of the layer, which maps to the nominal conductance span. */
  readonly wMax: number;
  /** Nominal G(level 0) - G(level N), siemens. */
  readonly span: number;
}

/**
 * Replaces each weight (biases as the last column) by a pair of levels (seed 002, Sec. III):
 * one cell of the pair stays at level N, its lowest conductance, and the other takes the
 * level whose conductance above its partner's is nearest |w| / wMax of the nominal span,
 * among the levels that cell can hold with its own MTJs (each cell drawn by the Monte Carlo).
 * A positive weight puts the difference on G_P, a negative one on G_N.
 */
export function mapLayer(weights: Float64Array, bias: Float64Array, rows: number, columns: number, cells: readonly SerialCell[], p: MultiLevelCellParams): LayerLevels {
  const n = p.mtjs;
  const nominal = nominalLevels(p);
  const span = nominal[0]! - nominal[n]!;
  let wMax = 0;
  for (const w of weights) wMax = Math.max(wMax, Math.abs(w));
  for (const b of bias) wMax = Math.max(wMax, Math.abs(b));
  wMax ||= 1;
  const levels = new Int16Array(rows * columns * 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const w = c < columns - 1 ? weights[r * (columns - 1) + c]! : bias[r]!;
      const i = (r * columns + c) * 2;
      const [active, partner] = w >= 0 ? [i, i + 1] : [i + 1, i];
      const g = cells[active]!.levelConductances(p.read_voltage);
      const floor = cells[partner]!.levelConductances(p.read_voltage)[n]!;
      const target = (Math.abs(w) / wMax) * span;
      let best = n;
      for (let k = 0; k <= n; k++) if (Math.abs(g[k]! - floor - target) < Math.abs(g[best]! - floor - target)) best = k;
      levels[active] = best;
      levels[partner] = n;
    }
  }
  return { levels, wMax, span };
}
