import { meanOf, readDeviceTable, spreadOf, type TableSpec } from '../../device-table/csv-table.js';
import { SegmentIndex, fractionIn, segmentOf } from '../../device-table/interpolate.js';
import { ScenarioError } from '../../scenario/errors.js';
import { displayPath } from '../../scenario/load.js';

/**
 * A serial-cell MTJ's R(V) in its low (parallel) and high (antiparallel) state measured,
 * instead of the four-line model's R = b + a |V| (serial-mtj.ts). The critical currents stay
 * the scenario's (params.cell.table.cN, cP). Repeated R_P and R_AP columns are MTJs measured
 * one by one: their relative spread at zero bias is the device-to-device variation.
 */
export const MTJ_RV_TABLE: TableSpec = {
  what: 'serial-MTJ R(V) table',
  argument: { name: 'V', kind: 'voltage', what: 'bias across one MTJ' },
  columns: [
    { name: 'R_P', kind: 'resistance', repeat: true, min: 1e-3, what: 'resistance in the low (parallel) state' },
    { name: 'R_AP', kind: 'resistance', repeat: true, min: 1e-3, what: 'resistance in the high (antiparallel) state' },
  ],
};

/** The table as an MTJ's V(I) reads it: the mean device's current I = V / R(V) in each state against V. */
export interface MtjRvTable {
  readonly file: string;
  readonly source: readonly string[];
  readonly v: Float64Array;
  readonly iLow: Float64Array;
  readonly iHigh: Float64Array;
  /** Relative spread of R at 0 V over the measured MTJs, per state; undefined for one MTJ. */
  readonly spread: { readonly low: number; readonly high: number } | undefined;
  /** Evaluations of V(I), and those beyond the table's current range (read at its edge). */
  readonly count: { calls: number; beyond: number };
  /** O(1) segment lookup in iLow and iHigh. */
  readonly findLow: SegmentIndex;
  readonly findHigh: SegmentIndex;
}

const at0 = (xs: Float64Array, ys: Float64Array): number => {
  const i = segmentOf(xs, 0);
  const f = fractionIn(xs, i, 0);
  return ys[i]! + f * (ys[i + 1]! - ys[i]!);
};

const loaded = new Map<string, MtjRvTable>();

/** Reads an R(V) table (once per file per process); a ScenarioError at the table's line and column if it is bad. */
export function mtjRvTable(file: string): MtjRvTable {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  const t = readDeviceTable(file, MTJ_RV_TABLE);
  const shown = displayPath(file);
  const fail = (message: string, line?: number): never => {
    throw new ScenarioError([{ location: { file: shown, ...(line === undefined ? {} : { line }) }, path: '', message: `${MTJ_RV_TABLE.what}: ${message}` }]);
  };
  const v = t.argument;
  if (!(v[0]! <= 0 && v[v.length - 1]! >= 0)) fail(`V runs from ${v[0]} to ${v[v.length - 1]} V; it must include 0 V (the zero-bias resistance the device variation scales)`);
  const ps = t.columns.get('R_P')!;
  const aps = t.columns.get('R_AP')!;
  if (ps.length !== aps.length) fail(`${ps.length} R_P columns and ${aps.length} R_AP columns: give one pair per measured MTJ`);
  const current = (r: Float64Array, state: string): Float64Array => {
    const i = v.map((x, k) => x / r[k]!);
    // V(I) is read by inverting I(V): the current must rise with the bias (no negative differential resistance).
    for (let k = 1; k < i.length; k++) if (!(i[k]! > i[k - 1]!)) fail(`in the ${state} state the current V / R falls from ${i[k - 1]!.toPrecision(4)} A to ${i[k]!.toPrecision(4)} A as V rises: R(V) must give a current that rises with the bias`, t.lines[k]);
    return i;
  };
  const rP = meanOf(ps);
  const rAP = meanOf(aps);
  const rel = (list: readonly Float64Array[]): number => {
    const zero = list.map((c) => Float64Array.of(at0(v, c)));
    return spreadOf(zero)[0]! / meanOf(zero)[0]!;
  };
  const iLow = current(rP, 'low (P)');
  const iHigh = current(rAP, 'high (AP)');
  const table: MtjRvTable = { file, source: t.source, v, iLow, iHigh, spread: ps.length > 1 ? { low: rel(ps), high: rel(aps) } : undefined, count: { calls: 0, beyond: 0 }, findLow: new SegmentIndex(iLow), findHigh: new SegmentIndex(iHigh) };
  if (!(at0(v, rAP) > at0(v, rP))) fail('R_AP is not above R_P at 0 V: the P and AP columns may be swapped');
  loaded.set(file, table);
  return table;
}

/** The CSV text of an R(V) table: source lines, the header, one row per bias (numbers in full, so they read back exactly). */
export function mtjRvCsv(source: readonly string[], rows: readonly { readonly v: number; readonly rP: number; readonly rAP: number }[]): string {
  return `${source.map((s) => `# ${s}\n`).join('')}V [V],R_P [ohm],R_AP [ohm]\n${rows.map((r) => `${r.v},${r.rP},${r.rAP}\n`).join('')}`;
}
