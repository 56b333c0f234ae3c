import { ScenarioError } from '../../scenario/errors.js';
import { displayPath } from '../../scenario/load.js';
import { meanOf, readDeviceTable, spreadOf, type TableSpec } from '../../device-table/csv-table.js';

/**
 * An IRMEN cell's settled read from a measured table instead of the read physics
 * (read-physics.ts): against the drive u (the ME field over the one that saturates the
 * magnet), the mean of what the next cell receives and its read-to-read spread. The same
 * quantities the analytic model tabulates (ReadStatistics), on the table's own grid.
 */
export const IRMEN_TRANSFER_TABLE: TableSpec = {
  what: 'IRMEN cell transfer table',
  argument: { name: 'u', kind: 'ratio', what: "the cell's drive over the drive that saturates its magnet" },
  columns: [
    // Repeated readout columns are repeated reads of a cell: the model's spread is per read (thermal), so their spread is the read's.
    { name: 'readout', kind: 'ratio', repeat: true, min: -1, max: 1, nondecreasing: true, what: 'mean normalized readout (m_x as the next cell receives it), in [-1, 1]' },
    { name: 'sd', kind: 'ratio', optional: true, min: 0, max: 2, what: 'standard deviation of one read' },
  ],
};

/** The table as the read uses it: drive, mean and spread at each row (noise scale 1). */
export interface TransferTable {
  readonly file: string;
  readonly source: readonly string[];
  readonly u: Float64Array;
  readonly mean: Float64Array;
  readonly sd: Float64Array;
}

const loaded = new Map<string, TransferTable>();

/** Reads a transfer table (once per file per process); a ScenarioError at the table's line and column if it is bad. */
export function irmenTransferTable(file: string): TransferTable {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  const t = readDeviceTable(file, IRMEN_TRANSFER_TABLE);
  const reads = t.columns.get('readout')!;
  const given = t.columns.get('sd');
  if (given !== undefined && reads.length > 1) {
    throw new ScenarioError([{ location: { file: displayPath(file) }, path: '', message: `${IRMEN_TRANSFER_TABLE.what}: both an sd column and ${reads.length} readout columns; give the spread one way (sd, or repeated reads)` }]);
  }
  const table = { file, source: t.source, u: t.argument, mean: meanOf(reads), sd: given?.[0] ?? spreadOf(reads) };
  loaded.set(file, table);
  return table;
}

/** The CSV text of a transfer table: a source line, the header, one row per drive (numbers in full, so they read back exactly). */
export function transferTableCsv(source: readonly string[], rows: readonly { readonly u: number; readonly mean: number; readonly sd: number }[]): string {
  return `${source.map((s) => `# ${s}\n`).join('')}u [1],readout [1],sd [1]\n${rows.map((r) => `${r.u},${r.mean},${r.sd}\n`).join('')}`;
}
