import { z } from 'zod';
import { quantity } from '../../scenario/fields.js';
import { formatQuantity, type QuantityKind } from '../../scenario/units.js';
import { fractionIn } from '../../device-table/interpolate.js';
import type { RandomStream } from '../random.js';
import type { MtjRvTable } from './rv-table.js';

/**
 * Mean and standard deviation of one model parameter (seed 002, Table I). The spread must
 * keep draws on the mean's side of zero: sigma at most a third of |mean| (a wrong sign then
 * comes up less than once in 700 draws); Table I's spreads are 2-10 %.
 */
const spread = (kind: QuantityKind) =>
  z.strictObject({ mean: quantity(kind), sigma: quantity(kind) }).superRefine((s, ctx) => {
    const show = (x: number): string => `'${formatQuantity(x, kind, 4)}'`;
    if (s.sigma < 0) ctx.addIssue({ code: 'custom', path: ['sigma'], message: `must be at least 0, got ${show(s.sigma)}` });
    else if (s.sigma > Math.abs(s.mean) / 3) ctx.addIssue({ code: 'custom', path: ['sigma'], message: `a spread of ${show(s.sigma)} around ${show(s.mean)} would often draw values of the wrong sign: keep sigma at most a third of |mean| (${show(Math.abs(s.mean) / 3)})` });
  });

/** The distributions every MTJ draws its four-line model from (seed 002, Table I). */
export const mtjTableParams = z.strictObject({
  /** Slope of R against |V| in the high (antiparallel) state. */
  a1: spread('inverseCurrent'),
  /** Zero-bias resistance in the high state. */
  b1: spread('resistance'),
  a0: spread('inverseCurrent'),
  b0: spread('resistance'),
  /** Critical current for switching at negative current (high -> low). */
  cN: spread('current'),
  /** Critical current for switching at positive current (low -> high). */
  cP: spread('current'),
});

export type MtjTable = z.output<typeof mtjTableParams>;

/** One MTJ's drawn parameters. */
export interface Mtj {
  readonly a1: number;
  readonly b1: number;
  readonly a0: number;
  readonly b0: number;
  readonly cN: number;
  readonly cP: number;
  /** Its R(V) from a measured table instead of the four lines, at its own scale of the mean device's resistance per state. */
  readonly rv?: { readonly table: MtjRvTable; readonly sHigh: number; readonly sLow: number };
}

/**
 * Draws one MTJ from the table's normal distributions. With a measured R(V) table the same
 * draws set it: its resistance in each state is the mean device's times b / mean(b) (Table I's
 * spread), or, when the table measured several MTJs, their spread at the same normal deviate.
 */
export function drawMtj(t: MtjTable, rng: RandomStream, rv?: MtjRvTable): Mtj {
  const m = {
    a1: rng.normal(t.a1.mean, t.a1.sigma),
    b1: rng.normal(t.b1.mean, t.b1.sigma),
    a0: rng.normal(t.a0.mean, t.a0.sigma),
    b0: rng.normal(t.b0.mean, t.b0.sigma),
    cN: rng.normal(t.cN.mean, t.cN.sigma),
    cP: rng.normal(t.cP.mean, t.cP.sigma),
  };
  if (rv === undefined) return m;
  const scale = (b: number, s: { mean: number; sigma: number }, measured: number | undefined): number =>
    measured === undefined ? b / s.mean : 1 + (s.sigma > 0 ? (b - s.mean) / s.sigma : 0) * measured;
  return { ...m, rv: { table: rv, sHigh: scale(m.b1, t.b1, rv.spread?.high), sLow: scale(m.b0, t.b0, rv.spread?.low) } };
}

/** The mean MTJ of the distributions (and of a measured table). */
export function meanMtj(t: MtjTable, rv?: MtjRvTable): Mtj {
  const m = { a1: t.a1.mean, b1: t.b1.mean, a0: t.a0.mean, b0: t.b0.mean, cN: t.cN.mean, cP: t.cP.mean };
  return rv === undefined ? m : { ...m, rv: { table: rv, sHigh: 1, sLow: 1 } };
}

/**
 * A measured MTJ's voltage at `current`: V / s R(V) = I, so V(I) = V_mean(s I), read off the
 * mean device's I(V) by linear interpolation (never extrapolated: counted beyond its range).
 */
function tableVoltage(rv: NonNullable<Mtj['rv']>, high: boolean, current: number): number {
  const t = rv.table;
  const i = high ? t.iHigh : t.iLow;
  const x = (high ? rv.sHigh : rv.sLow) * current;
  const k = (high ? t.findHigh : t.findLow).find(x);
  t.count.calls++;
  if (x < i[0]! || x > i[i.length - 1]!) t.count.beyond++;
  return t.v[k]! + fractionIn(i, k, x) * (t.v[k + 1]! - t.v[k]!);
}

/** Its slope dV/dI: s times the segment's. */
function tableSlope(rv: NonNullable<Mtj['rv']>, high: boolean, current: number): number {
  const t = rv.table;
  const i = high ? t.iHigh : t.iLow;
  const s = high ? rv.sHigh : rv.sLow;
  const k = (high ? t.findHigh : t.findLow).find(s * current);
  return (s * (t.v[k + 1]! - t.v[k]!)) / (i[k + 1]! - i[k]!);
}

/**
 * The four-line model (seed 002, Fig. 1a): in each state the resistance is a straight line
 * in the bias, R = b + a |V|, the same for both polarities; a < 0, so resistance falls with
 * bias as tunnelling magnetoresistance does. With V = I R this gives, exactly,
 * R(I) = b / (1 - a |I|), and the MTJ's voltage V(I) = I b / (1 - a |I|), odd and increasing.
 */
export function mtjVoltage(m: Mtj, high: boolean, current: number): number {
  if (m.rv !== undefined) return tableVoltage(m.rv, high, current);
  const a = high ? m.a1 : m.a0;
  const b = high ? m.b1 : m.b0;
  return (current * b) / (1 - a * Math.abs(current));
}

/** dV/dI of mtjVoltage: b / (1 - a |I|)^2. */
export function mtjSlope(m: Mtj, high: boolean, current: number): number {
  if (m.rv !== undefined) return tableSlope(m.rv, high, current);
  const a = high ? m.a1 : m.a0;
  const b = high ? m.b1 : m.b0;
  const d = 1 - a * Math.abs(current);
  return b / (d * d);
}

/**
 * A multi-level cell: N MTJs in series (seed 002, Sec. II). The same current flows through
 * all of them and their voltages add. `high[i]` is MTJ i's state.
 */
export class SerialCell {
  readonly high: boolean[];

  constructor(readonly mtjs: readonly Mtj[]) {
    this.high = mtjs.map(() => false);
  }

  /** Number of MTJs in the high state: the cell's level, 0..N. */
  get level(): number {
    return this.high.reduce((n, h) => n + (h ? 1 : 0), 0);
  }

  /** Voltage across the string at `current`. */
  voltage(current: number): number {
    let v = 0;
    for (let i = 0; i < this.mtjs.length; i++) v += mtjVoltage(this.mtjs[i]!, this.high[i]!, current);
    return v;
  }

  /**
   * Current at applied voltage `v` (through `series` ohms in series, such as a switch), in
   * the present states: the exact inverse of V(I) + I R, by Newton's method on a monotonic
   * curve (a few steps).
   */
  current(v: number, series = 0): number {
    if (v === 0) return 0;
    let zero = series;
    for (let i = 0; i < this.mtjs.length; i++) zero += this.high[i]! ? this.mtjs[i]!.b1 : this.mtjs[i]!.b0;
    let current = v / zero;
    const mtjs = this.mtjs;
    const high = this.high;
    for (let k = 0; k < 50; k++) {
      let f = current * series - v;
      let df = series;
      for (let i = 0; i < mtjs.length; i++) {
        f += mtjVoltage(mtjs[i]!, high[i]!, current);
        df += mtjSlope(mtjs[i]!, high[i]!, current);
      }
      const step = f / df;
      current -= step;
      if (Math.abs(step) <= 1e-15 + 1e-12 * Math.abs(current)) break;
    }
    return current;
  }

  /** Resistance read at a small bias `v` (the read operation). */
  readResistance(v: number): number {
    return v / this.current(v);
  }

  /**
   * Applies voltage `v` and lets the states settle, as the paper's stepping algorithm does
   * with a vanishing current step: the current ramps from 0; the first MTJ whose critical
   * current is reached switches, and the ramp starts again in the new states; it stops when
   * the string's voltage reaches `v`. Returns how many MTJs switched.
   */
  apply(v: number, series = 0): number {
    let switched = 0;
    for (;;) {
      const target = this.current(v, series);
      // The MTJ the ramp reaches first: the smallest critical current it can still cross.
      let first = -1;
      for (let i = 0; i < this.mtjs.length; i++) {
        const m = this.mtjs[i]!;
        const crosses = target >= 0 ? !this.high[i]! && m.cP <= target : this.high[i]! && m.cN >= target;
        if (crosses && (first < 0 || (target >= 0 ? m.cP < this.mtjs[first]!.cP : m.cN > this.mtjs[first]!.cN))) first = i;
      }
      if (first < 0) return switched;
      this.high[first] = target >= 0;
      switched++;
    }
  }

  /**
   * Write voltages: the applied voltage (through `series` ohms) at which each further MTJ
   * switches when it ramps up from the all-low state, in order (seed 002, Fig. 2c). Leaves
   * the states as they were.
   */
  writeVoltages(series = 0): number[] {
    const saved = [...this.high];
    this.high.fill(false);
    const out: number[] = [];
    while (this.level < this.mtjs.length) {
      let next = -1;
      for (let i = 0; i < this.mtjs.length; i++) if (!this.high[i]! && (next < 0 || this.mtjs[i]!.cP < this.mtjs[next]!.cP)) next = i;
      const cP = this.mtjs[next]!.cP;
      out.push(this.voltage(cP) + cP * series);
      this.high[next] = true;
    }
    this.high.splice(0, this.high.length, ...saved);
    return out;
  }

  /** Resets every MTJ to low. */
  erase(): void {
    this.high.fill(false);
  }

  /**
   * The read conductance of each level 0..N of this cell (its own MTJs): at level k the k
   * MTJs of lowest critical current are high, as a rising programming ramp leaves them.
   * Leaves the states as they were.
   */
  levelConductances(readVoltage: number): Float64Array {
    const saved = [...this.high];
    const order = this.mtjs.map((_, i) => i).sort((a, b) => this.mtjs[a]!.cP - this.mtjs[b]!.cP);
    const g = new Float64Array(this.mtjs.length + 1);
    this.high.fill(false);
    for (let k = 0; k <= this.mtjs.length; k++) {
      if (k > 0) this.high[order[k - 1]!] = true;
      g[k] = 1 / this.readResistance(readVoltage);
    }
    this.high.splice(0, this.high.length, ...saved);
    return g;
  }
}
