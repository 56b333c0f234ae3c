import { streamFor } from '../random.js';
import { CellDynamics, type CellDynamicsParams } from './cell-dynamics.js';

/** Inputs span past saturation on both sides, so the flat parts of the transfer function are seen too. */
export const INPUT_SPAN = 1.5;

/** A slice of a Monte Carlo run of one cell: iterations `from` to `from + count - 1`. */
export interface TransferSampleTask {
  readonly cell: CellDynamicsParams;
  readonly seed: string | number;
  /** Names the cell's streams (`irmen-cell/30nm`), so each length draws its own numbers. */
  readonly stream: string;
  readonly from: number;
  readonly count: number;
}

export interface TransferSample {
  /** Each iteration's input and normalized readout, in iteration order. */
  readonly inputs: Float64Array;
  readonly readouts: Float64Array;
}

/**
 * Iterations of seed 000's Monte Carlo (Sec. III): each from a random stored state to a
 * random input, read after the stage. Iteration i draws from its own stream, so a slice gives
 * the same numbers on any thread.
 */
export function sampleTransfer(t: TransferSampleTask): TransferSample {
  const cell = new CellDynamics(t.cell);
  const inputs = new Float64Array(t.count);
  const readouts = new Float64Array(t.count);
  for (let k = 0; k < t.count; k++) {
    const rng = streamFor(t.seed, `${t.stream}/${t.from + k}`);
    const from = 2 * rng.uniform() - 1;
    const to = (2 * rng.uniform() - 1) * INPUT_SPAN;
    inputs[k] = to;
    readouts[k] = cell.iterate(from, to, () => rng.normal());
  }
  return { inputs, readouts };
}
