import type { SimContext } from '../components/component.js';
import { IMAGES, SETUP } from '../components/records.js';
import { grown } from '../scheduler/grown.js';
import { Timeline, type TimelineFormat } from '../trace/timeline.js';

/** Power over one image, averaged over equal bins: bin k covers [start + k w, start + (k + 1) w). */
export interface PowerCurve {
  readonly start_ps: number;
  readonly bin_ps: number;
  readonly watts: readonly number[];
}

/**
 * The total power of a run over time, from the same power windows the Perfetto traces draw
 * (Timeline's counters: an action's energy spread evenly over its duration), kept as the
 * steps of the total: one entry per picosecond at which it changes.
 */
export class PowerProfile implements TimelineFormat {
  private readonly timeline = new Timeline(this);
  private readonly groups = new Map<string, number>();
  private total = 0;
  private times = new Float64Array(1024);
  private levels = new Float64Array(1024);
  private n = 0;
  /** The first image's start and end (ps), once seen. */
  private first: { start: number; end: number } | undefined;
  private firstStart: number | undefined;
  /** When the first image's accelerator part ended (designs with a classifier head after it). */
  private firstComputed: number | undefined;

  attach(sim: SimContext): void {
    this.timeline.attach(sim);
    sim.bus.topic(IMAGES).listen((m) => {
      if (m.image === SETUP || this.first !== undefined) return;
      if (m.phase === 'start') this.firstStart = m.time;
      else if (m.phase === 'computed') this.firstComputed = m.time;
      else if (m.phase === 'end' && this.firstStart !== undefined) this.first = { start: this.firstStart, end: m.time };
    });
  }

  track(): void {}
  slice(): void {}
  instant(): void {}

  counter(name: string, _series: string, component: string | undefined, time: number, value: number): void {
    if (component !== undefined) return;
    this.total += value - (this.groups.get(name) ?? 0);
    this.groups.set(name, value);
    if (this.n > 0 && this.times[this.n - 1] === time) {
      this.levels[this.n - 1] = this.total;
      return;
    }
    if (this.n === this.times.length) {
      this.times = grown(this.times);
      this.levels = grown(this.levels);
    }
    this.times[this.n] = time;
    this.levels[this.n++] = Math.max(0, this.total);
  }

  /**
   * The first image's power in `bins` equal bins (each the energy in it over its width), or
   * undefined if no image ended; up to its accelerator's end unless `withHead` (the image's
   * classifier head counted in its figures).
   */
  curve(bins: number, withHead: boolean): PowerCurve | undefined {
    this.timeline.finish();
    if (this.first === undefined) return undefined;
    const start = this.first.start;
    const end = withHead || this.firstComputed === undefined ? this.first.end : this.firstComputed;
    const width = Math.max(1, (end - start) / bins);
    const energy = new Float64Array(bins);
    // The total is level[i] from times[i] to times[i + 1]: spread each step over the bins it covers.
    for (let i = 0; i < this.n; i++) {
      const a = Math.max(start, this.times[i]!);
      const b = Math.min(end, i + 1 < this.n ? this.times[i + 1]! : end);
      const w = this.levels[i]!;
      if (b <= a || w === 0) continue;
      for (let k = Math.floor((a - start) / width); k < bins && start + k * width < b; k++) {
        const lo = Math.max(a, start + k * width);
        const hi = Math.min(b, start + (k + 1) * width);
        if (hi > lo) energy[k] = energy[k]! + w * (hi - lo);
      }
    }
    return { start_ps: start, bin_ps: width, watts: Array.from(energy, (e) => e / width) };
  }
}
