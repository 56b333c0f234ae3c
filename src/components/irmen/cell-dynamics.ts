import { saturatedLinear } from '../cenn/template.js';
import { GAMMA_ELECTRON, Macrospin, thermalFieldSigma, type MacrospinParams } from './llg.js';
import { demagFactors, hardAxisSaturationField, volume, type MagnetParams } from './magnet.js';
import { pathWeights } from './read-physics.js';

/**
 * The IRMEN cell in time: its magnet under the LLG equation (llg.ts), written by the ME
 * field along the hard axis and read through the IR stack's RC (seed 000, Sec. III, Fig. 3).
 */
export interface CellDynamicsParams {
  readonly magnet: MagnetParams;
  /** Gilbert damping (Table I: 0.01). */
  readonly damping: number;
  /** Time the input is applied before the read: the stage delay, s. */
  readonly stageTime: number;
  /** Length of the read pulse, s (Sec. III: 200 ps). */
  readonly readPulse: number;
  /** Time constant of the readout RC, s: it partly smooths the thermal fluctuations (Fig. 3). */
  readonly readRc: number;
  /** Integration step, s. */
  readonly timeStep: number;
}

/** A readout within 5 % of the input step counts as settled (the switching delay). */
export const SETTLE_TOLERANCE = 0.05;

/** The cell's magnet as a macrospin: long axis z (easy), the ME field along x (hard). */
export function cellMacrospin(p: CellDynamicsParams): MacrospinParams {
  const { along, across } = demagFactors(p.magnet);
  return {
    gamma: GAMMA_ELECTRON,
    alpha: p.damping,
    ms: p.magnet.saturationMagnetization,
    volume: volume(p.magnet),
    temperature: p.magnet.temperature,
    anisotropy: p.magnet.anisotropy,
    demag: [across, across, along],
  };
}

/**
 * One cell: its magnet, the field that saturates it, and the two experiments of seed 000:
 * a stage followed by a read (one Monte Carlo iteration of Fig. 2 and 4), and the settling
 * after a step of the input (the switching delay behind the 1.5 ns stage delay).
 */
export class CellDynamics {
  private readonly spin: Macrospin;
  private readonly hSat: number;
  private readonly sigma: number;
  /** Seed 000's read: the read pulse through the readout RC alone (read-physics.ts: pathWeights). */
  private readonly readWeights: Float64Array;

  constructor(readonly p: CellDynamicsParams) {
    this.spin = new Macrospin(cellMacrospin(p));
    this.readWeights = pathWeights({ readRc: p.readRc, inputRc: 0, window: p.readPulse, step: p.timeStep });
    this.hSat = hardAxisSaturationField(p.magnet);
    this.sigma = thermalFieldSigma(this.spin.p, p.timeStep);
  }

  /** The magnet at rest in the state input `u` sets: m_x = sat(u), tilted from +z. */
  private rest(u: number): void {
    const x = saturatedLinear(u);
    this.spin.set(x, 0, Math.sqrt(Math.max(0, 1 - x * x)));
  }

  /**
   * One iteration: the magnet holds the state of input `from`; input `to` is applied (the ME
   * field to * H_sat along x) for the stage time with thermal noise, then the drive current is
   * pulsed for readPulse and the readout follows m_x through the RC. Returns the readout
   * normalized so that a constant m_x reads as itself.
   */
  iterate(from: number, to: number, normal: () => number): number {
    this.rest(from);
    this.hold(to, this.p.stageTime, normal);
    return this.receive(to, this.readWeights, normal);
  }

  /** Places the magnet at direction m (unit vector, such as a Boltzmann sample). */
  place(m: Float64Array): void {
    this.spin.set(m[0]!, m[1]!, m[2]!);
  }

  /** Lets the magnet move under input `to` (the ME field to * H_sat) for `time` seconds, with thermal noise. */
  hold(to: number, time: number, normal: () => number): void {
    this.spin.applied[0] = to * this.hSat;
    const n = Math.round(time / this.p.timeStep);
    for (let i = 0; i < n; i++) this.spin.stepHeun(this.p.timeStep, normal, this.sigma);
  }

  /**
   * What the next cell receives while input `to` holds the magnet: m_x at each step of the
   * read path, weighted by the path's weights (read-physics.ts: pathWeights, for a path of
   * this step), normalized so that a constant m_x is received as itself.
   */
  receive(to: number, weights: Float64Array, normal: () => number): number {
    this.spin.applied[0] = to * this.hSat;
    let v = 0;
    let g = 0;
    for (let i = 0; i < weights.length; i++) {
      this.spin.stepHeun(this.p.timeStep, normal, this.sigma);
      v += weights[i]! * this.spin.m[0]!;
      g += weights[i]!;
    }
    return v / g;
  }

  /**
   * The magnetization while input `to` acts on a magnet that held `from`, with thermal noise:
   * (m_x, m_y, m_z) every `every` seconds over `duration`, as consecutive triples.
   */
  trajectory(from: number, to: number, duration: number, every: number, normal: () => number): Float64Array {
    const dt = this.p.timeStep;
    this.rest(from);
    this.spin.applied[0] = to * this.hSat;
    const samples = Math.floor(duration / every) + 1;
    const out = new Float64Array(3 * samples);
    const stride = Math.max(1, Math.round(every / dt));
    for (let k = 0; k < samples; k++) {
      if (k > 0) for (let i = 0; i < stride; i++) this.spin.stepHeun(dt, normal, this.sigma);
      out.set(this.spin.m, 3 * k);
    }
    return out;
  }

  /**
   * Time after the input steps from `from` to `to` (no thermal noise: RK4) until m_x stays
   * within `tolerance` x |sat(to) - sat(from)| of its final value sat(to); Infinity if it has
   * not settled within `horizon`.
   */
  settlingTime(from: number, to: number, tolerance: number, horizon = 20e-9): number {
    const dt = this.p.timeStep;
    this.rest(from);
    this.spin.applied[0] = to * this.hSat;
    const final = saturatedLinear(to);
    const band = tolerance * Math.abs(final - saturatedLinear(from));
    const steps = Math.round(horizon / dt);
    let lastOutside = 0;
    for (let i = 1; i <= steps; i++) {
      this.spin.stepRK4(dt);
      if (Math.abs(this.spin.m[0]! - final) > band) lastOutside = i;
    }
    return lastOutside >= steps ? Infinity : lastOutside * dt;
  }
}
