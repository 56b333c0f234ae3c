import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../cache-dir.js';
import { streamFor } from '../random.js';
import { CellDynamics, type CellDynamicsParams } from './cell-dynamics.js';
import type { HistoryTable } from './cell-read.js';
import { thermalSpread } from './magnet.js';
import { BoltzmannSampler, pathWeights, type ReadPath } from './read-physics.js';

/**
 * The history table's grid: previous and new drives over [-TABLE_SPAN, TABLE_SPAN] (a drive
 * past the span reads as at its edge, where the magnet is saturated), and Monte Carlo
 * iterations at each point: 13 x 31 x 32 = 12,896, about seed 000's 12,300.
 */
export const TABLE_SPAN = 1.5;
export const TABLE_PREVIOUS = 13;
export const TABLE_STATES = 31;
export const TABLE_ITERATIONS = 32;

const gridValue = (j: number, n: number): number => -TABLE_SPAN + (2 * TABLE_SPAN * j) / (n - 1);

/**
 * The read against the previous and the new drive, from the LLG macrospin: each iteration
 * starts the magnet in equilibrium at the previous drive (a Boltzmann sample, as the stage
 * before left it), applies the new drive from the end of its writing window to the start of
 * its reading window (`cell.stageTime`), then reads it through the read path (read-physics.ts)
 * as the next cell receives it. Each point's mean and standard deviation.
 *
 * Indexed by the previous drive because a magnet that cannot settle within the stage carries
 * that drive into its read (at Table I's damping of 0.01 it relaxes with a time constant of
 * 0.8-1.4 ns at 30 nm); solving the LLG per cell instead would cost about 10^8 steps per
 * image, this table 10^8 steps once.
 */
export function computeReadTable(cell: CellDynamicsParams, path: ReadPath, seed: string | number): HistoryTable {
  const dynamics = new CellDynamics(cell);
  const weights = pathWeights(path);
  const sigma = thermalSpread(cell.magnet);
  const mean = new Float64Array(TABLE_PREVIOUS * TABLE_STATES);
  const sd = new Float64Array(TABLE_PREVIOUS * TABLE_STATES);
  const start = new Float64Array(3);
  for (let i = 0; i < TABLE_PREVIOUS; i++) {
    const before = gridValue(i, TABLE_PREVIOUS);
    const sampler = new BoltzmannSampler(before, sigma);
    for (let j = 0; j < TABLE_STATES; j++) {
      const drive = gridValue(j, TABLE_STATES);
      let sum = 0;
      let squares = 0;
      for (let k = 0; k < TABLE_ITERATIONS; k++) {
        const rng = streamFor(seed, `irmen-cell/table/${i}/${j}/${k}`);
        sampler.sample(() => rng.uniform(), start);
        dynamics.place(start);
        const normal = (): number => rng.normal();
        dynamics.hold(drive, cell.stageTime, normal);
        const r = dynamics.receive(drive, weights, normal);
        sum += r;
        squares += r * r;
      }
      const m = sum / TABLE_ITERATIONS;
      mean[i * TABLE_STATES + j] = m;
      sd[i * TABLE_STATES + j] = Math.sqrt(Math.max(0, (squares - TABLE_ITERATIONS * m * m) / (TABLE_ITERATIONS - 1)));
    }
  }
  return { span: TABLE_SPAN, previous: TABLE_PREVIOUS, states: TABLE_STATES, mean, sd };
}

export { cacheDir };

/**
 * The table for a cell, computed once per set of parameters (about 15 s) and kept on disk
 * under a hash of them, so a sweep or a second run reads it. The numbers do not depend on
 * the cache: a missing or damaged file is computed again.
 */
export function readTableFor(cell: CellDynamicsParams, readPath: ReadPath, seed: string | number): HistoryTable {
  const grid = { span: TABLE_SPAN, previous: TABLE_PREVIOUS, states: TABLE_STATES };
  const size = TABLE_PREVIOUS * TABLE_STATES;
  const key = createHash('sha256').update(JSON.stringify({ v: 2, cell, path: readPath, seed, ...grid, iterations: TABLE_ITERATIONS })).digest('hex').slice(0, 24);
  const file = path.join(cacheDir(), 'llg', `${key}.json`);
  try {
    const t = JSON.parse(readFileSync(file, 'utf8')) as { mean: number[]; sd: number[] };
    if (t.mean.length === size && t.sd.length === size) return { ...grid, mean: Float64Array.from(t.mean), sd: Float64Array.from(t.sd) };
  } catch {
    // Not there yet, or unreadable: compute it.
  }
  const table = computeReadTable(cell, readPath, seed);
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
