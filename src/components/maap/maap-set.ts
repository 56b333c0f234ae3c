import { topicKey, type Topic } from '../../scheduler/bus.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { imageNormalsFor, type CounterNormals } from '../random.js';
import { setOutput, trimCurrentEnergy, type SetDevices, type SetModel } from './set-response.js';
import { IMAGES, type ComponentClass } from '../records.js';

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
  /** The output's place in the image (outputRank plus the layers before): numbers its thermal draws. */
  readonly rank: number;
  /** The pooling window's conv sums, one per activation pair (pairSums), computed once for all R sets. */
  readonly sums: Float64Array;
  /** What a set without variation or noise reads out for it (the same for every set: computed once). */
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
 * The conv sums of an operation's pooling window, one per activation pair (window position
 * py * pool + px), into `into`: each pair's SHE layer sums its inputs' currents. Returns the count.
 */
export function pairSums(run: MaapOperation, into: Float64Array): number {
  const { maps, kernel, convStride, pool, patch } = run.geometry;
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
      into[py * pool + px] = sum;
    }
  }
  return pool * pool;
}

/**
 * One physical MAAP set (multiply-accumulate-activate-pool, seed 003): a winner-take-all of
 * SHE-MTJ activation pairs computing max(ReLU(conv)) over a pooling window in one operation
 * of `runtime` (setOutput). Its devices are the chip's (drawn once, trimmed once: chipSets);
 * thermal noise comes from its counter-based stream for the image, numbered by the output's
 * rank, so each measurement draws the same numbers in either mode whatever the order.
 */
export class MaapSet extends Component {
  readonly kind: ComponentClass = 'spintronic';
  private readonly run: ActionSpec;
  private readonly trimRead: ActionSpec;
  private readonly trimCurrent: ActionSpec | undefined;
  private readonly measured: Topic<MaapMeasurement>;
  private thermal: CounterNormals | undefined;

  constructor(
    ctx: SimContext,
    name: string,
    readonly index: number,
    readonly runtime: number,
    energyPerOp: number,
    readonly model: SetModel,
    readonly devices: SetDevices,
    /** A calibration measurement's energy: the set's and its OTAs' (they drive the calibration current). */
    trimReadEnergy: number,
  ) {
    super(ctx, name);
    this.run = this.declareEnergy('maap_op', energyPerOp, 'one MAAP measurement: MTJ stack leakage while it runs');
    // The trims are currents: each pair's DAC sources |trim| of the full-scale current for the whole measurement.
    const trimEnergy = trimCurrentEnergy(model, devices, runtime);
    this.trimCurrent = trimEnergy > 0 ? this.declareEnergy('trim_current', trimEnergy, "the pairs' trim currents during one measurement (supply x current x runtime)") : undefined;
    this.trimRead = this.declareEnergy('maap_trim_read', trimReadEnergy, 'one measurement of the mean-error calibration (setup), with its OTA drive');
    this.measured = ctx.bus.topic(MAAP_MEASURED);
    this.result = { id: 0, set: index, value: 0, ideal: 0, op: '' };
    ctx.bus.topic(maapRunOf(name)).listen((r) => this.measure(r));
    // Each image's thermal draws are keyed by its id (as the functional model keys them).
    ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase === 'start') this.thermal = model.sigma === 0 ? undefined : imageNormalsFor(ctx.seed, name, m.id ?? `run/${m.image}`);
    });
  }


  /** The calibration's measurements (setup): their energy and time; the trim itself is the chip's (chipSets). */
  calibrate(measurements: number): void {
    this.performFor(this.trimRead, measurements, measurements * this.runtime, 'trim', this.tracing ? { trim_codes: Array.from(this.devices.trimCodes).join(' ') } : undefined);
  }

  /**
   * The measurement under way (a set runs one at a time: its group holds it). Reported in
   * one reused message, valid while delivered.
   */
  private readonly result: { id: number; set: number; value: number; ideal: number; op: string };

  private measure(r: MaapRun): void {
    const value = setOutput(this.model, this.devices, r.sums, r.geometry.pool * r.geometry.pool, this.thermal, r.rank * this.model.pairs);
    this.performFor(this.run, 1, this.runtime, r.op, this.tracing ? { ideal: r.ideal, value } : undefined);
    if (this.trimCurrent !== undefined) this.performFor(this.trimCurrent, 1, this.runtime, r.op);
    if (this.signalling) this.signal('busy', '1', r.op);
    const m = this.result;
    m.id = r.id;
    m.value = value;
    m.ideal = r.ideal;
    m.op = r.op;
    this.kernel.after(this.runtime, this.done, m);
  }

  private readonly done = (m: MaapMeasurement): void => {
    if (this.signalling) this.signal('busy', '0', m.op);
    this.measured.publish(m);
  };
}
