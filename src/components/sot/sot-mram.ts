import { z } from 'zod';
import { quantity, ratio } from '../../scenario/fields.js';
import { fractionIn, outsideTable, segmentOf } from '../../device-table/interpolate.js';
import type { RandomStream } from '../random.js';
import { sotRvTable, type SotRvTable } from './rv-table.js';
import { ScenarioError } from '../../scenario/errors.js';
import { displayPath } from '../../scenario/load.js';

/** An SOT-MRAM device: its MTJ (seed 004, Table I) and the heavy-metal write channel under it. */
export const sotDeviceParams = z.strictObject({
  mtj_length: quantity('length', { positive: true }),
  mtj_width: quantity('length', { positive: true }),
  /** Resistance-area product of the MTJ. */
  ra: quantity('resistanceArea', { positive: true }),
  /** TMR0, in percent (Table I: 100). */
  tmr0_percent: ratio(0),
  /** Fitting voltage V0 of the TMR bias dependence (Table I: 0.65 V). */
  v0: quantity('voltage', { positive: true }),
  hm_length: quantity('length', { positive: true }),
  hm_width: quantity('length', { positive: true }),
  hm_thickness: quantity('length', { positive: true }),
  hm_resistivity: quantity('resistivity', { positive: true }),
  /** Charge current through the heavy metal that switches the free layer. */
  write_current: quantity('current', { positive: true }),
  write_pulse: quantity('time', { min: 1 }),
  /**
   * The MTJ's R(V) in P and AP measured (rv-table.ts), path relative to the scenario file:
   * it replaces RA / area and Eq. 2's TMR(V); the angle form of Eq. 1 and the variation stay.
   */
  mtj: z.strictObject({ table: z.string().min(1) }).optional(),
});

export type SotDeviceParams = z.output<typeof sotDeviceParams>;

/** MTJ area: an ellipse, l x w x pi/4 (Table I). */
export const mtjArea = (p: SotDeviceParams): number => (p.mtj_length * p.mtj_width * Math.PI) / 4;

/** R_P = R_MTJ = RA / Area (Eq. 1). */
export const parallelResistance = (p: SotDeviceParams): number => p.ra / mtjArea(p);

/** TMR(V_b) = (TMR0 / 100) / (1 + (V_b / V0)^2) (Eq. 2), or R_AP / R_P - 1 from the table. */
export const tmrAt = (p: SotDeviceParams, bias: number): number =>
  p.mtj === undefined ? (p.tmr0_percent / 100) * tmrBiasFactor(p.v0, bias) : resistanceAt(p, Math.PI, bias) / resistanceAt(p, 0, bias) - 1;

/** Eq. 2's fall of the TMR with bias: TMR(V_b) = TMR0 / (1 + (V_b / V0)^2) = TMR0 x this. */
export const tmrBiasFactor = (v0: number, bias: number): number => 1 / (1 + (bias / v0) ** 2);

/** One MTJ as made: its parallel resistance at zero bias (RA / area) and its TMR0 (a ratio). */
export interface SotMtj {
  readonly rp: number;
  readonly tmr0: number;
}

/** The nominal MTJ of Table I. */
export const nominalMtj = (p: SotDeviceParams): SotMtj => ({ rp: parallelResistance(p), tmr0: p.tmr0_percent / 100 });

/**
 * R = 2 R_P (1 + TMR) / (2 + TMR (1 + cos theta)), TMR = TMR0 / (1 + (V_b / V0)^2) (Eqs. 1-2),
 * for an MTJ of zero-bias R_P `rp` and `tmr0`, its free layer at cos theta (1: P, -1: AP).
 */
export function mtjResistanceCos(rp: number, tmr0: number, v0: number, cosTheta: number, bias: number): number {
  const tmr = tmr0 * tmrBiasFactor(v0, bias);
  return (2 * rp * (1 + tmr)) / (2 + tmr * (1 + cosTheta));
}

/**
 * Where a device's R(V) comes from: Eq. 2 (RA / area, TMR0, V0), or a measured table. Either
 * way a device as made differs from the nominal one by its R_P and TMR0 (drawSotMtj).
 */
export interface SotSource {
  readonly v0: number;
  /** The nominal device of the scenario's parameters (what a drawn device's rp and tmr0 are relative to). */
  readonly nominal: SotMtj;
  readonly table: SotRvTable | undefined;
  /** Reads at a bias beyond the table's range (read at its edge), and all reads. */
  readonly count: { reads: number; beyond: number };
}

export const sotSourceOf = (p: SotDeviceParams): SotSource => ({ v0: p.v0, nominal: nominalMtj(p), table: p.mtj === undefined ? undefined : sotRvTable(p.mtj.table), count: { reads: 0, beyond: 0 } });

/**
 * R of a device of zero-bias R_P `rp` and `tmr0` at bias V_b, its free layer at cos theta:
 * Eqs. 1-2, or from the table, R_P(V) and TMR(V) = R_AP(V) / R_P(V) - 1 of the mean device,
 * scaled by this device's rp and tmr0 over the nominal ones (RA scales both resistances, TMR0
 * the magnetoresistance), through Eq. 1's angle form.
 */
export function deviceResistance(src: SotSource, rp: number, tmr0: number, cosTheta: number, bias: number): number {
  const t = src.table;
  if (t === undefined) return mtjResistanceCos(rp, tmr0, src.v0, cosTheta, bias);
  const i = segmentOf(t.v, bias);
  const f = fractionIn(t.v, i, bias);
  const rP = t.rP[i]! + f * (t.rP[i + 1]! - t.rP[i]!);
  const rAP = t.rAP[i]! + f * (t.rAP[i + 1]! - t.rAP[i]!);
  const r = rP * (rp / src.nominal.rp);
  const tmr = (rAP / rP - 1) * (tmr0 / src.nominal.tmr0);
  src.count.reads++;
  if (outsideTable(t.v, bias)) src.count.beyond++;
  return (2 * r * (1 + tmr)) / (2 + tmr * (1 + cosTheta));
}

/** R(theta) of MTJ `m` at bias V_b (Eqs. 1-2, or the table). */
export const mtjResistance = (src: SotSource, m: SotMtj, theta: number, bias: number): number => deviceResistance(src, m.rp, m.tmr0, Math.cos(theta), bias);

/** R(theta) at bias V_b of the nominal device (Eq. 1). */
export function resistanceAt(p: SotDeviceParams, theta: number, bias: number): number {
  const src = sotSourceOf(p);
  return mtjResistance(src, src.nominal, theta, bias);
}

/** Device-to-device spread of the MTJs in the crossbars (relative standard deviations). */
export const sotVariationParams = z.strictObject({
  /** Of the resistance-area product (so of R_P and R_AP together). */
  ra_sigma: ratio(0, 0.5),
  /** Of TMR0. */
  tmr0_sigma: ratio(0, 0.5),
});

export type SotVariation = z.output<typeof sotVariationParams>;

/**
 * The variation the devices are drawn with: the scenario's, or the spread of the devices an
 * R(V) table measured (one R_P, R_AP pair of columns each); both would be the same spread twice.
 */
export function sotVariationOf(p: SotDeviceParams, given: SotVariation | undefined): SotVariation | undefined {
  const measured = p.mtj === undefined ? undefined : sotRvTable(p.mtj.table).variation;
  if (measured === undefined) return given;
  if (given !== undefined) throw new ScenarioError([{ location: { file: displayPath(p.mtj!.table) }, path: '', message: `the R(V) table measures several devices, and their spread is the device variation (RA ${(100 * measured.ra_sigma).toPrecision(3)} %, TMR0 ${(100 * measured.tmr0_sigma).toPrecision(3)} %): remove params.device_variation, or give one R_P, R_AP pair` }]);
  return measured;
}

/** Draws one MTJ as made: RA and TMR0 off nominal by normal relative errors, from the stream given. */
export function drawSotMtj(p: SotDeviceParams, v: SotVariation, rng: RandomStream): SotMtj {
  const nominal = nominalMtj(p);
  return { rp: nominal.rp * (1 + rng.normal(0, v.ra_sigma)), tmr0: nominal.tmr0 * (1 + rng.normal(0, v.tmr0_sigma)) };
}

export const PARALLEL = 0;
export const ANTIPARALLEL = Math.PI;

/** Resistance of the heavy-metal channel the write current crosses: rho l / (w t). */
export const heavyMetalResistance = (p: SotDeviceParams): number => (p.hm_resistivity * p.hm_length) / (p.hm_width * p.hm_thickness);

/** Energy dissipated in the heavy metal by one write: I^2 R_HM t. */
export const writeEnergy = (p: SotDeviceParams): number => p.write_current ** 2 * heavyMetalResistance(p) * p.write_pulse * 1e-12;
