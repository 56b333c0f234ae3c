import { z } from 'zod';
import { quantity, ratio } from '../../scenario/fields.js';

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

/** R(theta) = 2 R_MTJ (1 + TMR) / (2 + TMR (1 + cos theta)) at bias V_b (Eq. 1). */
export function resistanceAt(p: SotDeviceParams, theta: number, bias: number): number {
  const rp = parallelResistance(p);
  const tmr = tmrAt(p, bias);
  return (2 * rp * (1 + tmr)) / (2 + tmr * (1 + Math.cos(theta)));
}

export const PARALLEL = 0;
export const ANTIPARALLEL = Math.PI;

/** Resistance of the heavy-metal channel the write current crosses: rho l / (w t). */
export const heavyMetalResistance = (p: SotDeviceParams): number => (p.hm_resistivity * p.hm_length) / (p.hm_width * p.hm_thickness);

/** Energy dissipated in the heavy metal by one write: I^2 R_HM t. */
export const writeEnergy = (p: SotDeviceParams): number => p.write_current ** 2 * heavyMetalResistance(p) * p.write_pulse * 1e-12;
