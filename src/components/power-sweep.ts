import { FreeList } from '../scheduler/free-list.js';
import { grown } from '../scheduler/grown.js';
import { EndHeap } from './end-heap.js';

/**
 * Power over time for one image, swept as the windows arrive (in start order): the highest
 * instantaneous power and how long anything drew power. Open windows sit in a min-heap by
 * end time; a window ending at t closes before one starting at t opens.
 *
 * A window's end and watts live in typed arrays under a slot number, recycled when it
 * closes, so the sweep's memory is the windows open at once, and nothing on the per-action
 * path allocates or boxes a number (add takes the record itself for the same reason).
 */
export class PowerSweep {
  private ends = new Float64Array(256);
  private watts = new Float64Array(256);
  private readonly free = new FreeList(256);
  private slots = 0;
  private readonly open = new EndHeap();
  private level = 0;
  private last = 0;
  peak = 0;
  powered = 0;

  /** Opens a window spending `energy` joules evenly over [time, time + duration) ps (time never before an earlier window's). */
  add(w: { readonly time: number; readonly duration: number; readonly energy: number }): void {
    const t = w.time;
    this.closeUntil(w);
    const watts = w.energy / (w.duration * 1e-12);
    this.level += watts;
    if (this.level > this.peak) this.peak = this.level;
    let slot = this.free.pop();
    if (slot < 0) {
      slot = this.slots++;
      if (slot === this.ends.length) {
        this.ends = grown(this.ends);
        this.watts = grown(this.watts);
      }
    }
    this.ends[slot] = t + w.duration;
    this.watts[slot] = watts;
    this.open.push(slot, this.ends);
  }

  /** Closes every window that ended by `until.time` (ends before starts at equal times). */
  private closeUntil(until: { readonly time: number }): void {
    const t = until.time;
    const open = this.open;
    const ends = this.ends;
    for (let next = open.peek(); next >= 0 && ends[next]! <= t; next = open.peek()) {
      const end = ends[next]!;
      if (end > this.last) {
        this.powered += end - this.last;
        this.last = end;
      }
      open.pop(ends);
      this.level -= this.watts[next]!;
      this.free.push(next);
    }
    if (t > this.last) {
      if (open.size > 0) this.powered += t - this.last;
      this.last = t;
    }
  }

  /** Closes everything: peak and powered time are final. */
  finish(): void {
    this.closeUntil({ time: Number.MAX_SAFE_INTEGER });
  }

  /** Forgets every window and the figures (for the next image). */
  reset(): void {
    while (this.open.size > 0) this.free.push(this.open.pop(this.ends));
    this.level = 0;
    this.last = 0;
    this.peak = 0;
    this.powered = 0;
  }
}
