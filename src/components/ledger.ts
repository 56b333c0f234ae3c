import type { Subscription } from 'rxjs';
import type { Bus } from '../scheduler/bus.js';
import type { Ps } from '../scheduler/time.js';
import { grown } from '../scheduler/grown.js';
import { PowerSweep } from './power-sweep.js';
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
 * The breakdown's lines, numbered once: indexed instances share one (`maap[3]` and
 * `maap[7]` both go to `maap[*]`), and each action number maps to its line the first time it
 * is seen, so that summing a record is an array index, not a name lookup.
 */
class LineTable {
  private readonly byAction: number[] = [];
  private readonly byKey = new Map<string, number>();
  readonly lines: { readonly component: string; readonly kind: ComponentClass; readonly action: string }[] = [];

  lineOf(r: ActionRecord): number {
    if (r.actionId < 0) return this.keyed(r);
    const known = this.byAction[r.actionId];
    if (known !== undefined) return known;
    const line = this.keyed(r);
    this.byAction[r.actionId] = line;
    return line;
  }

  private keyed(r: ActionRecord): number {
    const group = groupName(r.component);
    const key = `${group}\u0000${r.action}`;
    let line = this.byKey.get(key);
    if (line === undefined) {
      line = this.lines.length;
      this.lines.push({ component: group, kind: r.kind, action: r.action });
      this.byKey.set(key, line);
    }
    return line;
  }
}

/** Accumulates one image while it runs: counts and energy per line in typed arrays. */
class OpenImage {
  /** When the accelerator finished and the classifier head took over. */
  computedAt: Ps | undefined;
  headEnergy = 0;
  readonly traffic: Traffic = { reads: 0, writes: 0, bitsRead: 0, bitsWritten: 0 };
  energy = 0;
  private countOf = new Float64Array(64);
  private energyOf = new Float64Array(64);
  private seen = new Uint8Array(64);
  /** Lines in the order this image first used them (the breakdown's order before sorting). */
  private readonly order: number[] = [];

  constructor(
    readonly image: number,
    readonly start: Ps,
    /** Whether the classifier head's costs count in energy and power (the seeds' scope leaves it out). */
    private readonly countHead: boolean,
    private readonly table: LineTable,
    /** The ledger's sweep, reset for this image. */
    private readonly sweep: PowerSweep,
  ) {
    sweep.reset();
  }

  private grow(line: number): void {
    this.countOf = grown(this.countOf, line + 1);
    this.energyOf = grown(this.energyOf, line + 1);
    this.seen = grown(this.seen, line + 1);
  }

  addAction(r: ActionRecord): void {
    const line = this.table.lineOf(r);
    if (line >= this.seen.length) this.grow(line);
    if (this.seen[line] === 0) {
      this.seen[line] = 1;
      this.order.push(line);
    }
    this.countOf[line]! += r.count;
    this.energyOf[line]! += r.energy;
    if (r.kind === 'classifier') {
      this.headEnergy += r.energy;
      if (!this.countHead) return;
    }
    this.energy += r.energy;
    // Zero-energy spans (a stage's extent) say when, not how much: they draw no power.
    if (r.duration > 0 && r.energy > 0) this.sweep.add(r);
  }

  /** The lines this image used, in the order it first used them. */
  private lines(): EnergyLine[] {
    return this.order.map((l) => {
      const { component, kind, action } = this.table.lines[l]!;
      return { component, kind, action, count: this.countOf[l]!, energy: this.energyOf[l]! };
    });
  }

  /** Counts by action name, summed over the lines. */
  private counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const l of this.order) {
      const action = this.table.lines[l]!.action;
      counts[action] = (counts[action] ?? 0) + this.countOf[l]!;
    }
    return counts;
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
    this.sweep.finish();
    return {
      image: this.image,
      start: this.start,
      end,
      latency,
      energy: this.energy,
      headEnergy: this.headEnergy,
      headLatency: finished - computed,
      lines: this.lines(),
      counts: this.counts(),
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
  private readonly table = new LineTable();
  private readonly power = new PowerSweep();

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
      this.open = new OpenImage(m.image, m.time, this.countHead, this.table, this.power);
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
