import type { Subscription } from 'rxjs';
import type { Bus } from '../scheduler/bus.js';
import type { Ps } from '../scheduler/time.js';
import { ACTIONS, IMAGES, SETUP, TRAFFIC, type ActionRecord, type ComponentClass, type ImageMark, type TrafficRecord } from './records.js';

/** Energy of one action of one component (or of a group of indexed instances). */
export interface EnergyLine {
  readonly component: string;
  readonly kind: ComponentClass;
  readonly action: string;
  count: number;
  energy: number;
}

export interface Traffic {
  reads: number;
  writes: number;
  bitsRead: number;
  bitsWritten: number;
}

/** Power over time, summarised: the highest instantaneous power and how long anything drew power. */
export interface PowerSummary {
  readonly peakW: number;
  readonly averageW: number;
  /** Time during which at least one power window or timed action was open. */
  readonly poweredPs: Ps;
}

/** Everything one image cost. */
export interface ImageTotals {
  readonly image: number;
  readonly start: Ps;
  readonly end: Ps;
  readonly latency: Ps;
  readonly energy: number;
  readonly lines: readonly EnergyLine[];
  readonly counts: Readonly<Record<string, number>>;
  readonly traffic: Readonly<Traffic>;
  readonly power: PowerSummary;
}

/**
 * Indexed instances (`maap[12]`, `bankA/cell[3,4]`) are summed into one line (`maap[*]`),
 * so a design with thousands of identical blocks still reads as a short breakdown.
 */
export const groupName = (component: string): string => component.replace(/\[[^\]]*\]/g, '[*]');

/** Accumulates one image while it runs. */
class OpenImage {
  readonly lines = new Map<string, EnergyLine>();
  readonly counts = new Map<string, number>();
  readonly traffic: Traffic = { reads: 0, writes: 0, bitsRead: 0, bitsWritten: 0 };
  energy = 0;
  // Timed actions, as parallel arrays: [start, end) at a constant power.
  private starts: number[] = [];
  private ends: number[] = [];
  private watts: number[] = [];

  constructor(
    readonly image: number,
    readonly start: Ps,
  ) {}

  addAction(r: ActionRecord): void {
    const component = groupName(r.component);
    const key = `${component}\u0000${r.action}`;
    let line = this.lines.get(key);
    if (line === undefined) {
      line = { component, kind: r.kind, action: r.action, count: 0, energy: 0 };
      this.lines.set(key, line);
    }
    line.count += r.count;
    line.energy += r.energy;
    this.energy += r.energy;
    this.counts.set(r.action, (this.counts.get(r.action) ?? 0) + r.count);
    // Zero-energy spans (a stage's extent) say when, not how much: they draw no power.
    if (r.duration > 0 && r.energy > 0) {
      this.starts.push(r.time);
      this.ends.push(r.time + r.duration);
      this.watts.push(r.energy / (r.duration * 1e-12));
    }
  }

  addTraffic(r: TrafficRecord): void {
    if (r.direction === 'read') {
      this.traffic.reads += r.accesses;
      this.traffic.bitsRead += r.bits;
    } else {
      this.traffic.writes += r.accesses;
      this.traffic.bitsWritten += r.bits;
    }
  }

  /** Sweeps the timed actions in time order for the peak power and the powered time. */
  power(latency: Ps): PowerSummary {
    const n = this.starts.length;
    const edges: { t: number; dw: number; dn: number }[] = new Array(2 * n);
    for (let i = 0; i < n; i++) {
      edges[2 * i] = { t: this.starts[i]!, dw: this.watts[i]!, dn: 1 };
      edges[2 * i + 1] = { t: this.ends[i]!, dw: -this.watts[i]!, dn: -1 };
    }
    // Ends before starts at equal times: back-to-back windows do not overlap.
    edges.sort((a, b) => a.t - b.t || a.dn - b.dn);
    let w = 0;
    let open = 0;
    let peak = 0;
    let powered = 0;
    let last = 0;
    for (let i = 0; i < edges.length; i++) {
      const e = edges[i]!;
      if (open > 0) powered += e.t - last;
      last = e.t;
      w += e.dw;
      open += e.dn;
      // Only take the level once every edge at this time is applied.
      if (i + 1 === edges.length || edges[i + 1]!.t !== e.t) peak = Math.max(peak, w);
    }
    return { peakW: peak, averageW: latency > 0 ? this.energy / (latency * 1e-12) : 0, poweredPs: powered };
  }

  close(end: Ps): ImageTotals {
    const latency = end - this.start;
    return {
      image: this.image,
      start: this.start,
      end,
      latency,
      energy: this.energy,
      lines: [...this.lines.values()].map((l) => ({ ...l })),
      counts: Object.fromEntries(this.counts),
      traffic: { ...this.traffic },
      power: this.power(latency),
    };
  }
}

export class LedgerError extends Error {
  override name = 'LedgerError';
}

/**
 * The energy ledger: an observer of the bus. It sums what blocks publish (actions, power
 * windows, memory traffic) per image, between the image marks; the blocks do not know it
 * exists.
 */
export class Ledger {
  private readonly subscriptions: Subscription[];
  private open: OpenImage | undefined;
  readonly images: ImageTotals[] = [];
  /** The setup window (weights written before the first image), if the design has one. */
  setup: ImageTotals | undefined;

  constructor(bus: Bus) {
    this.subscriptions = [
      bus.topic(IMAGES).listen((m) => this.mark(m)),
      bus.topic(ACTIONS).listen((r) => {
        if (r.detail !== true) this.current(r.component).addAction(r);
      }),
      bus.topic(TRAFFIC).listen((r) => this.current(r.component).addTraffic(r)),
    ];
  }

  private current(component: string): OpenImage {
    if (this.open === undefined) throw new LedgerError(`${component} acted outside any image; every cost must belong to an image`);
    return this.open;
  }

  private mark(m: ImageMark): void {
    if (m.phase === 'start') {
      if (this.open !== undefined) throw new LedgerError(`image ${m.image} started before image ${this.open.image} ended`);
      this.open = new OpenImage(m.image, m.time);
    } else {
      if (this.open === undefined || this.open.image !== m.image) throw new LedgerError(`image ${m.image} ended without starting`);
      const totals = this.open.close(m.time);
      if (m.image === SETUP) this.setup = totals;
      else this.images.push(totals);
      this.open = undefined;
    }
  }

  get inImage(): boolean {
    return this.open !== undefined;
  }

  detach(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }
}
