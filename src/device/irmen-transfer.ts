import { Piscina } from 'piscina';
import { saturatedLinear } from '../components/cenn/template.js';
import { CellDynamics, SETTLE_TOLERANCE, type CellDynamicsParams } from '../components/irmen/cell-dynamics.js';
import { irmenDynamicsOf, type IrmenParams } from '../components/irmen/irmen-bank.js';
import { thermalStability } from '../components/irmen/magnet.js';
import { GAMMA_ELECTRON } from '../components/irmen/llg.js';
import { relaxationTime } from '../components/irmen/read-physics.js';
import { INPUT_SPAN, sampleTransfer, type TransferSample, type TransferSampleTask } from '../components/irmen/transfer-sample.js';
import { workerModule } from '../workers/threads.js';

/** Seed 000's Monte Carlo: 12,300 iterations per magnet size (Sec. III). */
export const PAPER_ITERATIONS = 12_300;
/** Five sizes over Table I's 1530-5400 nm^3 at 90 nm^2. */
export const DEFAULT_LENGTHS_NM = [17, 24, 30, 45, 60] as const;
const SLICE = 250;
const TRANSFER_BINS = 24;
const ERROR_BIN = 0.02;
const ERROR_BINS = 50;

export interface LengthReport {
  readonly fm_length_nm: number;
  readonly thermal_stability: number;
  /** Mean |readout - sat(input)|: seed 000 Fig. 4a. */
  readonly mean_abs_error: number;
  /** Standard deviation of readout - sat(input). */
  readonly error_sd: number;
  /** Readout against input: each bin's centre, mean, standard deviation and count (Fig. 2). */
  readonly transfer: readonly { readonly input: number; readonly mean: number; readonly sd: number; readonly n: number }[];
  /** Errors in bins of 0.02 from -0.5 (the last bins hold what is beyond): Fig. 4b. */
  readonly error_histogram: { readonly from: number; readonly bin: number; readonly counts: readonly number[] };
  /** Time for m_x to stay within 5 % of its final value after a step of the input (no noise). */
  readonly settling_ps: { readonly full_scale: number; readonly from_rest: number };
  /** The magnet's relaxation time (read-physics.ts: relaxationTime) about state 0 and about 0.9, to set beside the stage delay. */
  readonly relaxation_ps: { readonly at_zero: number; readonly at_0_9: number };
}

export interface DeviceReport {
  readonly scenario: string;
  readonly seed: string | number;
  readonly iterations: number;
  readonly damping: number;
  readonly stage_time_ps: number;
  readonly read_pulse_ps: number;
  readonly read_rc_ps: number;
  readonly time_step_ps: number;
  readonly settle_tolerance: number;
  readonly lengths: readonly LengthReport[];
}

export interface DeviceOptions {
  readonly lengthsNm: readonly number[];
  readonly iterations: number;
  readonly workers: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What the report says of one length, from its iterations in order (so it does not depend on threads). */
function summarize(cell: CellDynamicsParams, lengthNm: number, s: TransferSample): LengthReport {
  const sums = new Float64Array(TRANSFER_BINS);
  const squares = new Float64Array(TRANSFER_BINS);
  const counts = new Float64Array(TRANSFER_BINS);
  const histogram = new Array<number>(ERROR_BINS).fill(0);
  let error = 0;
  let errorSum = 0;
  let errorSquares = 0;
  for (let i = 0; i < s.inputs.length; i++) {
    const u = s.inputs[i]!;
    const r = s.readouts[i]!;
    const b = Math.min(TRANSFER_BINS - 1, Math.floor(((u + INPUT_SPAN) / (2 * INPUT_SPAN)) * TRANSFER_BINS));
    sums[b]! += r;
    squares[b]! += r * r;
    counts[b]!++;
    const e = r - saturatedLinear(u);
    error += Math.abs(e);
    errorSum += e;
    errorSquares += e * e;
    histogram[Math.max(0, Math.min(ERROR_BINS - 1, Math.floor((e + 0.5) / ERROR_BIN)))]!++;
  }
  const dynamics = new CellDynamics(cell);
  const linear = { magnet: cell.magnet, damping: cell.damping, gamma: GAMMA_ELECTRON };
  return {
    fm_length_nm: lengthNm,
    thermal_stability: thermalStability(cell.magnet),
    mean_abs_error: error / s.inputs.length,
    error_sd: Math.sqrt(Math.max(0, (errorSquares - (errorSum * errorSum) / s.inputs.length) / Math.max(1, s.inputs.length - 1))),
    transfer: Array.from(counts, (n, b) => {
      const mean = n > 0 ? sums[b]! / n : 0;
      return { input: -INPUT_SPAN + ((b + 0.5) * 2 * INPUT_SPAN) / TRANSFER_BINS, mean, sd: n > 1 ? Math.sqrt(Math.max(0, (squares[b]! - n * mean * mean) / (n - 1))) : 0, n };
    }),
    error_histogram: { from: -0.5, bin: ERROR_BIN, counts: histogram },
    settling_ps: { full_scale: Math.round(dynamics.settlingTime(-0.9, 0.9, SETTLE_TOLERANCE) * 1e12), from_rest: Math.round(dynamics.settlingTime(0, 1, SETTLE_TOLERANCE) * 1e12) },
    relaxation_ps: { at_zero: Math.round(relaxationTime(0, linear) * 1e12), at_0_9: Math.round(relaxationTime(0.9, linear) * 1e12) },
  };
}

/**
 * `spinarch device irmen`: the cell's transfer function, its error and its switching delay
 * for each magnet length, from the LLG macrospin (Monte Carlo slices on worker threads).
 */
export async function characterizeIrmen(name: string, seed: string | number, p: IrmenParams, stageDelayPs: number, o: DeviceOptions): Promise<DeviceReport> {
  const cells = o.lengthsNm.map((nm) => irmenDynamicsOf({ ...p, fm_length: nm * 1e-9 }, stageDelayPs));
  const tasks: TransferSampleTask[] = [];
  cells.forEach((cell, l) => {
    for (let from = 0; from < o.iterations; from += SLICE) tasks.push({ cell, seed, stream: `irmen-cell/${o.lengthsNm[l]}nm`, from, count: Math.min(SLICE, o.iterations - from) });
  });
  let done = 0;
  const finished = (s: TransferSample): TransferSample => {
    done += s.inputs.length;
    o.onProgress?.(done, tasks.length === 0 ? 0 : o.iterations * cells.length);
    return s;
  };
  let samples: TransferSample[];
  if (o.workers <= 1) samples = tasks.map((t) => finished(sampleTransfer(t)));
  else {
    const pool = new Piscina<TransferSampleTask, TransferSample>({ filename: workerModule('src/device/worker.js'), maxThreads: o.workers, minThreads: 1 });
    try {
      samples = await Promise.all(tasks.map(async (t) => finished(await pool.run(t))));
    } finally {
      await pool.destroy();
    }
  }
  const perLength = Math.ceil(o.iterations / SLICE);
  const lengths = cells.map((cell, l) => {
    const parts = samples.slice(l * perLength, (l + 1) * perLength);
    const join = (k: 'inputs' | 'readouts'): Float64Array => {
      const out = new Float64Array(o.iterations);
      parts.forEach((s, i) => out.set(s[k], i * SLICE));
      return out;
    };
    return summarize(cell, o.lengthsNm[l]!, { inputs: join('inputs'), readouts: join('readouts') });
  });
  const c = cells[0]!;
  return {
    scenario: name,
    seed,
    iterations: o.iterations,
    damping: c.damping,
    stage_time_ps: Math.round(c.stageTime * 1e12),
    read_pulse_ps: Math.round(c.readPulse * 1e12),
    read_rc_ps: Math.round(c.readRc * 1e12),
    time_step_ps: c.timeStep * 1e12,
    settle_tolerance: SETTLE_TOLERANCE,
    lengths,
  };
}
