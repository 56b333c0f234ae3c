import { bufferTime, delay, interval, map, of, take, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Bus, topicKey } from '../src/scheduler/bus.js';
import { ClockDomain } from '../src/scheduler/clock.js';
import { Kernel } from '../src/scheduler/kernel.js';
import { KernelScheduler } from '../src/scheduler/rx-scheduler.js';

describe('KernelScheduler', () => {
  it('runs delay() in simulated picoseconds', () => {
    const k = new Kernel();
    const s = new KernelScheduler(k);
    const seen: [number, string][] = [];
    of('a', 'b')
      .pipe(delay(1500, s))
      .subscribe((v) => seen.push([k.now, v]));
    expect(seen).toEqual([]);
    k.run();
    expect(seen).toEqual([
      [1500, 'a'],
      [1500, 'b'],
    ]);
    expect(s.now()).toBe(1500);
  });

  it('runs timer() and interval() and interleaves them with kernel events', () => {
    const k = new Kernel();
    const s = new KernelScheduler(k);
    const seen: string[] = [];
    timer(130, s).subscribe(() => seen.push(`timer@${k.now}`));
    interval(100, s)
      .pipe(take(3))
      .subscribe((i) => seen.push(`tick${i}@${k.now}`));
    k.at(130, () => seen.push(`kernel@${k.now}`), 0);
    k.run();
    expect(seen).toEqual(['tick0@100', 'timer@130', 'kernel@130', 'tick1@200', 'tick2@300']);
  });

  it('bufferTime() groups bus messages by simulated time windows', () => {
    const k = new Kernel();
    const bus = new Bus(k);
    const s = new KernelScheduler(k);
    const topic = bus.topic(topicKey<number>('samples'));
    const windows: number[][] = [];
    const sub = topic.pipe(bufferTime(1000, s)).subscribe((w) => windows.push(w));
    for (const t of [100, 900, 1100, 2500]) topic.publishAt(t, t);
    k.run(3000);
    sub.unsubscribe();
    expect(windows).toEqual([[100, 900], [1100], [2500]]);
  });

  it('cancels work that is unsubscribed before its time', () => {
    const k = new Kernel();
    const s = new KernelScheduler(k);
    const seen: number[] = [];
    const sub = timer(500, s).subscribe(() => seen.push(k.now));
    k.at(200, () => sub.unsubscribe(), 0);
    k.run();
    expect(seen).toEqual([]);
    expect(k.now).toBe(500); // the stale kernel event still ran, and did nothing
  });

  it('rejects delays that are not whole picoseconds', () => {
    const k = new Kernel();
    const s = new KernelScheduler(k);
    // RxJS routes an error thrown while subscribing to the subscriber's error channel.
    let caught: unknown;
    timer(0.5, s).subscribe({ error: (e: unknown) => (caught = e) });
    expect(String(caught)).toMatch(/delay must be a whole/);
  });
});

describe('Bus', () => {
  it('delivers to listeners and RxJS observers in order, at the scheduled time', () => {
    const k = new Kernel();
    const bus = new Bus(k);
    const t = bus.topic(topicKey<string>('bankA/out'));
    expect(t.observed).toBe(false);
    const seen: string[] = [];
    t.listen((m) => seen.push(`listener ${m}@${k.now}`));
    t.pipe(map((m) => m.toUpperCase())).subscribe((m) => seen.push(`rx ${m}@${k.now}`));
    expect(t.observed).toBe(true);
    t.publishAfter(1500, 'x');
    k.run();
    expect(seen).toEqual(['listener x@1500', 'rx X@1500']);
    expect(bus.topic(topicKey<string>('bankA/out'))).toBe(t);
  });

  it('makes run() throw what a listener threw, and stops there', () => {
    const k = new Kernel();
    const bus = new Bus(k);
    const t = bus.topic(topicKey<number>('boom'));
    let after = 0;
    t.listen((m) => {
      if (m === 2) throw new Error('listener failed');
    });
    t.publishAt(1, 1);
    t.publishAt(2, 2);
    k.at(3, () => after++, 0);
    expect(() => k.run()).toThrow('listener failed');
    expect(after).toBe(0);
    expect(k.now).toBe(2);
  });

  it('removes a listener on unsubscribe', () => {
    const k = new Kernel();
    const t = new Bus(k).topic(topicKey<number>('n'));
    const seen: number[] = [];
    const sub = t.listen((m) => seen.push(m));
    t.publish(1);
    sub.unsubscribe();
    t.publish(2);
    expect(seen).toEqual([1]);
  });
});

describe('ClockDomain', () => {
  it('converts cycles and picoseconds and runs work on edges', () => {
    const k = new Kernel();
    const clk = new ClockDomain(k, 'core', 1000, 250);
    expect(clk.frequency).toBeCloseTo(1e9, 0);
    expect(clk.timeOf(0)).toBe(250);
    expect(clk.timeOf(3)).toBe(3250);
    expect(clk.cycleAt(249)).toBe(-1);
    expect(clk.cycleAt(250)).toBe(0);
    expect(clk.cycleAt(1249)).toBe(0);
    expect(clk.cycleAt(1250)).toBe(1);
    expect(clk.nextEdge(251)).toBe(1250);
    expect(clk.nextEdge(1250)).toBe(1250);
    const edges: string[] = [];
    k.at(600, () => clk.onEdges(3, (c) => edges.push(`${c}@${k.now}`)), 0);
    k.run();
    expect(edges).toEqual(['1@1250', '2@2250', '3@3250']);
    expect(() => new ClockDomain(k, 'bad', 0)).toThrow(/at least 1 ps/);
    expect(() => new ClockDomain(k, 'bad', 1.5)).toThrow(/whole/);
  });
});
