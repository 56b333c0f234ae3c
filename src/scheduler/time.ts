/**
 * Simulated time is an integer count of picoseconds. Integers keep equal times equal
 * (no 1.5e-9 + 1.5e-9 drift) and let the event queue bucket by exact time.
 */
export type Ps = number;

export class TimeError extends RangeError {
  override name = 'TimeError';
}

/** Checks that `t` is a usable time: a whole, non-negative, safe-integer number of ps. */
export function checkTime(t: number, what = 'time'): Ps {
  if (!Number.isSafeInteger(t) || t < 0) {
    throw new TimeError(`${what} must be a whole, non-negative number of picoseconds below 2^53, got ${t}`);
  }
  return t;
}

function scaled(x: number, psPerUnit: number, unit: string): Ps {
  const v = x * psPerUnit;
  const r = Math.round(v);
  // Accept binary round-off (1.1 ns = 1100.0000000000002 ps) but not a real fraction of a ps.
  if (!Number.isFinite(v) || Math.abs(v - r) > 1e-9 * Math.max(1, Math.abs(r))) {
    throw new TimeError(`${x} ${unit} is not a whole number of picoseconds`);
  }
  return checkTime(r === 0 ? 0 : r, `${x} ${unit}`);
}

export const ps = (x: number): Ps => scaled(x, 1, 'ps');
export const ns = (x: number): Ps => scaled(x, 1e3, 'ns');
export const us = (x: number): Ps => scaled(x, 1e6, 'us');
export const ms = (x: number): Ps => scaled(x, 1e9, 'ms');

/** Seconds from picoseconds, for energy = power x time. */
export const seconds = (t: Ps): number => t * 1e-12;
