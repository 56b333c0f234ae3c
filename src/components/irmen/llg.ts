import { KB, MU0 } from './magnet.js';

/**
 * A macrospin under the Landau-Lifshitz-Gilbert equation in its Landau-Lifshitz form
 * (seed 000 Eq. 1):
 *
 *   dm/dt = -gamma' mu0 [ m x H + alpha m x (m x H) ],   gamma' = gamma / (1 + alpha^2)
 *
 * with m the unit magnetization and H the effective field in A/m: uniaxial crystalline
 * anisotropy along the magnet's long axis (z), its shape anisotropy from the demagnetizing
 * factors, an applied field (the magnetoelectric field, along the hard axis x), and a
 * thermal field.
 *
 * Thermal field (W. F. Brown, Phys. Rev. 130, 1677 (1963)). Fluctuation-dissipation asks the
 * field's autocorrelation to be <H_i(t) H_j(t')> = D delta_ij delta(t - t') with
 * D = 2 alpha kT / (gamma mu0^2 Ms V) for the Gilbert form of the equation (gamma in rad/(s T)):
 * the Gilbert damping term mu0 gamma alpha m x dm/dt dissipates energy at the rate the field's
 * noise pumps it in, so that the equilibrium is Boltzmann's exp(-E/kT) with E = -mu0 Ms V m.H.
 * Over a step dt the field is held constant, a Gaussian of variance D / dt per component.
 * (Units: kT/(gamma mu0^2 Ms V) is J / ((1/(s T)) (T m/A)^2 (A/m) m^3) = A^2 s / m^2, and
 * divided by dt it is (A/m)^2.) The Boltzmann and Neel-Brown tests check this constant.
 *
 * Integration: fourth-order Runge-Kutta for the deterministic equation; for the stochastic
 * one Heun's predictor-corrector, which converges to the Stratonovich solution that the
 * physical (coloured-noise limit) equation has (Garcia-Palacios and Lazaro, Phys. Rev. B 58,
 * 14937 (1998)); Euler would converge to the Ito one and drift. |m| is renormalized after
 * each step. Allocation-free: the scratch vectors are the integrator's own.
 */
export interface MacrospinParams {
  /** Gyromagnetic ratio, rad/(s T) (electron: 1.7609e11). */
  readonly gamma: number;
  /** Gilbert damping (Table I: 0.01). */
  readonly alpha: number;
  /** Saturation magnetization, A/m. */
  readonly ms: number;
  /** Volume, m^3. */
  readonly volume: number;
  /** Temperature, K. */
  readonly temperature: number;
  /** Crystalline anisotropy K, J/m^3, along z. */
  readonly anisotropy: number;
  /** Demagnetizing factors along x, y, z (they sum to 1). */
  readonly demag: readonly [number, number, number];
}

/** The electron's gyromagnetic ratio, rad/(s T) (CODATA 2018: 1.76085963e11). */
export const GAMMA_ELECTRON = 1.76085963e11;

/** Anisotropy field H_K = 2K / (mu0 Ms), A/m. */
export const anisotropyField = (p: MacrospinParams): number => (2 * p.anisotropy) / (MU0 * p.ms);

/** Standard deviation of each thermal field component held over a step dt, A/m (see above). */
export const thermalFieldSigma = (p: MacrospinParams, dt: number): number => Math.sqrt((2 * p.alpha * KB * p.temperature) / (p.gamma * MU0 * MU0 * p.ms * p.volume * dt));

/** Energy barrier over kT along the easy axis with no field: Delta = K_eff V / kT, with the shape anisotropy along z counted in. */
export const barrier = (p: MacrospinParams): number => ((p.anisotropy + (MU0 * p.ms * p.ms * (p.demag[0] - p.demag[2])) / 2) * p.volume) / (KB * p.temperature);

/**
 * |(x, y, z)| exactly as Math.hypot computes it (V8: each magnitude over the largest, squared
 * and Kahan-summed, the root times the largest: the same bits, which a test checks), without
 * the builtin's per-call array: it renormalizes m after every step, about 6x faster.
 */
export function hypot3(x: number, y: number, z: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  const az = Math.abs(z);
  // The largest magnitude, NaNs passed over (then: infinity wins over NaN, NaN over the rest).
  let max = 0;
  if (ax > max) max = ax;
  if (ay > max) max = ay;
  if (az > max) max = az;
  if (max === Infinity) return Infinity;
  if (Number.isNaN(x) || Number.isNaN(y) || Number.isNaN(z)) return NaN;
  if (max === 0) return 0;
  let n = ax / max;
  let summand = n * n;
  let sum = summand;
  let compensation = sum - 0 - summand;
  n = ay / max;
  summand = n * n - compensation;
  let preliminary = sum + summand;
  compensation = preliminary - sum - summand;
  sum = preliminary;
  n = az / max;
  summand = n * n - compensation;
  sum += summand;
  return Math.sqrt(sum) * max;
}

/** A macrospin and its integrators. `m` is read and written in place. */
export class Macrospin {
  readonly m = new Float64Array([0, 0, 1]);
  /** Applied field, A/m (the magnetoelectric field is along x). */
  readonly applied = new Float64Array(3);
  private readonly hK: number;
  private readonly rate: number;
  private readonly k = [new Float64Array(3), new Float64Array(3), new Float64Array(3), new Float64Array(3)] as const;
  private readonly h = new Float64Array(3);
  private readonly tmp = new Float64Array(3);
  private readonly noise = new Float64Array(3);

  constructor(readonly p: MacrospinParams) {
    this.hK = anisotropyField(p);
    this.rate = (p.gamma * MU0) / (1 + p.alpha * p.alpha);
  }

  set(x: number, y: number, z: number): void {
    const n = hypot3(x, y, z);
    this.m[0] = x / n;
    this.m[1] = y / n;
    this.m[2] = z / n;
  }

  /** Effective field at m (anisotropy, shape, applied, and the thermal field of this step), into `h`. */
  private field(m: Float64Array): void {
    const ms = this.p.ms;
    const d = this.p.demag;
    this.h[0] = -ms * d[0] * m[0]! + this.applied[0]! + this.noise[0]!;
    this.h[1] = -ms * d[1] * m[1]! + this.applied[1]! + this.noise[1]!;
    this.h[2] = (this.hK - ms * d[2]) * m[2]! + this.applied[2]! + this.noise[2]!;
  }

  /** dm/dt at m, into `out`. */
  private derivative(m: Float64Array, out: Float64Array): void {
    this.field(m);
    const h = this.h;
    // m x H
    const cx = m[1]! * h[2]! - m[2]! * h[1]!;
    const cy = m[2]! * h[0]! - m[0]! * h[2]!;
    const cz = m[0]! * h[1]! - m[1]! * h[0]!;
    // m x (m x H)
    const dx = m[1]! * cz - m[2]! * cy;
    const dy = m[2]! * cx - m[0]! * cz;
    const dz = m[0]! * cy - m[1]! * cx;
    const a = this.p.alpha;
    out[0] = -this.rate * (cx + a * dx);
    out[1] = -this.rate * (cy + a * dy);
    out[2] = -this.rate * (cz + a * dz);
  }

  private normalize(): void {
    const m = this.m;
    const n = hypot3(m[0]!, m[1]!, m[2]!);
    m[0]! /= n;
    m[1]! /= n;
    m[2]! /= n;
  }

  /** One fourth-order Runge-Kutta step of dt seconds, no thermal field. `renormalize: false` leaves |m| as the scheme keeps it. */
  stepRK4(dt: number, renormalize = true): void {
    this.noise.fill(0);
    const [k1, k2, k3, k4] = this.k;
    const m = this.m;
    const t = this.tmp;
    this.derivative(m, k1);
    for (let i = 0; i < 3; i++) t[i] = m[i]! + 0.5 * dt * k1[i]!;
    this.derivative(t, k2);
    for (let i = 0; i < 3; i++) t[i] = m[i]! + 0.5 * dt * k2[i]!;
    this.derivative(t, k3);
    for (let i = 0; i < 3; i++) t[i] = m[i]! + dt * k3[i]!;
    this.derivative(t, k4);
    for (let i = 0; i < 3; i++) m[i] = m[i]! + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    if (renormalize) this.normalize();
  }

  /**
   * One stochastic Heun step of dt seconds: the thermal field drawn once for the step (three
   * standard normals from `normal`, scaled by thermalFieldSigma), used by predictor and corrector.
   */
  stepHeun(dt: number, normal: () => number, sigma = thermalFieldSigma(this.p, dt)): void {
    this.noise[0] = sigma * normal();
    this.noise[1] = sigma * normal();
    this.noise[2] = sigma * normal();
    const [k1, k2] = this.k;
    const m = this.m;
    const t = this.tmp;
    this.derivative(m, k1);
    for (let i = 0; i < 3; i++) t[i] = m[i]! + dt * k1[i]!;
    this.derivative(t, k2);
    for (let i = 0; i < 3; i++) m[i] = m[i]! + 0.5 * dt * (k1[i]! + k2[i]!);
    this.normalize();
  }
}
