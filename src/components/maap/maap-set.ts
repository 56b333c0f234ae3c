import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import { quantity, ratio } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { RandomStream } from '../random.js';
import type { ComponentClass } from '../records.js';

/** Process variation of a MAAP set's devices (seed 003 Sec. 4; its refs. [3, 15-17]). */
export const variationParams = z.strictObject({
  /** Relative spread of MTJ resistance. */
  resistance_sigma: ratio(0, 1),
  /** Relative spread of the SHE-MTJ critical current. */
  critical_current_sigma: ratio(0, 1),
  /** Spread of the readout transistors' threshold voltage (seed 003 studies 0-20 mV). */
  threshold_sigma: quantity('voltage', { min: 0 }),
  /** Voltage swing that a full-scale output spans at the readout inverter. */
  output_swing: quantity('voltage', { positive: true }),
});

export type VariationParams = z.output<typeof variationParams>;

/** The shape of one MAAP operation: a pooling window of convolutions over a patch of inputs. */
export interface MaapGeometry {
  readonly maps: number;
  readonly kernel: number;
  readonly convStride: number;
  readonly pool: number;
  /** Side of the input patch: (pool - 1) * convStride + kernel. */
  readonly patch: number;
}

/** One operation as the OTAs drive it into a set: the patch, the template and the bias. */
export interface MaapOperation {
  readonly geometry: MaapGeometry;
  /** Input patch, map-major, as the OTAs drive it (normalized). */
  readonly inputs: Float64Array;
  /** The template (maps x kernel x kernel), normalized weights. */
  readonly weights: Float64Array;
  readonly bias: number;
}

/** One measurement: run an operation on this set. */
export interface MaapRun extends MaapOperation {
  readonly id: number;
  readonly op: string;
  /** What a set without variation reads out for it (the same for every set: computed once). */
  readonly ideal: number;
}

export interface MaapMeasurement {
  readonly id: number;
  readonly set: number;
  readonly value: number;
  /** What a set without variation would have read out. */
  readonly ideal: number;
  readonly op: string;
}

export const maapRunOf = (set: string) => topicKey<MaapRun>(`${set}/run`);
export const MAAP_MEASURED = topicKey<MaapMeasurement>('maap/measured');

/**
 * The ideal MAAP result: the maximum over the pooling window of ReLU(conv). The winner-take-
 * all of activation pairs picks the maximum; each pair's SHE layer sums its inputs' currents.
 */
export function maapIdeal(run: MaapOperation): number {
  const { maps, kernel, convStride, pool, patch } = run.geometry;
  let best = 0;
  for (let py = 0; py < pool; py++) {
    for (let px = 0; px < pool; px++) {
      let sum = run.bias;
      for (let j = 0; j < maps; j++) {
        for (let ky = 0; ky < kernel; ky++) {
          const row = (j * patch + py * convStride + ky) * patch + px * convStride;
          const wrow = (j * kernel + ky) * kernel;
          for (let kx = 0; kx < kernel; kx++) sum += run.weights[wrow + kx]! * run.inputs[row + kx]!;
        }
      }
      if (sum > best) best = sum;
    }
  }
  return best;
}

/** A set's deviation from nominal: the slope (gain) and shift (offset) of its activation. */
export interface MaapDeviation {
  readonly gain: number;
  readonly offset: number;
}

/**
 * Draws a set's deviation from its own stream (once: it belongs to the device). First-order
 * sensitivities: slope ~ 1/Ic; the divider's midpoint moves by half the relative resistance
 * change; a threshold shift moves the output by dVt / swing.
 */
export function drawDeviation(rng: RandomStream, variation: VariationParams): MaapDeviation {
  const dIc = rng.normal(0, variation.critical_current_sigma);
  const dR = rng.normal(0, variation.resistance_sigma);
  const dVt = rng.normal(0, variation.threshold_sigma);
  return { gain: 1 / (1 + dIc), offset: dR / 2 + dVt / variation.output_swing };
}

/** What a set with deviation `d` reads out for an ideal result (clipped to the output range [0, 1]). */
export function maapTransfer(ideal: number, d: MaapDeviation): number {
  const v = ideal * d.gain + d.offset;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** A set without variation. */
export const NOMINAL: MaapDeviation = { gain: 1, offset: 0 };

/**
 * One physical MAAP set (multiply-accumulate-activate-pool, seed 003): SHE-MTJ activation
 * pairs in a winner-take-all computing max(ReLU(conv)) over a pooling window in one
 * operation of `runtime`. Its devices deviate from nominal by amounts drawn once, from its
 * own stream, when it is made: the critical current sets the activation's slope (gain), the
 * MTJ resistance and the inverter threshold shift its output (offset). So every set has
 * its own error, and averaging R sets shrinks the spread by sqrt(R).
 */
export class MaapSet extends Component {
  readonly kind: ComponentClass = 'spintronic';
  readonly deviation: MaapDeviation;
  private readonly run: ActionSpec;
  private readonly measured: Topic<MaapMeasurement>;

  constructor(
    ctx: SimContext,
    name: string,
    readonly index: number,
    readonly runtime: number,
    energyPerOp: number,
    variation: VariationParams,
  ) {
    super(ctx, name);
    this.deviation = drawDeviation(this.rng, variation);
    this.run = this.declareEnergy('maap_op', energyPerOp, 'one MAAP measurement: MTJ stack leakage while it runs');
    this.measured = ctx.bus.topic(MAAP_MEASURED);
    this.result = { id: 0, set: index, value: 0, ideal: 0, op: '' };
    ctx.bus.topic(maapRunOf(name)).listen((r) => this.measure(r));
  }

  /** What this set reads out for an ideal result `ideal` (clipped to the output range [0, 1]). */
  respond(ideal: number): number {
    return maapTransfer(ideal, this.deviation);
  }

  /**
   * The measurement under way (a set runs one at a time: its group holds it). Reported in
   * one reused message, valid while delivered.
   */
  private readonly result: { id: number; set: number; value: number; ideal: number; op: string };

  private measure(r: MaapRun): void {
    const ideal = r.ideal;
    const value = this.respond(ideal);
    this.performFor(this.run, 1, this.runtime, r.op, this.tracing ? { ideal, value, gain: this.deviation.gain, offset: this.deviation.offset } : undefined);
    if (this.signalling) this.signal('busy', '1', r.op);
    const m = this.result;
    m.id = r.id;
    m.value = value;
    m.ideal = Math.min(1, ideal);
    m.op = r.op;
    this.kernel.after(this.runtime, this.done, m);
  }

  private readonly done = (m: MaapMeasurement): void => {
    if (this.signalling) this.signal('busy', '0', m.op);
    this.measured.publish(m);
  };
}
