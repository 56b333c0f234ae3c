import { createHash } from 'node:crypto';
import { parseDeviceTable, TABLE_FILE_LIMIT, type TableSpec } from '../../device-table/csv-table.js';
import { readBoundedFile } from '../../scenario/files.js';

/**
 * One MAAP activation pair's output against its input current, measured (or written by the
 * circuit, `spinarch device maap --csv`), instead of the two SHE-MTJ cells of maap-circuit.ts:
 * against the current I into the pair's SHE layer, the pair's output voltage over the supply
 * (cell 2's inverter: the fraction of full scale the ADC reads). A measurement reads 0 and 1
 * at the rails; the circuit's own table writes how far past them its inverter is driven
 * (below 0, above 1: the model clips), which is what a trim must overcome to move a rail.
 * Repeated `out` columns (out_1, out_2, ...) are pairs measured one by one; `sd_I`, optional,
 * is the thermal noise of one measurement referred to the input (a current: the output's
 * read-to-read spread over the pair's slope); `nominal`, optional, the design's pair that every
 * pair is trimmed to (a statistic of a few measured pairs is a noisy target: the median of 64
 * circuit pairs sits 0.003 of full scale off the design's at the calibration input, and that
 * costs half a point of accuracy). Each `out` is the pair's response to a steady input, with
 * the noise averaged out: the model adds the noise itself (table-response.ts).
 */
export const MAAP_PAIR_TABLE: TableSpec = {
  what: 'MAAP activation-pair table',
  argument: { name: 'I', kind: 'current', what: "the current into the pair's SHE layer" },
  columns: [
    { name: 'out', kind: 'ratio', repeat: true, min: -1, max: 2, nondecreasing: true, what: 'pair output over the supply (fraction of full scale; 0 and 1 at the rails, or past them as far as the inverter is driven)' },
    { name: 'nominal', kind: 'ratio', optional: true, min: -1, max: 2, nondecreasing: true, what: "the design's pair, the set's ideal and the trim's target (absent: the median of the out columns)" },
    { name: 'sd_I', kind: 'current', optional: true, min: 0, what: 'input-referred thermal noise of one measurement (standard deviation)' },
  ],
};

/** The table as read, in SI: the input current, each measured pair's output, the input-referred noise. */
export interface PairTable {
  readonly file: string;
  readonly source: readonly string[];
  /** SHA-256 of the file's bytes: keys what is computed from the table (the trim cache). */
  readonly digest: string;
  readonly current: Float64Array;
  /** One curve per measured pair (fraction of full scale). */
  readonly devices: readonly Float64Array[];
  /** The design's pair, if the table gives it. */
  readonly nominal: Float64Array | undefined;
  /** Input-referred noise current per row (A), or undefined when the table gives none. */
  readonly noise: Float64Array | undefined;
}

const loaded = new Map<string, PairTable>();

/** Reads a pair table (once per file per process); a ScenarioError at the table's line and column if it is bad. */
export function maapPairTable(file: string): PairTable {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  const bytes = readBoundedFile(file, TABLE_FILE_LIMIT, 'device table');
  const t = parseDeviceTable(bytes.toString('utf8'), file, MAAP_PAIR_TABLE);
  const devices = t.columns.get('out')!;
  const table: PairTable = { file, source: t.source, digest: createHash('sha256').update(bytes).digest('hex'), current: t.argument, devices, nominal: t.columns.get('nominal')?.[0], noise: t.columns.get('sd_I')?.[0] };
  loaded.set(file, table);
  return table;
}

/** One row of a pair table to write: the input current (uA), each pair's output, the design's, the input-referred noise (uA). */
export interface PairTableRow {
  readonly microamps: number;
  readonly out: readonly number[];
  readonly nominal?: number;
  readonly noiseMicroamps: number;
}

/** The CSV text of a pair table: source lines, the header, one row per input current (numbers in full, so they read back exactly). */
export function pairTableCsv(source: readonly string[], devices: number, rows: readonly PairTableRow[]): string {
  const outs = devices === 1 ? ['out [1]'] : Array.from({ length: devices }, (_, k) => `out_${k + 1} [1]`);
  const nominal = rows[0]?.nominal !== undefined;
  const header = ['I [uA]', ...outs, ...(nominal ? ['nominal [1]'] : []), 'sd_I [uA]'];
  return `${source.map((s) => `# ${s}\n`).join('')}${header.join(',')}\n${rows.map((r) => `${[r.microamps, ...r.out, ...(nominal ? [r.nominal] : []), r.noiseMicroamps].join(',')}\n`).join('')}`;
}
