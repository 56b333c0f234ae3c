import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { streamFor } from '../random.js';
import { CellDynamics, type CellDynamicsParams } from './cell-dynamics.js';
import type { ReadTable } from './cell-read.js';

/** Stored states on the grid, and Monte Carlo iterations at each: 41 x 300 = 12,300, seed 000's count. */
export const TABLE_STATES = 41;
export const TABLE_ITERATIONS = 300;

/**
 * The readout of a cell against its stored state, from the LLG macrospin: at each state of
 * an even grid over [-1, 1], iterations from a random previous state (the stage before), each
 * read after the stage through the readout RC; their mean and standard deviation.
 */
export function computeReadTable(cell: CellDynamicsParams, seed: string | number): ReadTable {
  const dynamics = new CellDynamics(cell);
  const mean = new Float64Array(TABLE_STATES);
  const sd = new Float64Array(TABLE_STATES);
  for (let j = 0; j < TABLE_STATES; j++) {
    const state = -1 + (2 * j) / (TABLE_STATES - 1);
    let sum = 0;
    let squares = 0;
    for (let k = 0; k < TABLE_ITERATIONS; k++) {
      const rng = streamFor(seed, `irmen-cell/table/${j}/${k}`);
      const r = dynamics.iterate(2 * rng.uniform() - 1, state, () => rng.normal());
      sum += r;
      squares += r * r;
    }
    mean[j] = sum / TABLE_ITERATIONS;
    sd[j] = Math.sqrt(Math.max(0, (squares - TABLE_ITERATIONS * mean[j]! * mean[j]!) / (TABLE_ITERATIONS - 1)));
  }
  return { mean, sd };
}

/** Where tables are kept between runs: $SPINARCH_CACHE, else $XDG_CACHE_HOME/spinarch, else ~/.cache/spinarch. */
export function cacheDir(): string {
  return process.env['SPINARCH_CACHE'] ?? path.join(process.env['XDG_CACHE_HOME'] ?? path.join(homedir(), '.cache'), 'spinarch');
}

/**
 * The table for a cell, computed once per set of parameters (about 15 s) and kept on disk
 * under a hash of them, so a sweep or a second run reads it. The numbers do not depend on
 * the cache: a missing or damaged file is computed again.
 */
export function readTableFor(cell: CellDynamicsParams, seed: string | number): ReadTable {
  const key = createHash('sha256').update(JSON.stringify({ v: 1, cell, seed, states: TABLE_STATES, iterations: TABLE_ITERATIONS })).digest('hex').slice(0, 24);
  const file = path.join(cacheDir(), 'llg', `${key}.json`);
  try {
    const t = JSON.parse(readFileSync(file, 'utf8')) as { mean: number[]; sd: number[] };
    if (t.mean.length === TABLE_STATES && t.sd.length === TABLE_STATES) return { mean: Float64Array.from(t.mean), sd: Float64Array.from(t.sd) };
  } catch {
    // Not there yet, or unreadable: compute it.
  }
  const table = computeReadTable(cell, seed);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ mean: [...table.mean], sd: [...table.sd] }));
    renameSync(temporary, file);
  } catch {
    // A cache that cannot be written only costs time.
  }
  return table;
}
