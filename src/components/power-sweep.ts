import { grown } from '../scheduler/grown.js';
import { EndHeap } from './end-heap.js';

/**
 * Power over time for one image: the highest instantaneous power and how long anything drew
 * power. Windows are noted as their records arrive (in start order) and swept when the image
 * finishes, open windows sitting in a min-heap by end time; a window ending at t closes
 * before one starting at t opens.
 *
 * Noting a window is three stores into typed arrays: no call and no allocation on the
 * per-action path (passing times and watts to a function that is not inlined would box
 * them). The sweep then runs as one tight loop; the arrays are kept from image to image.
 */
export class PowerSweep {
  private starts = new Float64Array(4096);
  private durations = new Float64Array(4096);
  private energies = new Float64Array(4096);
  private n = 0;
  private readonly open = new EndHeap();
  peak = 0;
  powered = 0;

  /** Notes a window spending `energy` joules evenly over [time, time + duration) ps, time never before an earlier window's. */
  add(w: { readonly time: number; readonly duration: number; readonly energy: number }): void {
    if (this.n === this.starts.length) this.grow();
    this.starts[this.n] = w.time;
    this.durations[this.n] = w.duration;
    this.energies[this.n++] = w.energy;
  }

  /** Sweeps the windows noted since the last reset: peak and powered time are final. */
  finish(): void {
    const open = this.open;
    let level = 0;
    let last = 0;
    let peak = 0;
    let powered = 0;
    for (let i = 0; i <= this.n; i++) {
      const t = i < this.n ? this.starts[i]! : Number.MAX_SAFE_INTEGER;
      // Close the windows that ended by t.
      while (open.size > 0 && open.peekEnd()! <= t) {
        const end = open.peekEnd()!;
        if (end > last) {
          powered += end - last;
          last = end;
        }
        level -= open.pop();
      }
      if (t > last) {
        if (open.size > 0) powered += t - last;
        last = t;
      }
      if (i === this.n) break;
      const duration = this.durations[i]!;
      const watts = this.energies[i]! / (duration * 1e-12);
      level += watts;
      if (level > peak) peak = level;
      open.push(t + duration, watts);
    }
    this.peak = peak;
    this.powered = powered;
  }

  /** Forgets the windows noted and the figures (for the next image). */
  reset(): void {
    this.n = 0;
    this.peak = 0;
    this.powered = 0;
  }

  private grow(): void {
    this.starts = grown(this.starts);
    this.durations = grown(this.durations);
    this.energies = grown(this.energies);
  }
}
