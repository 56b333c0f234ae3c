import { SerialCell, type Mtj } from '../../components/mtj/serial-mtj.js';
import type { MultiLevelCellParams } from '../../components/mtj/synapse-array.js';

/** A cell of Table I's mean MTJs: its level conductances give the nominal span a weight range maps onto. */
export function nominalLevels(p: MultiLevelCellParams): Float64Array {
  const t = p.table;
  const mtj: Mtj = { a1: t.a1.mean, b1: t.b1.mean, a0: t.a0.mean, b0: t.b0.mean, cN: t.cN.mean, cP: t.cP.mean };
  return new SerialCell(Array.from({ length: p.mtjs }, () => mtj)).levelConductances(p.read_voltage);
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
