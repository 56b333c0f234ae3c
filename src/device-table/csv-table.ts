import { ScenarioError, type Location } from '../scenario/errors.js';
import { readBoundedFile } from '../scenario/files.js';
import { displayPath } from '../scenario/load.js';
import { QUANTITY_KINDS, parseQuantity, type QuantityKind } from '../scenario/units.js';

/**
 * Measured device data as a CSV table: a comment line (#) for the source, a header naming
 * each column with its unit in brackets (`V [V],R_P [ohm],R_AP [ohm]`, SI prefixes as the
 * scenario's own units), then rows of numbers. The first column is the argument (strictly
 * increasing); a column may be repeated (`R_P [ohm],R_P [ohm]` or `R_P_1`, `R_P_2`), one per
 * measured device or read. Everything wrong is a ScenarioError at file, line and column.
 */

/** A measured table is a few thousand rows; a file this size is not one. */
export const TABLE_FILE_LIMIT = 16 * 1024 * 1024;

/** What a device expects of one column. */
export interface ColumnSpec {
  readonly name: string;
  /** A quantity with a unit, or `ratio` for a dimensionless column (written `[1]` or `[-]`). */
  readonly kind: QuantityKind | 'ratio';
  /** May appear several times (repeated measurements). */
  readonly repeat?: boolean;
  readonly optional?: boolean;
  /** Inclusive bounds of every value, in SI. */
  readonly min?: number;
  readonly max?: number;
  /** Never falls as the argument grows (checked on the mean of repeated columns). */
  readonly nondecreasing?: boolean;
  /** What it is, for the messages. */
  readonly what: string;
}

/** What a device expects of a table: the argument column first, then the others. */
export interface TableSpec {
  /** `IRMEN cell transfer table`, for the messages. */
  readonly what: string;
  readonly argument: ColumnSpec;
  readonly columns: readonly ColumnSpec[];
}

/** A table as read: SI values, each named column's measurements (one array per repeat). */
export interface DeviceTable {
  readonly file: string;
  /** The comment lines, without their '#'. */
  readonly source: readonly string[];
  readonly argument: Float64Array;
  readonly columns: ReadonlyMap<string, readonly Float64Array[]>;
  /** The file's line of each data row, for a device's own checks to point at. */
  readonly lines: readonly number[];
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const HEADER = /^([A-Za-z][A-Za-z0-9_]*)\s*\[([^\]]*)\]$/;

const unitExample = (kind: QuantityKind | 'ratio'): string => (kind === 'ratio' ? '[1]' : `[${QUANTITY_KINDS[kind].si}] (or with a prefix, as ${QUANTITY_KINDS[kind].example})`);

/** SI value of one of `unit`, or an error sentence. */
function unitScale(unit: string, spec: ColumnSpec): number | string {
  const u = unit.trim();
  if (spec.kind === 'ratio') return u === '1' || u === '-' || u === '' ? 1 : `a ${spec.what} has no unit: write [1], got [${unit}]`;
  const q = parseQuantity(`1 ${u}`, spec.kind);
  return q.ok ? q.value : `${q.error.replace(/: expected .*$/, '')}: expected ${unitExample(spec.kind)}`;
}

/** Splits a line into its fields and the 1-based column each starts at. */
function fields(line: string): { text: string; column: number }[] {
  const out: { text: string; column: number }[] = [];
  let start = 0;
  for (;;) {
    const comma = line.indexOf(',', start);
    const end = comma < 0 ? line.length : comma;
    const raw = line.slice(start, end);
    out.push({ text: raw.trim(), column: start + 1 + (raw.length - raw.trimStart().length) });
    if (comma < 0) return out;
    start = comma + 1;
  }
}

/**
 * Reads and checks a table file against what the device expects. A file that cannot be read
 * (missing, not a regular file, over TABLE_FILE_LIMIT) is a FileReadError, for the scenario
 * key that names it to report; a bad table is a ScenarioError at its own line and column.
 */
export function readDeviceTable(file: string, spec: TableSpec): DeviceTable {
  return parseDeviceTable(readBoundedFile(file, TABLE_FILE_LIMIT, 'device table').toString('utf8'), file, spec);
}

/** Parses a table's text (`file` names it in the messages). */
export function parseDeviceTable(text: string, file: string, spec: TableSpec): DeviceTable {
  const shown = displayPath(file);
  const fail = (message: string, line?: number, column?: number): never => {
    const location: Location = { file: shown, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) };
    throw new ScenarioError([{ location, path: '', message }]);
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const source: string[] = [];
  let header: { line: number; cells: { text: string; column: number }[] } | undefined;
  const rows: { line: number; cells: { text: string; column: number }[] }[] = [];
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '') return;
    if (t.startsWith('#')) {
      source.push(t.slice(1).trim());
      return;
    }
    if (header === undefined) header = { line: i + 1, cells: fields(line) };
    else rows.push({ line: i + 1, cells: fields(line) });
  });
  const expected = [spec.argument, ...spec.columns].map((c) => `${c.name} ${c.kind === 'ratio' ? '[1]' : `[${QUANTITY_KINDS[c.kind].si}]`}${c.repeat === true ? ' (may repeat)' : ''}${c.optional === true ? ' (optional)' : ''}`).join(', ');
  if (header === undefined) return fail(`${spec.what}: no header line; expected the columns ${expected}`, 1);
  if (source.length === 0) fail(`${spec.what}: no source line; add a comment line before the header saying where the data come from ('# measured on ..., wafer ..., 300 K')`, 1);

  // The header: each column's name, unit and place.
  const h = header;
  const placed = new Map<string, { index: number; scale: number }[]>();
  h.cells.forEach((cell, index) => {
    const m = HEADER.exec(cell.text);
    if (m === null) fail(`column header '${cell.text}': expected a name and its unit in brackets, like '${spec.columns[0]?.name ?? spec.argument.name} ${unitExample(spec.columns[0]?.kind ?? spec.argument.kind).split(' ')[0]}'`, h.line, cell.column);
    const [, written, unit] = m!;
    const name = [spec.argument, ...spec.columns].find((c) => c.name === written || (c.repeat === true && new RegExp(`^${c.name}_\\d+$`).test(written!)));
    if (name === undefined) fail(`unknown column '${written}': ${spec.what} has the columns ${expected}`, h.line, cell.column);
    const scale = unitScale(unit!, name!);
    if (typeof scale === 'string') fail(`column ${written}: ${scale}`, h.line, cell.column + cell.text.indexOf('['));
    const list = placed.get(name!.name) ?? [];
    if (list.length > 0 && name!.repeat !== true) fail(`column ${name!.name} appears twice; only ${spec.columns.filter((c) => c.repeat === true).map((c) => c.name).join(', ') || 'no column'} may repeat`, h.line, cell.column);
    list.push({ index, scale: scale as number });
    placed.set(name!.name, list);
  });
  for (const c of [spec.argument, ...spec.columns]) {
    if (c.optional !== true && !placed.has(c.name)) fail(`missing column ${c.name} (${c.what}); ${spec.what} has the columns ${expected}`, h.line);
  }
  if (placed.get(spec.argument.name)![0]!.index !== 0) fail(`the first column must be ${spec.argument.name} (${spec.argument.what}), the argument the others are measured against`, h.line, 1);
  if (rows.length < 2) fail(`${spec.what}: ${rows.length === 0 ? 'no data rows' : 'one data row'}; linear interpolation needs at least two`, rows[0]?.line ?? h.line);

  // The rows: numbers, the right count, within bounds.
  const width = h.cells.length;
  const values = h.cells.map(() => new Float64Array(rows.length));
  rows.forEach((row, r) => {
    if (row.cells.length !== width) fail(`${row.cells.length} fields, but the header has ${width}`, row.line, row.cells[Math.min(row.cells.length, width) - 1]!.column);
    row.cells.forEach((cell, k) => {
      if (!NUMBER.test(cell.text)) fail(`'${cell.text}' is not a number (column ${h.cells[k]!.text})`, row.line, cell.column);
      values[k]![r] = Number(cell.text);
    });
  });
  const columns = new Map<string, Float64Array[]>();
  for (const c of [spec.argument, ...spec.columns]) {
    const list = placed.get(c.name);
    if (list === undefined) continue;
    const arrays = list.map(({ index, scale }) => {
      const a = values[index]!.map((x) => x * scale);
      a.forEach((x, r) => {
        const at = (): [number, number] => [rows[r]!.line, rows[r]!.cells[index]!.column];
        if (!Number.isFinite(x)) fail(`${rows[r]!.cells[index]!.text} is out of range (column ${c.name})`, ...at());
        if (c.min !== undefined && x < c.min) fail(`${c.name} = ${rows[r]!.cells[index]!.text} is below ${c.min} (${c.what})`, ...at());
        if (c.max !== undefined && x > c.max) fail(`${c.name} = ${rows[r]!.cells[index]!.text} is above ${c.max} (${c.what})`, ...at());
      });
      return a;
    });
    columns.set(c.name, arrays);
  }
  const argument = columns.get(spec.argument.name)![0]!;
  for (let r = 1; r < argument.length; r++) {
    if (!(argument[r]! > argument[r - 1]!)) fail(`${spec.argument.name} must increase from row to row (${spec.argument.what}): ${rows[r]!.cells[0]!.text} after ${rows[r - 1]!.cells[0]!.text}`, rows[r]!.line, rows[r]!.cells[0]!.column);
  }
  for (const c of spec.columns) {
    const list = columns.get(c.name);
    if (c.nondecreasing !== true || list === undefined) continue;
    const mean = meanOf(list);
    for (let r = 1; r < mean.length; r++) {
      if (mean[r]! < mean[r - 1]!) {
        const index = placed.get(c.name)![0]!.index;
        fail(`${c.name} must not fall as ${spec.argument.name} grows (${c.what}): ${list.length > 1 ? `its mean over the ${list.length} columns` : 'it'} goes from ${mean[r - 1]!.toPrecision(6)} to ${mean[r]!.toPrecision(6)}`, rows[r]!.line, rows[r]!.cells[index]!.column);
      }
    }
  }
  return { file, source, argument, columns, lines: rows.map((r) => r.line) };
}

/** The mean of repeated columns, row by row. */
export function meanOf(list: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(list[0]!.length);
  for (const a of list) for (let r = 0; r < out.length; r++) out[r]! += a[r]! / list.length;
  return out;
}

/** The sample standard deviation of repeated columns, row by row (0 for one column). */
export function spreadOf(list: readonly Float64Array[]): Float64Array {
  const mean = meanOf(list);
  const out = new Float64Array(mean.length);
  if (list.length < 2) return out;
  for (let r = 0; r < out.length; r++) {
    let s = 0;
    for (const a of list) s += (a[r]! - mean[r]!) ** 2;
    out[r] = Math.sqrt(s / (list.length - 1));
  }
  return out;
}
