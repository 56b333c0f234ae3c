import { z } from 'zod';
import { quantity, ratio, wholeNumber } from '../../scenario/fields.js';
import { NORMAL_BOUND, type RandomStream } from '../random.js';

/**
 * The MAAP set as a circuit (seed 003 Sec. 2, after its ref. [3]): a winner-take-all of ReLU
 * activation pairs, one pair per input of the pooling window. A pair is two concatenated
 * SHE-MTJ cells. A cell is an SHE layer whose charge current turns the free layer (the
 * component m along the reference layer follows the current linearly until it saturates),
 * an MTJ over it in a voltage divider with a reference resistor, and an inverter reading the
 * divider. [3]'s netlist is not in the seeds, so the topology below is our reading of the
 * text, stated where it is chosen:
 *
 * - Divider: MTJ from the supply to the node, reference to ground; the MTJ's conductance is
 *   linear in m (G = G_P (1 + m) / 2 + G_AP (1 - m) / 2). With the reference at
 *   sqrt(R_P R_AP) the node's two extremes sit symmetrically about V_DD / 2, where the
 *   inverter switches: for TMR 1.5 the node swings 0.225 V_DD over the magnet's range.
 * - Inverter: linear about its switching point with gain (1 + overdrive) / swing, so it reaches
 *   its rails before the magnet saturates (the overdrive is the margin that keeps a zero a
 *   zero under variation and noise), clipped to the rails.
 * - Pair: cell 1 is biased so it stays linear from `-overdrive` to `1 + overdrive` of full
 *   scale (its clamp lies below the knee); cell 2, driven by cell 1's output through a
 *   resistor with a bias current, makes the ReLU's knee at zero input and full scale at one,
 *   and holds a negative input at its rail with a margin. The two bias currents are set on
 *   the nominal devices (designPair), as a designer sets them.
 * - Winner-take-all: the set's output is the largest of its pairs' outputs.
 *
 * Every device draws its own deviation (drawPair); thermal noise moves each magnet's m by a
 * Gaussian of the Boltzmann variance of the linear response, 1 / (2 Delta), averaged by the
 * readout over its integration time (thermalSigma).
 */
export const circuitParams = z.strictObject({
  /** Supply of the dividers and inverters. */
  supply: quantity('voltage', { positive: true }),
  /** TMR of the SHE-MTJs at the read bias ((R_AP - R_P) / R_P). */
  tmr: ratio(0.01, 20),
  /** Margin of the inverters' gain past the divider's swing, as a fraction of full scale. */
  overdrive: ratio(0.01, 1),
  /** SHE current that drives a cell across its range: the unit of the trim current's energy. */
  full_scale_current: quantity('current', { positive: true }),
  /** Delta = E_b / kT of the free layers: the Boltzmann spread of m is 1 / sqrt(2 Delta). */
  thermal_stability: ratio(1, 1e4),
  /** Correlation time of the free layer's fluctuations about its driven state. */
  relaxation_time: quantity('time', { min: 1 }),
  /** Time over which the readout averages a cell's output at the end of an operation. */
  integration_time: quantity('time', { min: 0 }),
});
export type CircuitParams = z.output<typeof circuitParams>;

/** Process variation of the set's devices (seed 003 Sec. 4; its refs. [3, 15-17]): each device draws its own. */
export const variationParams = z.strictObject({
  /** Relative spread of each MTJ's R_P and of each reference resistor. */
  resistance_sigma: ratio(0, 1),
  /** Relative spread of each MTJ's TMR. */
  tmr_sigma: ratio(0, 1),
  /** Relative spread of each SHE-MTJ's saturation (critical) current. */
  critical_current_sigma: ratio(0, 1),
  /** Spread of each inverter's switching threshold (seed 003 studies 0-20 mV). */
  threshold_sigma: quantity('voltage', { min: 0 }),
});
export type VariationParams = z.output<typeof variationParams>;

/** The per-chip mean-error trim (seed 003 Sec. 4.1, Fig. 4b): a bias-current trim per set. */
export const trimParams = z.strictObject({
  enabled: z.boolean(),
  /** Resolution of the trim DAC (a signed code). */
  bits: wholeNumber(1, 16),
  /** The trim's full range, each way, as a fraction of full-scale input. */
  range: ratio(0, 1),
  /** Input at which the trim is calibrated (data inputs at zero, this calibration current injected). */
  calibration_input: ratio(0, 1),
  /** Measurements averaged for each comparison of the calibration's search. */
  reads_per_step: wholeNumber(1, 4096),
});
export type TrimParams = z.output<typeof trimParams>;

/** One cell's devices, relative to nominal: R_P x (1 + r), TMR x (1 + t), I_c x (1 + c), reference x (1 + f), threshold + vt volts. */
export interface CellDeviation {
  readonly r: number;
  readonly t: number;
  readonly c: number;
  readonly f: number;
  readonly vt: number;
}

export const NOMINAL_CELL: CellDeviation = { r: 0, t: 0, c: 0, f: 0, vt: 0 };

/** One cell's operating coefficients (normalized: conductances in units of 1 / R_P,nominal, voltages of V_DD). */
export interface CellCoefficients {
  /** 1 / (1 + c): drive (in units of the nominal critical current) to m. */
  readonly icInv: number;
  readonly gP: number;
  readonly gAP: number;
  readonly gRef: number;
  /** The inverter's switching point. */
  readonly vM: number;
}

/** The nominal design's constants: the inverters' gain, cell 1's drive slope, cell 2's drive gain and bias. */
export interface PairDesign {
  readonly gain: number;
  readonly slope1: number;
  readonly k2: number;
  readonly b2: number;
  readonly tmr: number;
  readonly supply: number;
  readonly overdrive: number;
}

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

function coefficients(d: CellDeviation, tmr: number, supply: number): CellCoefficients {
  const gP = 1 / (1 + d.r);
  const T = tmr * (1 + d.t);
  return { icInv: 1 / (1 + d.c), gP, gAP: gP / (1 + T), gRef: 1 / (Math.sqrt(1 + tmr) * (1 + d.f)), vM: 0.5 + d.vt / supply };
}

/** The divider's swing over the magnet's range for TMR `tmr` (reference at sqrt(R_P R_AP)), as a fraction of V_DD. */
export function dividerSwing(tmr: number): number {
  const s = Math.sqrt(1 + tmr);
  return (s - 1) / (s + 1);
}

/** A cell: drive (units of nominal I_c) plus noise on m, to the inverter's output (fraction of V_DD). */
function cellOutput(c: CellCoefficients, gain: number, drive: number, noise: number, clip: boolean, trim = 0): number {
  const m = clamp(drive * c.icInv + noise, -1, 1);
  const G = 0.5 * (c.gP * (1 + m) + c.gAP * (1 - m));
  const v = G / (G + c.gRef);
  const w = 0.5 - gain * (v - c.vM) + trim;
  return clip ? clamp(w, 0, 1) : w;
}

/** The pair's output for input x (fraction of full scale): cell 2's inverter, unclipped when `clip` is false. */
function pairOutputWith(design: PairDesign, c1: CellCoefficients, c2: CellCoefficients, x: number, n1: number, n2: number, clip = true, trim = 0): number {
  const w1 = cellOutput(c1, design.gain, design.slope1 * (x - 0.5), n1, true);
  return cellOutput(c2, design.gain, design.k2 * (2 * w1 - 1) + design.b2, n2, clip, trim);
}

/**
 * The nominal pair's bias currents: cell 2's drive gain and bias chosen so that the nominal
 * pair's output crosses 0 at x = 0 and 1 at x = 1 (the ReLU's knee and full scale), found by
 * bisection on the nominal circuit (both are monotone in the unknowns).
 */
export function designPair(p: Pick<CircuitParams, 'tmr' | 'supply' | 'overdrive'>): PairDesign {
  const k = p.overdrive;
  const gain = (1 + k) / dividerSwing(p.tmr);
  // Cell 1's linear range in m is 1 / (1 + k) each way; spread over -k..1 + k of input.
  const slope1 = 1 / ((1 + k) * (0.5 + k));
  const c = coefficients(NOMINAL_CELL, p.tmr, p.supply);
  const at = (k2: number, b2: number, x: number): number => pairOutputWith({ gain, slope1, k2, b2, tmr: p.tmr, supply: p.supply, overdrive: k }, c, c, x, 0, 0, false);
  // For a given gain k2, the bias b2 that puts the knee at 0 (output falls as b2 rises).
  const knee = (k2: number): number => bisect((b2) => at(k2, b2, 0), -1, 1);
  // The gain k2 that puts full scale at x = 1 (more gain: more output at x = 1).
  const k2 = bisect((g) => -(at(g, knee(g), 1) - 1), 0.2, 5);
  return { gain, slope1, k2, b2: knee(k2), tmr: p.tmr, supply: p.supply, overdrive: k };
}

/** The root of a decreasing function f on [lo, hi] by bisection (to double precision). */
function bisect(f: (x: number) => number, lo: number, hi: number): number {
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** A pair's two cells as drawn. */
export interface PairDevices {
  readonly cell1: CellDeviation;
  readonly cell2: CellDeviation;
}

export const NOMINAL_PAIR: PairDevices = { cell1: NOMINAL_CELL, cell2: NOMINAL_CELL };

function drawCell(rng: RandomStream, v: VariationParams): CellDeviation {
  return { r: rng.normal(0, v.resistance_sigma), t: rng.normal(0, v.tmr_sigma), c: rng.normal(0, v.critical_current_sigma), f: rng.normal(0, v.resistance_sigma), vt: rng.normal(0, v.threshold_sigma) };
}

/** A pair's devices, from its set's stream (drawn once: they belong to the chip). */
export const drawPair = (rng: RandomStream, v: VariationParams): PairDevices => ({ cell1: drawCell(rng, v), cell2: drawCell(rng, v) });

/**
 * Thermal spread of m per measurement: the Boltzmann variance 1 / (2 Delta) of a free layer's
 * linear response to a hard-axis drive (E = E_b sin^2(theta) - 2 E_b h sin(theta) gives
 * var(sin theta) = kT / (2 E_b)), averaged over the readout's integration time T of an
 * Ornstein-Uhlenbeck process with correlation time tau: factor 2 (tau/T)^2 (T/tau - 1 + e^(-T/tau)).
 */
export function thermalSigma(p: Pick<CircuitParams, 'thermal_stability' | 'relaxation_time' | 'integration_time'>): number {
  const a = p.integration_time / p.relaxation_time;
  const averaged = a < 1e-6 ? 1 : (2 / (a * a)) * (a - 1 + Math.exp(-a));
  return Math.sqrt(averaged / (2 * p.thermal_stability));
}

/**
 * A pair ready to compute: its cells' coefficients, its trim (a DAC current into cell 2's
 * divider node, which shifts the inverter's output, zero rail included, by `trim` of full
 * scale: a saturated magnet cannot move the rail, so the trim acts after it), and the input
 * below which it reads its rail
 * for every noise draw within NORMAL_BOUND sigma (every counter-based draw of a measurement: the
 * normal's 65,536 quantiles go no further): such a pair needs no solve.
 */
export interface Pair {
  readonly c1: CellCoefficients;
  readonly c2: CellCoefficients;
  trim: number;
  /** Below this input, output is `floor` for every draw within NORMAL_BOUND sigma (or -Infinity: never quiet). */
  quietBelow: number;
  /**
   * The same for a sequential stream's unbounded normals (the calibration's reads): below
   * it, no draw within STREAM_QUIET_SIGMAS moves the output, so the pair takes no draw.
   */
  streamQuietBelow: number;
  floor: number;
}

export function realizePair(design: PairDesign, d: PairDevices, sigma: number): Pair {
  const pair: Pair = { c1: coefficients(d.cell1, design.tmr, design.supply), c2: coefficients(d.cell2, design.tmr, design.supply), trim: 0, quietBelow: -Infinity, streamQuietBelow: -Infinity, floor: 0 };
  trimPair(design, pair, 0, sigma);
  return pair;
}

/** Beyond this many sigma a sequential stream's normal is treated as impossible (probability 1e-12 per draw). */
export const STREAM_QUIET_SIGMAS = 7;

/** Sets a pair's trim, and with it where it is quiet and what it reads there. */
export function trimPair(design: PairDesign, pair: Pair, trim: number, sigma: number): void {
  const { c1, c2 } = pair;
  const mRail1 = railM(c1, design.gain, 1);
  // Cell 2 at its lower rail (the pair's zero, after the trim) when m is at or above mRail2.
  const mRail2 = railM(c2, design.gain, -trim);
  const drive2 = design.k2 * (2 * 1 - 1) + design.b2;
  // Quiet if cell 2, with cell 1 at its rail, stays at its rail for noise down to -margin
  // (a saturated magnet cannot pass m = 1, so only downward noise counts).
  const stage2Quiet = (margin: number): boolean => clamp(drive2 * c2.icInv - margin, -1, 1) >= mRail2;
  // Cell 1 is at its rail for noise up to +margin when slope1 (x - 0.5) icInv + margin <= mRail1.
  const below = (margin: number): number => 0.5 + (mRail1 - margin) / (design.slope1 * c1.icInv);
  pair.trim = trim;
  // Counter-based draws go no further than NORMAL_BOUND sigma, so this rule is exact (a drive
  // past -1 saturates the magnet at m = -1, still at or below a rail at mRail1 >= -1).
  const bound = NORMAL_BOUND * sigma;
  pair.quietBelow = stage2Quiet(bound) && mRail1 >= -1 ? below(bound) : -Infinity;
  // Unbounded draws: the 7-sigma rule, which also keeps the railed drive inside the magnet's range.
  const wide = STREAM_QUIET_SIGMAS * sigma;
  pair.streamQuietBelow = stage2Quiet(wide) && mRail1 - wide > -1 ? below(wide) : -Infinity;
  pair.floor = stage2Quiet(0) ? cellOutput(c2, design.gain, drive2, 0, true, trim) : 0;
}

/** The m at which a cell's inverter reaches output level `w` (its divider inverted). */
function railM(c: CellCoefficients, gain: number, w: number): number {
  const v = c.vM + (0.5 - w) / gain;
  if (v <= 0) return -Infinity;
  if (v >= 1) return Infinity;
  const G = (v * c.gRef) / (1 - v);
  // G = 0.5 (gP (1 + m) + gAP (1 - m))
  return (2 * G - c.gP - c.gAP) / (c.gP - c.gAP);
}

/** One pair's output (fraction of full scale) at input x with noise n1, n2 on its magnets' m. */
export const pairOutput = (design: PairDesign, pair: Pair, x: number, n1: number, n2: number): number => pairOutputWith(design, pair.c1, pair.c2, x, n1, n2, true, pair.trim);

/**
 * One pair's noiseless output at input x before cell 2's inverter reaches its rails: past 0
 * and 1 by as much as the inverter is driven beyond them (pairOutput clips it). What a trim
 * must overcome to move a rail (the pair table of `device maap --csv` carries it).
 */
export const pairOutputUnclipped = (design: PairDesign, pair: Pair, x: number): number => pairOutputWith(design, pair.c1, pair.c2, x, 0, 0, false, pair.trim);

/** The nominal pair's noiseless output: the activation the network is trained for. */
export function nominalActivation(design: PairDesign): (x: number) => number {
  const c = coefficients(NOMINAL_CELL, design.tmr, design.supply);
  return (x) => pairOutputWith(design, c, c, x, 0, 0);
}

/** The device parameters a pair's output depends on, by name (cell 1 then cell 2). */
export const DEVICE_PARAMETERS = ['r', 't', 'c', 'f', 'vt'] as const;
export type DeviceParameter = (typeof DEVICE_PARAMETERS)[number];

/**
 * The first-order sensitivities of the nominal pair's (unclipped) output at input x to each
 * device parameter of each cell, by the chain rule through the circuit equations:
 * cell: m = d / (1 + c); G = gP ((1 + m) + (1 - m) / (1 + T)) / 2 with gP = 1 / (1 + r),
 * T = tmr (1 + t); v = G / (G + gRef), gRef = 1 / (sqrt(1 + tmr) (1 + f));
 * w = 1/2 - A (v - 1/2 - vt / V_DD); cell 2's drive d2 = k2 (2 w1 - 1) + b2.
 * Returns d(output) / d(parameter) for cell 1 and cell 2 (vt per volt, the others per unit relative change).
 */
export function pairSensitivities(design: PairDesign, x: number): { cell1: Record<DeviceParameter, number>; cell2: Record<DeviceParameter, number> } {
  const T = design.tmr;
  const gRef = 1 / Math.sqrt(1 + T);
  const A = design.gain;
  const cell = (drive: number) => {
    const m = drive;
    const G = 0.5 * ((1 + m) + (1 - m) / (1 + T));
    const dvdG = gRef / (G + gRef) ** 2;
    const dGdm = 0.5 * (1 - 1 / (1 + T));
    const saturated = m <= -1 || m >= 1;
    const dwdv = -A;
    return {
      m,
      w: 0.5 - A * (G / (G + gRef) - 0.5),
      // d w / d drive (zero where the magnet is saturated)
      dDrive: saturated ? 0 : dwdv * dvdG * dGdm,
      r: dwdv * dvdG * -G,
      t: dwdv * dvdG * (0.5 * -(1 - m) / (1 + T) ** 2) * T,
      c: saturated ? 0 : dwdv * dvdG * dGdm * -m,
      f: dwdv * (-G / (G + gRef) ** 2) * -gRef,
      vt: A / design.supply,
    };
  };
  const d1 = clamp(design.slope1 * (x - 0.5), -1, 1);
  const s1 = cell(d1);
  const w1 = clamp(s1.w, 0, 1);
  const rail1 = s1.w <= 0 || s1.w >= 1;
  const d2 = design.k2 * (2 * w1 - 1) + design.b2;
  const s2 = cell(clamp(d2, -1, 1));
  const through = rail1 ? 0 : s2.dDrive * 2 * design.k2;
  const pick = (s: ReturnType<typeof cell>, scale: number): Record<DeviceParameter, number> => ({ r: s.r * scale, t: s.t * scale, c: s.c * scale, f: s.f * scale, vt: s.vt * scale });
  return { cell1: pick(s1, through), cell2: pick(s2, 1) };
}

/** A pair's output (unclipped at cell 2) with one device parameter of one cell shifted: the direct solve the sensitivities linearize. */
export function shiftedPairOutput(design: PairDesign, cell: 1 | 2, parameter: DeviceParameter, shift: number, x: number): number {
  const shifted = { ...NOMINAL_CELL, [parameter]: shift };
  const c1 = coefficients(cell === 1 ? shifted : NOMINAL_CELL, design.tmr, design.supply);
  const c2 = coefficients(cell === 2 ? shifted : NOMINAL_CELL, design.tmr, design.supply);
  return pairOutputWith(design, c1, c2, x, 0, 0, false);
}
