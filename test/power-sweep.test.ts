import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EndHeap } from '../src/components/end-heap.js';
import { PowerSweep } from '../src/components/power-sweep.js';

interface Window {
  time: number;
  duration: number;
  energy: number;
}

/**
 * The definition, by brute force: power at a start time is the sum of the windows open
 * there (start <= t < end, so one ending at t is already off); the peak is the largest such
 * sum; powered time is the length of the union of the windows.
 */
function reference(windows: readonly Window[]): { peak: number; powered: number } {
  let peak = 0;
  for (const w of windows) {
    let level = 0;
    for (const v of windows) if (v.time <= w.time && w.time < v.time + v.duration) level += v.energy / (v.duration * 1e-12);
    peak = Math.max(peak, level);
  }
  const spans = windows.map((w) => [w.time, w.time + w.duration] as const).sort((a, b) => a[0] - b[0]);
  let powered = 0;
  let from = -1;
  let to = -1;
  for (const [s, e] of spans) {
    if (s > to) {
      powered += to - from;
      from = s;
      to = e;
    } else to = Math.max(to, e);
  }
  powered += to - from;
  return { peak, powered };
}

const windowsArb = (durations: fc.Arbitrary<number>) =>
  fc
    .array(fc.record({ gap: fc.integer({ min: 0, max: 50 }), duration: durations, energy: fc.double({ min: 1e-15, max: 1e-12, noNaN: true }) }), { minLength: 1, maxLength: 120 })
    .map((ws) => {
      let t = 0;
      return ws.map((w) => ({ time: (t += w.gap), duration: w.duration, energy: w.energy }));
    });

function sweep(windows: readonly Window[]): PowerSweep {
  const p = new PowerSweep();
  for (const w of windows) p.add(w);
  p.finish();
  return p;
}

describe('PowerSweep', () => {
  it('matches the brute-force peak and powered time with a few durations', () => {
    fc.assert(
      fc.property(windowsArb(fc.constantFrom(10, 25, 600)), (ws) => {
        const p = sweep(ws);
        const r = reference(ws);
        expect(Math.abs(p.peak - r.peak)).toBeLessThanOrEqual(1e-9 * r.peak);
        expect(p.powered).toBe(r.powered);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('matches it with many distinct durations', () => {
    fc.assert(
      fc.property(windowsArb(fc.integer({ min: 1, max: 200 })), (ws) => {
        const p = sweep(ws);
        const r = reference(ws);
        expect(Math.abs(p.peak - r.peak)).toBeLessThanOrEqual(1e-9 * r.peak);
        expect(p.powered).toBe(r.powered);
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it('closes a window before one opening at its end: back-to-back windows never add up', () => {
    const p = new PowerSweep();
    p.add({ time: 0, duration: 100, energy: 1e-12 }); // 10 mW
    p.add({ time: 100, duration: 100, energy: 1e-12 });
    p.finish();
    expect(p.peak).toBeCloseTo(0.01, 15);
    expect(p.powered).toBe(200);
  });

  it('starts afresh after reset', () => {
    const p = new PowerSweep();
    p.add({ time: 0, duration: 100, energy: 5e-12 });
    p.reset();
    p.add({ time: 1000, duration: 50, energy: 1e-12 });
    p.finish();
    expect(p.peak).toBeCloseTo(0.02, 15);
    expect(p.powered).toBe(50);
  });
});

describe('EndHeap', () => {
  it('gives back every value in order of end time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e6 }), { maxLength: 300 }), (ends) => {
        const h = new EndHeap();
        const keys = Float64Array.from(ends);
        ends.forEach((_e, i) => h.push(i, keys));
        const out: number[] = [];
        while (h.size > 0) out.push(ends[h.pop(keys)]!);
        expect(out).toEqual([...ends].sort((a, b) => a - b));
      }),
      { numRuns: 200, seed: 13 },
    );
  });
});
