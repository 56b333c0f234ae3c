import type { Kernel } from './kernel.js';
import { TimeError, checkTime, type Ps } from './time.js';

/**
 * A clock domain for cycle-based parts: edges at `phase + k * period` ps. Converts between
 * cycles and picoseconds and schedules work on edges, so a synchronous block can count in
 * cycles while the rest of the machine counts in picoseconds.
 */
export class ClockDomain {
  readonly period: Ps;
  readonly phase: Ps;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
    period: Ps,
    phase: Ps = 0,
  ) {
    checkTime(period, `clock ${name} period`);
    if (period === 0) throw new TimeError(`clock ${name} period must be at least 1 ps`);
    checkTime(phase, `clock ${name} phase`);
    this.period = period;
    this.phase = phase;
  }

  /** Frequency in Hz. */
  get frequency(): number {
    return 1e12 / this.period;
  }

  /** Time of the edge that starts cycle `cycle`. */
  timeOf(cycle: number): Ps {
    if (!Number.isSafeInteger(cycle) || cycle < 0) throw new TimeError(`cycle must be a whole number >= 0, got ${cycle}`);
    return checkTime(this.phase + cycle * this.period, `cycle ${cycle} of clock ${this.name}`);
  }

  /** The cycle in progress at time `t` (-1 before the first edge). */
  cycleAt(t: Ps): number {
    if (t < this.phase) return -1;
    return Math.floor((t - this.phase) / this.period);
  }

  /** The first edge at or after `t`. */
  nextEdge(t: Ps = this.kernel.now): Ps {
    if (t <= this.phase) return this.phase;
    return this.phase + Math.ceil((t - this.phase) / this.period) * this.period;
  }

  /** Runs `fn(cycle)` on the edge that starts `cycle` (which must not be in the past). */
  atCycle(cycle: number, fn: (cycle: number) => void): void {
    this.kernel.at(this.timeOf(cycle), fn, cycle);
  }

  /**
   * Runs `fn(cycle)` on `count` consecutive edges starting at the next one (at or after now).
   * Each edge schedules the next, so only one event is pending at a time.
   */
  onEdges(count: number, fn: (cycle: number) => void): void {
    if (count <= 0) return;
    const first = this.cycleAt(this.nextEdge()) ;
    const last = first + count - 1;
    const tick = (cycle: number): void => {
      fn(cycle);
      if (cycle < last) this.kernel.after(this.period, tick, cycle + 1);
    };
    this.atCycle(first, tick);
  }
}
