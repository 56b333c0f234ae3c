import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { irmenTransferTable } from '../components/irmen/transfer-table.js';
import { sotRvTable } from '../components/sot/rv-table.js';
import { mtjRvTable } from '../components/mtj/rv-table.js';
import { maapPairTable } from '../components/maap/pair-table.js';
import { ScenarioError } from '../scenario/errors.js';
import { FileReadError } from '../scenario/files.js';
import { applyOverride, displayPath, locate, type Key, type RawScenario } from '../scenario/load.js';
import { pathString } from '../scenario/errors.js';

/**
 * Where a scenario may name a measured device table (CSV, src/device-table/), and the device
 * that reads it. The device's own function reads the table (cached per file), so every
 * driver gets it the same way; here the path is resolved and the table checked up front.
 */
interface TableKey {
  readonly at: readonly Key[];
  readonly what: string;
  readonly load: (file: string) => unknown;
}

const TABLE_KEYS: readonly TableKey[] = [
  { at: ['params', 'irmen', 'transfer', 'table'], what: 'IRMEN cell transfer table', load: irmenTransferTable },
  { at: ['params', 'device', 'mtj', 'table'], what: 'SOT-MRAM R(V) table', load: sotRvTable },
  { at: ['params', 'cell', 'mtj', 'table'], what: 'serial-MTJ R(V) table', load: mtjRvTable },
  { at: ['params', 'maap', 'pair', 'table'], what: 'MAAP activation-pair table', load: maapPairTable },
];

function valueAt(data: unknown, p: readonly Key[]): unknown {
  let node = data;
  for (const seg of p) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[String(seg)];
  }
  return node;
}

/**
 * The scenario with each table path made absolute: relative to the file that names it, or
 * to the working directory when named on the command line (--set, --vary), as a weights file.
 */
export function resolveDeviceTables(raw: RawScenario): RawScenario {
  let out = raw;
  for (const k of TABLE_KEYS) {
    const v = valueAt(raw.data, k.at);
    if (typeof v !== 'string' || v === '') continue;
    const where = locate(raw, k.at);
    const file = path.resolve(where.file.startsWith('--') ? process.cwd() : path.dirname(where.file), v);
    if (file !== v) out = applyOverride(out, k.at, file, where);
  }
  return out;
}

/** Reads every table the (resolved, validated) scenario names: a ScenarioError at the key if one cannot be read, at its line and column if it is bad. */
export function checkDeviceTables(raw: RawScenario): void {
  for (const k of TABLE_KEYS) {
    const file = valueAt(raw.data, k.at);
    if (typeof file !== 'string') continue;
    try {
      k.load(file);
    } catch (error) {
      if (!(error instanceof FileReadError)) throw error;
      throw new ScenarioError([{ location: locate(raw, k.at), path: pathString(k.at), message: `cannot read the ${k.what} ${displayPath(file)}: ${error.reason}` }]);
    }
  }
}

/** The table files a scenario reads. */
export const deviceTableFiles = (data: unknown): string[] => TABLE_KEYS.map((k) => valueAt(data, k.at)).filter((f): f is string => typeof f === 'string');

/** The scenario's value with each table named by its content's SHA-256, not its path (for sweep point keys). */
export function withTableDigests<T>(value: T): T {
  if (deviceTableFiles(value).length === 0) return value;
  const out = structuredClone(value);
  for (const k of TABLE_KEYS) {
    const file = valueAt(out, k.at);
    if (typeof file !== 'string') continue;
    const parent = valueAt(out, k.at.slice(0, -1)) as Record<string, unknown>;
    delete parent[String(k.at[k.at.length - 1])];
    parent['table_sha256'] = createHash('sha256').update(readFileSync(file)).digest('hex');
  }
  return out;
}
