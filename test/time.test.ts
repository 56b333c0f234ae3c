import { describe, expect, it } from 'vitest';
import { Kernel } from '../src/scheduler/kernel.js';
import { TimeError, checkTime, ms, ns, ps, seconds, us } from '../src/scheduler/time.js';

describe('time helpers', () => {
  it('convert to integer picoseconds', () => {
    expect(ns(1.5)).toBe(1500);
    expect(ps(130)).toBe(130);
    expect(us(2)).toBe(2_000_000);
    expect(ms(1)).toBe(1_000_000_000);
    // 1.1 * 1000 is 1100.0000000000002 in binary floating point; it is still 1100 ps.
    expect(ns(1.1)).toBe(1100);
    expect(seconds(1500)).toBeCloseTo(1.5e-9, 21);
  });

  it('reject fractions of a picosecond, negatives and unsafe values', () => {
    expect(() => ps(0.5)).toThrow(TimeError);
    expect(() => ns(0.0001)).toThrow(/not a whole number of picoseconds/);
    expect(() => ns(-1)).toThrow(/non-negative/);
    expect(() => checkTime(2 ** 53)).toThrow(/below 2\^53/);
    expect(() => checkTime(Number.NaN)).toThrow(TimeError);
    expect(() => checkTime(Infinity)).toThrow(TimeError);
  });

  it('guard every way into the kernel', () => {
    const k = new Kernel();
    const noop = (): void => {};
    expect(() => k.after(1.5, noop, 0)).toThrow(/delay must be a whole/);
    expect(() => k.after(-3, noop, 0)).toThrow(TimeError);
    expect(() => k.at(-1, noop, 0)).toThrow(TimeError);
    expect(() => k.at(0.25, noop, 0)).toThrow(TimeError);
    k.after(100, noop, 0);
    k.run();
    expect(k.now).toBe(100);
    expect(() => k.at(99, noop, 0)).toThrow(/already at 100 ps/);
    expect(() => k.after(Number.MAX_SAFE_INTEGER, noop, 0)).toThrow(/passes 2\^53/);
  });
});
