import { meanOf, readDeviceTable, spreadOf, type TableSpec } from '../../device-table/csv-table.js';
import { segmentOf } from '../../device-table/interpolate.js';
import { ScenarioError } from '../../scenario/errors.js';
import { displayPath } from '../../scenario/load.js';

/**
 * An SOT-MRAM's R(V) in P and AP measured, instead of RA / area and Eq. 2's TMR(V): R_P and
 * R_AP against the bias. Repeated R_P and R_AP columns (R_P_1, R_AP_1, R_P_2, R_AP_2, ...) are
 * devices measured one by one: their spread at zero bias is the device-to-device variation.
 */
export const SOT_RV_TABLE: TableSpec = {
  what: 'SOT-MRAM R(V) table',
  argument: { name: 'V', kind: 'voltage', what: 'bias across the MTJ' },
  columns: [
    { name: 'R_P', kind: 'resistance', repeat: true, min: 1e-3, what: 'resistance in the parallel state' },
    { name: 'R_AP', kind: 'resistance', repeat: true, min: 1e-3, what: 'resistance in the antiparallel state' },
  ],
};

/** The table as the crossbar reads it: mean R_P and R_AP per bias, and what the repeats say of the spread. */
export interface SotRvTable {
  readonly file: string;
  readonly source: readonly string[];
  readonly v: Float64Array;
  readonly rP: Float64Array;
  readonly rAP: Float64Array;
  /** Zero-bias R_P and TMR of the mean device (interpolated at 0 V). */
  readonly rp0: number;
  readonly tmr0: number;
  /** Relative spread of R_P and of TMR at zero bias over the measured devices; undefined for one device. */
  readonly variation: { readonly ra_sigma: number; readonly tmr0_sigma: number } | undefined;
}

const at0 = (xs: Float64Array, ys: Float64Array): number => {
  const i = segmentOf(xs, 0);
  const f = Math.min(1, Math.max(0, (0 - xs[i]!) / (xs[i + 1]! - xs[i]!)));
  return ys[i]! + f * (ys[i + 1]! - ys[i]!);
};

const loaded = new Map<string, SotRvTable>();

/** Reads an R(V) table (once per file per process); a ScenarioError at the table's line and column if it is bad. */
export function sotRvTable(file: string): SotRvTable {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  const t = readDeviceTable(file, SOT_RV_TABLE);
  const fail = (message: string): never => {
    throw new ScenarioError([{ location: { file: displayPath(file) }, path: '', message: `${SOT_RV_TABLE.what}: ${message}` }]);
  };
  const v = t.argument;
  if (!(v[0]! <= 0 && v[v.length - 1]! >= 0)) fail(`V runs from ${v[0]} to ${v[v.length - 1]} V; it must include 0 V (the zero-bias resistance the device variation scales)`);
  const ps = t.columns.get('R_P')!;
  const aps = t.columns.get('R_AP')!;
  if (ps.length !== aps.length) fail(`${ps.length} R_P columns and ${aps.length} R_AP columns: give one pair per measured device`);
  const rP = meanOf(ps);
  const rAP = meanOf(aps);
  const rp0 = at0(v, rP);
  const tmr0 = at0(v, rAP) / rp0 - 1;
  if (!(tmr0 > 0)) fail(`R_AP is not above R_P at 0 V (TMR ${tmr0.toPrecision(3)}): the P and AP columns may be swapped`);
  let variation: SotRvTable['variation'];
  if (ps.length > 1) {
    // Each device's zero-bias R_P and TMR; their relative spreads are RA's and TMR0's.
    const rp = ps.map((c) => at0(v, c));
    const tmr = aps.map((c, k) => at0(v, c) / rp[k]! - 1);
    const rel = (xs: number[]): number => spreadOf(xs.map((x) => Float64Array.of(x)))[0]! / Math.abs(meanOf(xs.map((x) => Float64Array.of(x)))[0]!);
    variation = { ra_sigma: rel(rp), tmr0_sigma: rel(tmr) };
  }
  const table = { file, source: t.source, v, rP, rAP, rp0, tmr0, variation };
  loaded.set(file, table);
  return table;
}

/** The CSV text of an R(V) table: source lines, the header, one row per bias (numbers in full, so they read back exactly). */
export function sotRvCsv(source: readonly string[], rows: readonly { readonly v: number; readonly rP: number; readonly rAP: number }[]): string {
  return `${source.map((s) => `# ${s}\n`).join('')}V [V],R_P [ohm],R_AP [ohm]\n${rows.map((r) => `${r.v},${r.rP},${r.rAP}\n`).join('')}`;
}
