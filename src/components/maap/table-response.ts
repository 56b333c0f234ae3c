import { SegmentIndex, valueIn } from '../../device-table/interpolate.js';
import { CounterNormals, counterWord, NORMAL_BOUND, NORMAL_QUANTILES, type RandomStream } from '../random.js';
import type { CircuitParams } from './maap-circuit.js';
import { maapPairTable, type PairTable } from './pair-table.js';
import type { SetDevices, ThermalSource } from './set-response.js';

/**
 * A MAAP set whose activation pairs come from a measured pair table (pair-table.ts) instead of
 * the circuit: the same winner-take-all over one pair per input of the pooling window, the
 * same per-pair trim, the same thermal draws, each pair read by linear interpolation of its
 * measured curve (never extrapolated: a read past the table is read at its edge, and counted).
 *
 * - Variation: each pair of each set draws one of the measured pairs, with replacement, from
 *   its set's stream (a bootstrap of the measured population). The repeats differ in shape
 *   (knee, gain, rail), not only in offset, so each pair keeps a whole measured curve: the trim
 *   then removes its error at the calibration input and leaves its gain error, as it does on
 *   the circuit's drawn devices. (The mean curve plus the columns' spread would turn every
 *   deviation into an offset, which the trim would remove entirely.)
 * - Trim: as in the circuit, the trim DAC's current at cell 2 shifts the pair's output by trim
 *   before the rails clip it; at a measured rail (exactly 0 or 1), where a table at trim 0
 *   cannot show how far past it the inverter is driven, as an input shift (trimmedRead).
 * - Thermal noise: the magnets' fluctuations referred to the input, the table's sd_I (over the
 *   full-scale current) times draw `first` of the pair's thermal draws, added to the input
 *   before the curve is read: so it is shaped by the pair's own curve, rectified at its knee
 *   and clipped at its rails as the circuit's noise on m is.
 * - Nominal: the table's `nominal` column (the design's pair), else the median of the measured
 *   curves, clipped to the rails: the set's ideal and the trim's target (the median, not the
 *   mean: one stuck or lifted pair among the measured must not move the target every pair is
 *   trimmed to; for one curve, the curve).
 */
export interface PairTableModel {
  readonly table: PairTable;
  /** The table's input over the full-scale current (the pair's input x). */
  readonly xs: Float64Array;
  readonly find: SegmentIndex;
  readonly devices: readonly Float64Array[];
  /** Per measured pair: the largest x up to which its curve stays at its first row's value. */
  readonly flatTo: Float64Array;
  /** Per measured pair: its curve never falls (then a trim deeper into a rail reads the rail: trimmedRead). */
  readonly rising: Uint8Array;
  /** Input-referred thermal spread (fraction of full-scale input) at mid-scale input: the noise in the pair's linear range. */
  readonly sigma: number;
  /** Input-referred spread per row (fraction of full-scale input), 0 where the table gives none. */
  readonly sigmas: Float64Array;
  /** The largest of `sigmas`: bounds every draw (quiet pairs). */
  readonly sigmaMax: number;
  readonly nominal: (x: number) => number;
  /** Reads since the counts were last cleared, and those beyond the table (read at its edge). */
  readonly count: { reads: number; beyond: number };
}

/** The pair table of `file` on the circuit's scale: currents over the full-scale current. */
export function pairTableModel(file: string, circuit: Pick<CircuitParams, 'full_scale_current'>): PairTableModel {
  const table = maapPairTable(file);
  const fs = circuit.full_scale_current;
  const xs = table.current.map((i) => i / fs);
  const find = new SegmentIndex(xs);
  const flatTo = Float64Array.from(table.devices, (curve) => {
    let r = 0;
    while (r + 1 < curve.length && curve[r + 1] === curve[0]) r++;
    return xs[r]!;
  });
  const rising = Uint8Array.from(table.devices, (curve) => (curve.every((v, r) => r === 0 || v >= curve[r - 1]!) ? 1 : 0));
  const sigmas = table.noise === undefined ? new Float64Array(xs.length) : table.noise.map((s) => s / fs);
  const at = (ys: Float64Array, x: number): number => valueIn(xs, ys, find.find(x), x);
  const ideal = (table.nominal ?? medianOf(table.devices)).map((v) => (v < 0 ? 0 : v > 1 ? 1 : v));
  const sigmaMax = sigmas.reduce((a, s) => (s > a ? s : a), 0);
  return { table, xs, find, devices: table.devices, flatTo, rising, sigma: at(sigmas, 0.5), sigmas, sigmaMax, nominal: (x) => at(ideal, x), count: { reads: 0, beyond: 0 } };
}

/** The median of the measured curves, row by row (the mean of the middle two for an even count). */
function medianOf(curves: readonly Float64Array[]): Float64Array {
  const n = curves.length;
  const out = new Float64Array(curves[0]!.length);
  const column = new Float64Array(n);
  for (let r = 0; r < out.length; r++) {
    for (let k = 0; k < n; k++) column[k] = curves[k]![r]!;
    column.sort();
    out[r] = n % 2 === 1 ? column[(n - 1) / 2]! : 0.5 * (column[n / 2 - 1]! + column[n / 2]!);
  }
  return out;
}

/** A set's pairs from a pair table: each draws a measured pair from the set's stream (once per chip). */
export function drawTableSet(model: PairTableModel, pairs: number, rng: RandomStream): SetDevices {
  const measured = Int32Array.from({ length: pairs }, () => rng.int(model.devices.length));
  return { pairs: [], trims: new Float64Array(pairs), trimCodes: new Int32Array(pairs), residuals: new Float64Array(pairs), packed: new Float64Array(0), measured };
}

/**
 * Pair d's output at input x (noise included) with trim t: the curve at x, then the trim, as in
 * the circuit: the trim's current shifts the inverter's output by t, then the rails clip it (a
 * curve past its rails, as the circuit's own table is, says how far a trim must go to move
 * one). A measured rail reads exactly 0 or 1: how far past it the inverter is driven a table
 * at trim 0 cannot show, so there the trim is read as the input shift that moves the curve by
 * t (the nominal pair's gain is one): near the knee that continues the output shift, deep in
 * the rail it holds the rail. Counts a read beyond the table (read at its edge).
 */
function trimmedRead(model: PairTableModel, d: number, x: number, t: number): number {
  const { xs, find } = model;
  const curve = model.devices[d]!;
  const first = xs[0]!;
  const last = xs[xs.length - 1]!;
  let v = valueIn(xs, curve, find.find(x), x);
  // Off a measured rail; or, on a curve that never falls, a trim deeper into the rail it is at (the same value, without the input shift).
  if (t === 0 || (v !== 0 && v !== 1) || (model.rising[d] === 1 && (v === 0 ? t < 0 : t > 0))) {
    if (x < first || x > last) model.count.beyond++;
    v += t;
  } else {
    const at = x + t;
    if (at < first || at > last) model.count.beyond++;
    if (at >= first && at <= model.flatTo[d]!) return curve[0]!;
    v = valueIn(xs, curve, find.find(at), at);
  }
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** trimmedRead on a curve's flat foot (its value `foot`): a measured rail holds, anything else moves with the trim. */
function footValue(foot: number, t: number): number {
  if (foot === 0 || foot === 1) return foot;
  const v = foot + t;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/**
 * What set `set` reads out from a pair table (set-response.ts setOutput's table branch): the
 * largest of its pairs' outputs, pair p read at x + sigma(x) z (z the first normal of draw
 * `base + p` of `noise`; undefined: no noise) with its trim (trimmedRead). A pair whose reads
 * cannot leave its curve's flat foot for any counter-based draw (they go no further than
 * NORMAL_BOUND) reads the foot without a draw; a sequential stream's draws (the
 * calibration's) are always made.
 */
export function tableSetOutput(model: PairTableModel, set: SetDevices, sums: Float64Array, count: number, noise: ThermalSource | undefined, base: number): number {
  const { xs, devices, flatTo, sigmas, find } = model;
  const measured = set.measured!;
  const trims = set.trims;
  // Counter-based draws are CounterNormals.pair inlined (its first normal): this runs per pair per measurement.
  const counted = noise instanceof CounterNormals ? noise : undefined;
  const key = counted?.keyHash ?? 0;
  const Q = NORMAL_QUANTILES;
  const reach = noise === undefined ? 0 : counted !== undefined ? NORMAL_BOUND * model.sigmaMax : Infinity;
  const first = xs[0]!;
  let best = 0;
  for (let p = 0; p < count; p++) {
    const d = measured[p]!;
    const curve = devices[d]!;
    let x = sums[p]!;
    const t = trims[p]!;
    // On the foot for any draw: the foot with the trim (trimmedRead anywhere there).
    const below = t < 0 ? t : 0;
    const above = t > 0 ? t : 0;
    if (x + below - reach >= first && x + above + reach <= flatTo[d]!) {
      const v = footValue(curve[0]!, t);
      if (v > best) best = v;
      continue;
    }
    if (noise !== undefined) {
      let z: number;
      if (counted !== undefined) z = Q[counterWord(key, base + p) & 0xffff]!;
      else {
        noise.pair(base + p);
        z = noise.first;
      }
      x += z * valueIn(xs, sigmas, find.find(x), x);
    }
    const v = trimmedRead(model, d, x, t);
    if (v > best) best = v;
  }
  model.count.reads += count;
  return best;
}
