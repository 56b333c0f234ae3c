import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../src/scheduler/event-queue.js';
import { Kernel } from '../src/scheduler/kernel.js';

describe('event ordering', () => {
  it('runs events by time, equal times in insertion order', () => {
    const k = new Kernel();
    const seen: string[] = [];
    const log = (s: string): void => {
      seen.push(`${k.now}:${s}`);
    };
    k.at(300, log, 'c');
    k.at(100, log, 'a1');
    k.at(200, log, 'b');
    k.at(100, log, 'a2');
    k.at(100, log, 'a3');
    k.run();
    expect(seen).toEqual(['100:a1', '100:a2', '100:a3', '200:b', '300:c']);
    expect(k.processed).toBe(5);
  });

  it('runs a zero-delay event after everything already due at the same time', () => {
    const k = new Kernel();
    const seen: string[] = [];
    k.at(
      50,
      () => {
        seen.push('first');
        k.after(0, (s: string) => seen.push(s), 'spawned');
      },
      0,
    );
    k.at(50, (s: string) => seen.push(s), 'second');
    k.run();
    expect(seen).toEqual(['first', 'second', 'spawned']);
  });

  it('keeps FIFO for equal times across the bucket window and the overflow heap', () => {
    // Window of 32 ps: the event at 1000 ps is first held in the overflow heap, the later
    // ones at 1000 ps go straight to its bucket once the window has reached it.
    const k = new Kernel({ windowBits: 5 });
    const seen: string[] = [];
    const log = (s: string): void => {
      seen.push(`${k.now}:${s}`);
    };
    k.at(1000, log, 'far-1');
    k.at(1000, log, 'far-2');
    k.at(990, () => k.at(1000, log, 'near-3'), 0);
    k.at(5, log, 'early');
    k.run();
    expect(seen).toEqual(['5:early', '1000:far-1', '1000:far-2', '1000:near-3']);
  });

  it('matches a sorted reference for any schedule (property test)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(5000), fc.array(fc.nat(3000), { maxLength: 3 })), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 5, max: 10 }),
        (plan, windowBits) => {
          // Each initial event at time t spawns children at t + d for each d.
          const q = new EventQueue(windowBits, 4);
          const got: [number, number][] = [];
          const expected: { t: number; seq: number; id: number }[] = [];
          let seq = 0;
          let nextId = 0;
          const push = (t: number, children: number[]): void => {
            const id = nextId++;
            expected.push({ t, seq: seq++, id });
            q.push(t, () => {
              got.push([q.now, id]);
              for (const d of children) push(q.now + d, []);
            }, 0);
          };
          for (const [t, children] of plan) push(t, children);
          while (q.runNext()) {
            /* run all */
          }
          // Reference: events ordered by (time, order of scheduling).
          expected.sort((a, b) => a.t - b.t || a.seq - b.seq);
          expect(got).toEqual(expected.map((e) => [e.t, e.id]));
          expect(q.size).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops at a time limit without losing the next event', () => {
    const k = new Kernel();
    const seen: number[] = [];
    for (const t of [10, 20, 30]) k.at(t, (x: number) => seen.push(x), t);
    expect(k.run(20)).toBe(2);
    expect(k.nextEventTime()).toBe(30);
    expect(k.pending).toBe(1);
    expect(k.run()).toBe(1);
    expect(seen).toEqual([10, 20, 30]);
  });

  it('stop() returns from run after the current event', () => {
    const k = new Kernel();
    const seen: number[] = [];
    k.at(1, (x: number) => {
      seen.push(x);
      k.stop();
    }, 1);
    k.at(2, (x: number) => seen.push(x), 2);
    expect(k.run()).toBe(1);
    expect(k.run()).toBe(1);
    expect(seen).toEqual([1, 2]);
  });

  it('grows past its initial capacity and recycles slots', () => {
    const q = new EventQueue(12, 2);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) q.push(i % 7919, (x: number) => (sum += x), i);
    expect(q.size).toBe(10_000);
    while (q.runNext()) {
      /* drain */
    }
    expect(sum).toBe((10_000 * 9_999) / 2);
  });
});
