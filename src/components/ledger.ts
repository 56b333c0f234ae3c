import type { Subscription } from 'rxjs';
import type { Bus } from '../scheduler/bus.js';
import type { Ps } from '../scheduler/time.js';
import { EndHeap } from './end-heap.js';
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
  /** End of what is in scope: the accelerator's `computed` mark, or the image's end when the head counts. */
  readonly end: Ps;
  readonly latency: Ps;
  /** Energy in scope (the classifier head only when it counts). */
  readonly energy: number;
  /** The classifier head's energy and time (from the accelerator's `computed` mark to the end), counted or not. */
  readonly headEnergy: number;
  readonly headLatency: Ps;
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

/**
 * Power over time, swept as the records arrive (they come in time order): open windows sit
 * in a min-heap by end time, so peak power and powered time need no list of every window.
 */
class PowerSweep {
  private readonly open = new EndHeap<number>();
  private level = 0;
  private last = 0;
  peak = 0;
  powered = 0;

  /** Closes the windows that ended by `t` (ends before starts at equal times). */
  advance(t: number): void {
    for (let end = this.open.peekEnd(); end !== undefined && end <= t; end = this.open.peekEnd()) {
      this.move(end);
      this.level -= this.open.pop();
    }
    this.move(t);
  }

  add(t: number, duration: number, watts: number): void {
    this.advance(t);
    this.level += watts;
    if (this.level > this.peak) this.peak = this.level;
    this.open.push(t + duration, watts);
  }

  private move(t: number): void {
    if (this.open.size > 0 && t > this.last) this.powered += t - this.last;
    if (t > this.last) this.last = t;
  }
}

/** Accumulates one image while it runs. */
class OpenImage {
  /** When the accelerator finished and the classifier head took over. */
  computedAt: Ps | undefined;
  headEnergy = 0;
  /** Energy lines by component name, then action (the names as blocks give them). */
  private readonly byComponent = new Map<string, Map<string, EnergyLine>>();
  readonly lines: EnergyLine[] = [];
  readonly counts = new Map<string, number>();
  readonly traffic: Traffic = { reads: 0, writes: 0, bitsRead: 0, bitsWritten: 0 };
  energy = 0;
  /** Lines by group name (`maap[*]`), then action. */
  private readonly groups = new Map<string, Map<string, EnergyLine>>();
  private readonly sweep = new PowerSweep();

  constructor(
    readonly image: number,
    readonly start: Ps,
    /** Whether the classifier head's costs count in energy and power (the seeds' scope leaves it out). */
    private readonly countHead: boolean,
  ) {}

  private line(r: ActionRecord): EnergyLine {
    let actions = this.byComponent.get(r.component);
    if (actions === undefined) {
      actions = new Map();
      this.byComponent.set(r.component, actions);
    }
    let line = actions.get(r.action);
    if (line === undefined) {
      // Indexed instances share one line: maap[3] and maap[7] both go to maap[*].
      const group = groupName(r.component);
      let shared = this.groups.get(group);
      if (shared === undefined) {
        shared = new Map();
        this.groups.set(group, shared);
      }
      line = shared.get(r.action);
      if (line === undefined) {
        line = { component: group, kind: r.kind, action: r.action, count: 0, energy: 0 };
        shared.set(r.action, line);
        this.lines.push(line);
      }
      actions.set(r.action, line);
    }
    return line;
  }

  addAction(r: ActionRecord): void {
    const line = this.line(r);
    line.count += r.count;
    line.energy += r.energy;
    this.counts.set(r.action, (this.counts.get(r.action) ?? 0) + r.count);
    if (r.kind === 'classifier') {
      this.headEnergy += r.energy;
      if (!this.countHead) return;
    }
    this.energy += r.energy;
    // Zero-energy spans (a stage's extent) say when, not how much: they draw no power.
    if (r.duration > 0 && r.energy > 0) this.sweep.add(r.time, r.duration, r.energy / (r.duration * 1e-12));
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

  close(finished: Ps): ImageTotals {
    const computed = this.computedAt ?? finished;
    const end = this.countHead ? finished : computed;
    const latency = end - this.start;
    this.sweep.advance(Number.MAX_SAFE_INTEGER);
    return {
      image: this.image,
      start: this.start,
      end,
      latency,
      energy: this.energy,
      headEnergy: this.headEnergy,
      headLatency: finished - computed,
      lines: this.lines.map((l) => ({ ...l })),
      counts: Object.fromEntries(this.counts),
      traffic: { ...this.traffic },
      power: { peakW: this.sweep.peak, averageW: latency > 0 ? this.energy / (latency * 1e-12) : 0, poweredPs: this.sweep.powered },
    };
  }
}

export class LedgerError extends Error {
  override name = 'LedgerError';
}

export interface LedgerOptions {
  /**
   * Count the classifier head (blocks of class 'classifier') in energy, latency and power.
   * Off by default: the seeds leave the final dense layer out of their figures, so its cost
   * is kept apart (still in the breakdown, as its own line).
   */
  readonly countHead?: boolean;
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

  /** Whether the classifier head counts (set before the first image; see LedgerOptions). */
  countHead: boolean;

  constructor(bus: Bus, options: LedgerOptions = {}) {
    this.countHead = options.countHead === true;
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
      this.open = new OpenImage(m.image, m.time, this.countHead);
    } else if (m.phase === 'computed') {
      if (this.open === undefined || this.open.image !== m.image) throw new LedgerError(`image ${m.image} computed without starting`);
      this.open.computedAt = m.time;
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
