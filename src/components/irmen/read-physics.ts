import { MU0, hardAxisSaturationField, thermalSpread, type MagnetParams } from './magnet.js';

/**
 * What the next cell receives when an IRMEN cell is read: the magnet's hard-axis
 * magnetization m_x, fluctuating thermally about the state the stored ME field sets, passed
 * through the readout RC of the IR stack and then through the receiving cell's own input RC
 * (its shunt resistor charging its ME capacitor) within the stage's power window, and read
 * at the window's end (seed 000 Fig. 3: the readout "is slightly damped by the RC delay of
 * the readout capacitance which partially smooths the thermal fluctuations of the magnet").
 *
 * Derived once, for a magnet that has settled at its field (the LLG table, read-table.ts,
 * adds the stage's own dynamics on top of the same read path):
 *
 * 1. Statics. The energy is E = K_eff V (m_x^2 + m_y^2) - mu0 Ms H V m_x (crystalline plus
 *    shape anisotropy, axially symmetric for a square section), so at reduced field
 *    u = H / H_sat the Boltzmann density on the sphere, in m_x = x (Archimedes: uniform
 *    measure in x) after integrating the angle about the x axis, is
 *      p(x) ~ exp(beta (2 u x - x^2)) I0e(beta (1 - x^2) / 2),   beta = K_eff V / kT = 1 / (2 sigma^2)
 *    with sigma^2 = kT / (2 K_eff V) the equipartition spread (magnet.ts: thermalSpread).
 *    Its mean and variance are the read's mean and unfiltered variance at any u, saturated
 *    or not: a cell driven past saturation sits at m_x = 0.998 with a spread of about 0.002,
 *    not at 1 - |N(0, sigma)|.
 *
 * 2. Dynamics. Linearized about its equilibrium direction, the LLG equation is a 2-D
 *    Ornstein-Uhlenbeck process in the two tangent coordinates a (toward x) and b (along y):
 *      d(a, b)/dt = -gamma' mu0 H_sat [[alpha h1, h2], [-h1, alpha h2]] (a, b) + thermal field
 *    with stiffnesses h1 = 1 - u^2, h2 = 1 below saturation and h1 = |u| - 1, h2 = |u| above.
 *    Its stationary covariance is equipartition's (kT / (mu0 Ms V H_sat h_i)) and its
 *    autocovariance C(t) = exp(A t) Sigma: precession at gamma mu0 H_sat sqrt(h1 h2)
 *    (about 19 GHz at 30 nm), damped at alpha gamma mu0 H_sat (h1 + h2) / 2. Near |u| = 1
 *    the linear stiffness h1 vanishes and the quartic term holds the magnet; equivalent
 *    linearization of that quartic well, E = K_eff V delta^4 / 4, gives an effective h1 of
 *    sigma / 0.956 at u = 1 (<delta^2> = 2 sqrt(2) sigma Gamma(3/4) / Gamma(1/4)), which is
 *    added in quadrature.
 *    The fast part of m_x is the precession, cos(theta0) a: its normalized autocovariance
 *    is C_aa(t) / C_aa(0).
 *    The slow part is what the precession leaves: m_x averaged over one orbit, which moves
 *    only as the orbit's energy relaxes, at twice the amplitude's damping rate (see
 *    slowVariance: the orbits are circles in the (m_x, m_y) projection, and its variance
 *    over the Boltzmann weight of the orbits is exact; it carries the anharmonic shift of
 *    the orbit's centre, which the linearized process misses, and near saturation most of
 *    the spread).
 *
 * 3. The read path is linear, with impulse response k over the window; the received value is
 *    normalized by the path's step response, so a constant m_x is received as itself. It
 *    passes sum_ij k_i k_j rho(t_i - t_j) / (sum k)^2 of a process of normalized
 *    autocovariance rho. The received variance is the slow part's variance times what the
 *    path passes of it, plus the rest of step 1's static variance times what it passes of
 *    the fast part.
 *
 * read-physics.test.ts checks the result against the LLG solver (llg.ts) driven from
 * Boltzmann samples through the same path.
 */

/** The read path in seconds: the readout RC, the receiving cell's input RC, and how long the cell is read. */
export interface ReadPath {
  readonly readRc: number;
  readonly inputRc: number;
  readonly window: number;
  /** Time step of the discretized path (the LLG solver's step, so both see the same path). */
  readonly step: number;
}

export interface ReadPhysicsParams {
  readonly magnet: MagnetParams;
  /** Gilbert damping. */
  readonly damping: number;
  readonly gamma: number;
  readonly path: ReadPath;
  /**
   * Times the physical thermal spread sigma (1: the physics as it is; 0: no thermal
   * agitation, the ideal saturated-linear read). The whole model is taken at scale x sigma,
   * so the spread scales with it and the mean's thermal rounding near saturation goes with it.
   */
  readonly noiseScale: number;
}

/** Mean and standard deviation of what the next cell receives from a cell at reduced field u. */
export interface ReadMoments {
  readonly mean: number;
  readonly sd: number;
}

/** Exponentially scaled modified Bessel function e^-x I0(x), x >= 0 (Abramowitz and Stegun 9.8.1, 9.8.2; |error| < 2e-7 relative). */
export function besselI0e(x: number): number {
  if (x < 3.75) {
    const t = (x / 3.75) ** 2;
    const i0 = 1 + t * (3.5156229 + t * (3.0899424 + t * (1.2067492 + t * (0.2659732 + t * (0.0360768 + t * 0.0045813)))));
    return i0 * Math.exp(-x);
  }
  const t = 3.75 / x;
  const p = 0.39894228 + t * (0.01328592 + t * (0.00225319 + t * (-0.00157565 + t * (0.00916281 + t * (-0.02057706 + t * (0.02635537 + t * (-0.01647633 + t * 0.00392377)))))));
  return p / Math.sqrt(x);
}

/** Simpson intervals of the static integral, in s with x = 1 - 2 s^2 (fine near x = 1, where a saturated magnet sits). */
const STATIC_INTERVALS = 4000;

/**
 * Boltzmann mean and variance of m_x at reduced field u >= 0 for equipartition spread sigma
 * (step 1 above). Negative fields are the mirror image.
 */
export function boltzmannMx(u: number, sigma: number): { mean: number; variance: number } {
  const beta = 1 / (2 * sigma * sigma);
  const logP = (s: number): number => {
    const x = 1 - 2 * s * s;
    return beta * (2 * u * x - x * x) + Math.log(besselI0e((beta * (1 - x * x)) / 2));
  };
  // A coarse scan finds where the density lives (it is narrow for a stiff magnet), then
  // Simpson's rule over that range alone.
  const n = STATIC_INTERVALS;
  let top = -Infinity;
  let peak = 0;
  for (let i = 0; i <= n; i++) {
    const l = logP(i / n);
    if (l > top) [top, peak] = [l, i];
  }
  let lo = peak;
  let hi = peak;
  while (lo > 0 && logP(lo / n) > top - 40) lo--;
  while (hi < n && logP(hi / n) > top - 40) hi++;
  lo = Math.max(0, lo - 1);
  hi = Math.min(n, hi + 1);
  const [s0, s1] = [lo / n, hi / n];
  let z = 0;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i <= n; i++) {
    const s = s0 + ((s1 - s0) * i) / n;
    const x = 1 - 2 * s * s;
    const w = (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * 4 * s * Math.exp(logP(s) - top);
    z += w;
    m1 += w * x;
    m2 += w * x * x;
  }
  const mean = m1 / z;
  return { mean, variance: Math.max(0, m2 / z - mean * mean) };
}

/**
 * Draws magnet directions from the Boltzmann density at reduced field u >= 0 (step 1), in
 * the +z hemisphere a cell's magnet stays in: m_x by inverse transform on the grid, then the
 * angle about x by rejection from exp(-beta (1 - x^2) cos^2 psi). For starting the LLG solver
 * in equilibrium (tests, and the LLG table's previous states).
 */
export class BoltzmannSampler {
  private readonly xs = new Float64Array(STATIC_INTERVALS + 1);
  private readonly cdf = new Float64Array(STATIC_INTERVALS + 1);
  private readonly beta: number;

  constructor(
    readonly u: number,
    sigma: number,
  ) {
    this.beta = 1 / (2 * sigma * sigma);
    const n = STATIC_INTERVALS;
    const logs = new Float64Array(n + 1);
    let top = -Infinity;
    for (let i = 0; i <= n; i++) {
      const s = i / n;
      const x = 1 - 2 * s * s;
      this.xs[i] = x;
      logs[i] = this.beta * (2 * Math.abs(u) * x - x * x) + Math.log(besselI0e((this.beta * (1 - x * x)) / 2));
      top = Math.max(top, logs[i]!);
    }
    let acc = 0;
    for (let i = 0; i <= n; i++) {
      const s = i / n;
      acc += 4 * s * Math.exp(logs[i]! - top) * (1 / n);
      this.cdf[i] = acc;
    }
    for (let i = 0; i <= n; i++) this.cdf[i]! /= acc;
  }

  /** One direction (m_x, m_y, m_z) into `out`, from uniforms drawn by `uniform`. */
  sample(uniform: () => number, out: Float64Array): void {
    const r = uniform();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    const prev = lo === 0 ? 0 : this.cdf[lo - 1]!;
    const f = lo === 0 ? 0 : (r - prev) / Math.max(1e-300, this.cdf[lo]! - prev);
    const x = lo === 0 ? this.xs[0]! : this.xs[lo - 1]! + f * (this.xs[lo]! - this.xs[lo - 1]!);
    const rho = Math.sqrt(Math.max(0, 1 - x * x));
    const c = this.beta * rho * rho;
    let psi: number;
    do psi = Math.PI * uniform();
    while (uniform() > Math.exp(-c * Math.cos(psi) ** 2));
    out[0] = this.u < 0 ? -x : x;
    out[1] = rho * Math.cos(psi);
    out[2] = rho * Math.sin(psi);
  }
}

/** The path's weights: what a unit of m_x at step i adds to the received value (before normalization). */
export function pathWeights(path: ReadPath): Float64Array {
  const n = Math.max(1, Math.round(path.window / path.step));
  const kr = path.readRc > 0 ? 1 - Math.exp(-path.step / path.readRc) : 1;
  const kc = path.inputRc > 0 ? 1 - Math.exp(-path.step / path.inputRc) : 1;
  // r_i = r_{i-1} + kr (m_i - r_{i-1}); c_i = c_{i-1} + kc (r_i - c_{i-1}); received: c_{n-1}.
  // dc/dm_i = kr sum_{j >= i} kc (1 - kc)^(n-1-j) (1 - kr)^(j-i), summed from the end.
  const w = new Float64Array(n);
  let s = 0;
  for (let i = n - 1; i >= 0; i--) {
    s = kc * (1 - kc) ** (n - 1 - i) + (1 - kr) * s;
    w[i] = kr * s;
  }
  return w;
}

/** Lag sums R_k = sum_i w_i w_(i+k) (doubled for k > 0), over the normalized weights. */
function lagSums(w: Float64Array): Float64Array {
  let g = 0;
  for (let i = 0; i < w.length; i++) g += w[i]!;
  const r = new Float64Array(w.length);
  for (let k = 0; k < w.length; k++) {
    let s = 0;
    for (let i = 0; i + k < w.length; i++) s += w[i]! * w[i + k]!;
    r[k] = ((k === 0 ? 1 : 2) * s) / (g * g);
  }
  return r;
}

/** Equivalent linear stiffness of the quartic well at |u| = 1, over sigma: 1 / (2 sqrt(2) Gamma(3/4) / Gamma(1/4)). */
const QUARTIC_STIFFNESS = 1 / 0.955_97;

/** Radii and angles of the orbit integrals (Simpson, even counts). */
const ORBIT_RADII = 160;
const ORBIT_ANGLES = 48;
/** Energies up to this many kT above the minimum carry the slow part. */
const ORBIT_KT = 30;

/**
 * The slow part of m_x: its average over a precession orbit, which moves only as the orbit's
 * energy relaxes. Projected on the (m_x, m_y) disk, E / (K_eff V) = m_x^2 + m_y^2 - 2 u m_x, so
 * the orbits are circles about (u, 0) of radius r (clipped to the disk: an orbit that reaches
 * the equator continues, mirrored, in the other hemisphere), with dA = dm_x dm_y / m_z. The
 * orbit average of m_x is the microcanonical one, <m_x>_r = int m_x / m_z dphi / int 1 / m_z dphi;
 * its variance over the Boltzmann weight of the orbits, exp(-beta r^2) r int 1 / m_z dphi, is
 * the variance of the slow part. (Below saturation its leading term is the anharmonic shift
 * of the orbit's centre, which the linearized process misses.)
 */
export function slowVariance(u: number, sigma: number): number {
  const beta = 1 / (2 * sigma * sigma);
  const r0 = u < 1 ? 0 : u - 1;
  const r1 = Math.sqrt(r0 * r0 + ORBIT_KT / beta);
  let z = 0;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i <= ORBIT_RADII; i++) {
    const r = r0 + ((r1 - r0) * i) / ORBIT_RADII;
    if (r <= 0) continue;
    // The arc inside the disk: 1 - u^2 - r^2 - 2 u r cos(phi) > 0, phi in (phiC, pi] (mirror-symmetric in phi).
    const kappa = (1 - u * u - r * r) / (2 * u * r);
    const phiC = u === 0 || kappa >= 1 ? 0 : kappa <= -1 ? Math.PI : Math.acos(kappa);
    if (phiC >= Math.PI) continue;
    // phi = phiC + (pi - phiC) s^2 takes the 1 / m_z edge singularity out.
    let g = 0;
    let gx = 0;
    for (let j = 0; j <= ORBIT_ANGLES; j++) {
      const sj = j / ORBIT_ANGLES;
      const phi = phiC + (Math.PI - phiC) * sj * sj;
      const mz2 = 1 - u * u - r * r - 2 * u * r * Math.cos(phi);
      const jac = 2 * (Math.PI - phiC) * sj;
      if (mz2 <= 0 || jac === 0) continue;
      const wj = ((j === 0 || j === ORBIT_ANGLES ? 1 : j % 2 === 1 ? 4 : 2) * jac) / Math.sqrt(mz2);
      g += wj;
      gx += wj * (u + r * Math.cos(phi));
    }
    if (g === 0) continue;
    const y = gx / g;
    const wi = (i === 0 || i === ORBIT_RADII ? 1 : i % 2 === 1 ? 4 : 2) * r * g * Math.exp(-beta * (r * r - r0 * r0));
    z += wi;
    m1 += wi * y;
    m2 += wi * y * y;
  }
  if (z === 0) return 0;
  const mean = m1 / z;
  return Math.max(0, m2 / z - mean * mean);
}

/** What the read path passes of a process whose normalized autocovariance is rho(k dt): sum_k R_k rho_k. */
function passed(lags: Float64Array, rho: (k: number) => number): number {
  let s = 0;
  for (let k = 0; k < lags.length; k++) s += lags[k]! * rho(k);
  return s;
}

/** Dynamics of the linearized LLG about the equilibrium at reduced field u >= 0 (step 2 above): d(a, b)/dt = A (a, b), in 1/s. */
export interface LinearLlg {
  readonly a11: number;
  readonly a12: number;
  readonly a21: number;
  readonly a22: number;
}

export function linearizedLlg(u: number, sigma: number, p: Pick<ReadPhysicsParams, 'magnet' | 'damping' | 'gamma'>): LinearLlg {
  const below = u < 1;
  const linear = below ? 1 - u * u : u - 1;
  const h1 = Math.hypot(linear, QUARTIC_STIFFNESS * sigma);
  const h2 = below ? 1 : u;
  const alpha = p.damping;
  const rate = ((p.gamma * MU0) / (1 + alpha * alpha)) * hardAxisSaturationField(p.magnet);
  return { a11: -rate * alpha * h1, a12: -rate * h2, a21: rate * h1, a22: -rate * alpha * h2 };
}

/**
 * The magnet's relaxation time about the state of reduced field u (settled, no noise): the
 * inverse of the decay rate of its precession, 2 (1 + alpha^2) / (alpha gamma mu0 H_sat (h1 + h2)),
 * about 1 / (alpha gamma mu0 H_sat) at 0 and twice that at saturation. A stage shorter than a
 * few of these leaves the previous state in the read.
 */
export function relaxationTime(u: number, p: Pick<ReadPhysicsParams, 'magnet' | 'damping' | 'gamma'>): number {
  const { a11, a22 } = linearizedLlg(Math.abs(u), 0, p);
  return -2 / (a11 + a22);
}

/**
 * The fractions of variance the read path passes at reduced field u >= 0 (steps 2 and 3
 * above), for equipartition spread sigma: of the fast part (the precession, from the
 * linearized process's autocovariance C_aa(t) / C_aa(0)) and of the slow part (the orbit's
 * energy, which relaxes at twice the amplitude's damping rate).
 */
export function passedFractions(u: number, sigma: number, p: Omit<ReadPhysicsParams, 'noiseScale'>, lags: Float64Array): { fast: number; slow: number } {
  const { a11, a12, a21, a22 } = linearizedLlg(u, sigma, p);
  const dt = p.path.step;
  const mu = (a11 + a22) / 2;
  const disc = ((a11 - a22) / 2) ** 2 + a12 * a21;
  let c: number;
  let s: number;
  if (disc < 0) {
    const nu = Math.sqrt(-disc);
    c = Math.cos(nu * dt);
    s = Math.sin(nu * dt) / nu;
  } else if (disc > 0) {
    const nu = Math.sqrt(disc);
    c = Math.cosh(nu * dt);
    s = Math.sinh(nu * dt) / nu;
  } else {
    c = 1;
    s = dt;
  }
  const e = Math.exp(mu * dt);
  const p11 = e * (c + s * (a11 - mu));
  const p12 = e * s * a12;
  // C(k dt) = Phi^k Sigma with Sigma = diag(sigma^2 / h1, sigma^2 / h2); its first row, normalized by C_aa(0).
  let caa = 1;
  let cba = 0;
  const p21 = e * s * a21;
  const p22 = e * (c + s * (a22 - mu));
  let fast = 0;
  for (let k = 0; k < lags.length; k++) {
    fast += lags[k]! * caa;
    const naa = p11 * caa + p12 * cba;
    cba = p21 * caa + p22 * cba;
    caa = naa;
  }
  const slow = passed(lags, (k) => Math.exp(2 * mu * k * dt));
  const clamp = (x: number): number => Math.min(1, Math.max(0, x));
  return { fast: clamp(fast), slow: clamp(slow) };
}

/** Reduced fields of the table: 0 to FIELD_MAX in FIELD_STEP (a cell's field past FIELD_MAX reads as at FIELD_MAX). */
export const FIELD_STEP = 0.005;
export const FIELD_MAX = 4;

/** The read's mean and standard deviation on an even grid of reduced fields 0..FIELD_MAX (odd in u: the mean flips sign). */
export interface ReadStatistics {
  readonly mean: Float64Array;
  readonly sd: Float64Array;
}

/** Moments at reduced field u from the derivation above (noise scale 0: the ideal saturated-linear read). */
export function readMoments(u: number, p: ReadPhysicsParams, lags = lagSums(pathWeights(p.path))): ReadMoments {
  const a = Math.abs(u);
  const sigma = p.noiseScale * thermalSpread(p.magnet);
  if (sigma === 0) return { mean: Math.sign(u) * Math.min(1, a), sd: 0 };
  const st = boltzmannMx(a, sigma);
  const slow = Math.min(st.variance, slowVariance(a, sigma));
  const f = passedFractions(a, sigma, p, lags);
  return { mean: Math.sign(u) * st.mean, sd: Math.sqrt(slow * f.slow + (st.variance - slow) * f.fast) };
}

/** The statistics table of a cell (about 0.1 s), kept per set of parameters for the life of the process. */
const tables = new Map<string, ReadStatistics>();

export function readStatisticsFor(p: ReadPhysicsParams): ReadStatistics {
  const key = JSON.stringify(p);
  const known = tables.get(key);
  if (known !== undefined) return known;
  const n = Math.round(FIELD_MAX / FIELD_STEP) + 1;
  const mean = new Float64Array(n);
  const sd = new Float64Array(n);
  const lags = lagSums(pathWeights(p.path));
  for (let i = 0; i < n; i++) {
    const m = readMoments(i * FIELD_STEP, p, lags);
    mean[i] = m.mean;
    sd[i] = m.sd;
  }
  const t = { mean, sd };
  tables.set(key, t);
  return t;
}
