import { EndHeap } from './end-heap.js';

/** Windows of one duration: ring buffers of (end, watts), in start order and so in end order. */
interface Lane {
  readonly duration: number;
  ends: Float64Array;
  watts: Float64Array;
  head: number;
  count: number;
}

/** Durations beyond this many distinct ones go to a heap (a design has a handful). */
const MAX_LANES = 32;

/**
 * Power over time for one image, swept as the windows arrive (in start order): the highest
 * instantaneous power and how long anything drew power.
 *
 * Windows of one duration end in the order they start, so each distinct duration keeps a
 * FIFO lane and the next window to close is the earliest lane head: a few comparisons, no
 * heap, no allocation on the per-action path. At equal end times windows close lane by lane
 * (lanes in the order their durations first appeared), each lane in start order, and always
 * before a window starting at that time opens. Durations past the first MAX_LANES share a
 * heap, whose windows close after the lanes' at equal times.
 */
export class PowerSweep {
  private readonly lanes: Lane[] = [];
  private readonly overflow = new EndHeap();
  private level = 0;
  private last = 0;
  private openCount = 0;
  peak = 0;
  powered = 0;

  /**
   * Opens a window spending `energy` joules evenly over [time, time + duration) ps (time never
   * before an earlier window's). It takes the record itself: passing times and watts as
   * arguments would box them, an allocation per action.
   */
  add(w: { readonly time: number; readonly duration: number; readonly energy: number }): void {
    const t = w.time;
    const duration = w.duration;
    const watts = w.energy / (duration * 1e-12);
    if (t >= this.nextEnd) {
      this.until = t;
      this.closeUntil();
    } else if (t > this.last) {
      // Nothing ends by t: only the powered time moves on.
      if (this.openCount > 0) this.powered += t - this.last;
      this.last = t;
    }
    this.level += watts;
    if (this.level > this.peak) this.peak = this.level;
    this.openCount++;
    const end = t + duration;
    if (end < this.nextEnd) this.nextEnd = end;
    const lane = this.laneOf(duration);
    if (lane === undefined) {
      this.overflow.push(end, watts);
      return;
    }
    if (lane.count === lane.ends.length) this.widen(lane);
    const at = (lane.head + lane.count) & (lane.ends.length - 1);
    lane.ends[at] = end;
    lane.watts[at] = watts;
    lane.count++;
  }

  /** Where closeUntil sweeps to (a field, not an argument: see add). */
  private until = 0;
  /** The earliest end of an open window (infinite when none is open): below it, nothing closes. */
  private nextEnd = Number.POSITIVE_INFINITY;

  /** Closes every window that ended by `until` (ends before starts at equal times). */
  private closeUntil(): void {
    const t = this.until;
    const lanes = this.lanes;
    for (;;) {
      let best: Lane | undefined;
      let end = Number.POSITIVE_INFINITY;
      for (let i = 0; i < lanes.length; i++) {
        const lane = lanes[i]!;
        if (lane.count > 0 && lane.ends[lane.head]! < end) {
          end = lane.ends[lane.head]!;
          best = lane;
        }
      }
      const spill = this.overflow.size > 0 ? this.overflow.peekEnd()! : Number.POSITIVE_INFINITY;
      if (end > t && spill > t) {
        this.nextEnd = end < spill ? end : spill;
        break;
      }
      const closing = best !== undefined && end <= spill ? end : spill;
      if (closing > this.last) {
        this.powered += closing - this.last;
        this.last = closing;
      }
      if (best !== undefined && end <= spill) {
        this.level -= best.watts[best.head]!;
        best.head = (best.head + 1) & (best.ends.length - 1);
        best.count--;
      } else this.level -= this.overflow.pop();
      this.openCount--;
    }
    if (t > this.last) {
      if (this.openCount > 0) this.powered += t - this.last;
      this.last = t;
    }
  }

  /** Closes everything: peak and powered time are final. */
  finish(): void {
    this.until = Number.MAX_SAFE_INTEGER;
    this.closeUntil();
  }

  /** Forgets every window and the figures (for the next image); lanes keep their buffers. */
  reset(): void {
    for (const lane of this.lanes) {
      lane.head = 0;
      lane.count = 0;
    }
    while (this.overflow.size > 0) this.overflow.pop();
    this.level = 0;
    this.last = 0;
    this.openCount = 0;
    this.nextEnd = Number.POSITIVE_INFINITY;
    this.peak = 0;
    this.powered = 0;
  }

  private laneOf(duration: number): Lane | undefined {
    const lanes = this.lanes;
    for (let i = 0; i < lanes.length; i++) if (lanes[i]!.duration === duration) return lanes[i];
    if (lanes.length === MAX_LANES) return undefined;
    const lane: Lane = { duration, ends: new Float64Array(64), watts: new Float64Array(64), head: 0, count: 0 };
    lanes.push(lane);
    return lane;
  }

  /** Doubles a full lane's ring, unrolling it to start at 0. */
  private widen(lane: Lane): void {
    const n = lane.ends.length;
    const ends = new Float64Array(2 * n);
    const watts = new Float64Array(2 * n);
    for (let i = 0; i < lane.count; i++) {
      ends[i] = lane.ends[(lane.head + i) & (n - 1)]!;
      watts[i] = lane.watts[(lane.head + i) & (n - 1)]!;
    }
    lane.ends = ends;
    lane.watts = watts;
    lane.head = 0;
  }
}
