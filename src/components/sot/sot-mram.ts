import { z } from 'zod';
import { quantity, ratio } from '../../scenario/fields.js';
import type { RandomStream } from '../random.js';

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
});

export type SotDeviceParams = z.output<typeof sotDeviceParams>;

/** MTJ area: an ellipse, l x w x pi/4 (Table I). */
export const mtjArea = (p: SotDeviceParams): number => (p.mtj_length * p.mtj_width * Math.PI) / 4;

/** R_P = R_MTJ = RA / Area (Eq. 1). */
export const parallelResistance = (p: SotDeviceParams): number => p.ra / mtjArea(p);

/** TMR(V_b) = (TMR0 / 100) / (1 + (V_b / V0)^2) (Eq. 2). */
export const tmrAt = (p: SotDeviceParams, bias: number): number => p.tmr0_percent / 100 / (1 + (bias / p.v0) ** 2);

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
  const tmr = tmr0 / (1 + (bias / v0) ** 2);
  return (2 * rp * (1 + tmr)) / (2 + tmr * (1 + cosTheta));
}

/** R(theta) of MTJ `m` at bias V_b (Eqs. 1-2). */
export const mtjResistance = (m: SotMtj, v0: number, theta: number, bias: number): number => mtjResistanceCos(m.rp, m.tmr0, v0, Math.cos(theta), bias);

/** R(theta) at bias V_b of the nominal device (Eq. 1). */
export function resistanceAt(p: SotDeviceParams, theta: number, bias: number): number {
  return mtjResistance(nominalMtj(p), p.v0, theta, bias);
}

/** Device-to-device spread of the MTJs in the crossbars (relative standard deviations). */
export const sotVariationParams = z.strictObject({
  /** Of the resistance-area product (so of R_P and R_AP together). */
  ra_sigma: ratio(0, 0.5),
  /** Of TMR0. */
  tmr0_sigma: ratio(0, 0.5),
});

export type SotVariation = z.output<typeof sotVariationParams>;

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
