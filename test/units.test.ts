import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUANTITY_KINDS, formatQuantity, formatSI, parseQuantity, type QuantityKind } from '../src/scenario/units.js';

const ok = (text: unknown, kind: QuantityKind): number => {
  const r = parseQuantity(text, kind);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe('parseQuantity', () => {
  it('parses the units scenario files use to SI numbers', () => {
    expect(ok('1.5 ns', 'time')).toBe(1500);
    expect(ok('130 ps', 'time')).toBe(130);
    expect(ok('0.6ns', 'time')).toBe(600);
    expect(ok('41.8 fJ', 'energy')).toBeCloseTo(41.8e-15, 27);
    expect(ok('64 uW', 'power')).toBeCloseTo(64e-6, 18);
    expect(ok('64 µW', 'power')).toBeCloseTo(64e-6, 18);
    expect(ok('20 kOhm', 'resistance')).toBeCloseTo(20e3, 9);
    expect(ok('20 kΩ', 'resistance')).toBeCloseTo(20e3, 9);
    expect(ok('1 fF', 'capacitance')).toBeCloseTo(1e-15, 27);
    expect(ok('0.8 V', 'voltage')).toBeCloseTo(0.8, 12);
    expect(ok('1 uA', 'current')).toBeCloseTo(1e-6, 18);
    expect(ok('90 nm^2', 'area')).toBeCloseTo(90e-18, 30);
    expect(ok('10 Ohm um^2', 'resistanceArea')).toBeCloseTo(10e-12, 24);
    expect(ok('10 mOhm cm', 'resistivity')).toBeCloseTo(1e-4, 16);
    expect(ok('4.5e4 J/m^3', 'energyDensity')).toBeCloseTo(4.5e4, 6);
    expect(ok('1.7 MA/m', 'magnetization')).toBeCloseTo(1.7e6, 3);
    expect(ok('-310 1/A', 'inverseCurrent')).toBeCloseTo(-310, 9);
    expect(ok('-310 A^-1', 'inverseCurrent')).toBeCloseTo(-310, 9);
    expect(ok('300 K', 'temperature')).toBe(300);
    expect(ok('1 GHz', 'frequency')).toBeCloseTo(1e9, 0);
  });

  it('refuses a missing or wrong unit, saying what was expected', () => {
    expect(parseQuantity(130, 'time')).toEqual({ ok: false, error: "missing unit: expected a time with its unit, like '1.5 ns', got the bare number 130" });
    expect(parseQuantity('130', 'time')).toEqual({ ok: false, error: "missing unit: expected a time with its unit, like '1.5 ns', got '130'" });
    expect(parseQuantity('41.8 fV', 'energy')).toEqual({ ok: false, error: "wrong unit 'fV' (m^2 kg s^-3 A^-1): expected an energy with its unit, like '41.8 fJ'" });
    expect(parseQuantity('5 parsecs', 'length')).toMatchObject({ ok: false, error: expect.stringMatching(/'parsecs' is not a unit/) });
    expect(parseQuantity('ns', 'time')).toMatchObject({ ok: false });
    expect(parseQuantity('0.5 ps', 'time')).toMatchObject({ ok: false, error: expect.stringMatching(/whole number of picoseconds/) });
    expect(parseQuantity('-1 ns', 'time')).toMatchObject({ ok: false, error: expect.stringMatching(/negative/) });
    expect(parseQuantity('1 J/', 'energy')).toMatchObject({ ok: false, error: expect.stringMatching(/ends with '\/'/) });
    expect(parseQuantity(null, 'time')).toMatchObject({ ok: false, error: expect.stringMatching(/got null/) });
  });

  it('never throws on arbitrary input (property)', () => {
    const kinds = Object.keys(QUANTITY_KINDS) as QuantityKind[];
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.anything()), fc.constantFrom(...kinds), (text, kind) => {
        const r = parseQuantity(text, kind);
        expect(typeof r.ok).toBe('boolean');
        if (r.ok) expect(Number.isFinite(r.value)).toBe(true);
        else expect(r.error.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips valid values through formatQuantity (property)', () => {
    const kinds = (Object.keys(QUANTITY_KINDS) as QuantityKind[]).filter((k) => k !== 'time');
    fc.assert(
      fc.property(fc.double({ min: 1e-19, max: 1e13, noNaN: true }), fc.boolean(), fc.constantFrom(...kinds), (magnitude, negative, kind) => {
        const value = negative ? -magnitude : magnitude;
        const back = ok(formatQuantity(value, kind), kind);
        expect(Math.abs(back - value)).toBeLessThanOrEqual(1e-12 * Math.abs(value));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (t) => {
        expect(ok(formatQuantity(t, 'time'), 'time')).toBe(t);
      }),
    );
  });
});

describe('formatSI', () => {
  it('writes engineering units for tables', () => {
    expect(formatSI(42e-9, 's')).toBe('42.0 ns');
    expect(formatSI(98.6e-12, 'J')).toBe('98.6 pJ');
    expect(formatSI(80.6e-9, 'J')).toBe('80.6 nJ');
    expect(formatSI(1.2345e-3, 'W')).toBe('1.23 mW');
    expect(formatSI(999.96e-12, 'J')).toBe('1.00 nJ');
    expect(formatSI(0, 'J')).toBe('0 J');
  });
});
