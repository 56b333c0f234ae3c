import type { SimContext } from '../components/component.js';
import { EndHeap } from '../components/end-heap.js';
import { groupName } from '../components/ledger.js';
import { ACTIONS, IMAGES, SETUP, SIGNALS, type ActionRecord, type ImageMark, type SignalRecord } from '../components/records.js';
import { FreeList } from '../scheduler/free-list.js';
import { grown } from '../scheduler/grown.js';
import type { Ps } from '../scheduler/time.js';
import { WHOLE_RUN, overlaps, type TimeWindow } from './sink.js';

/** Where a track sits: the run's own, a component's (its `lane`-th, 0 the first), or a status line of one. */
export type TrackPlace = { readonly kind: 'run' } | { readonly kind: 'lane'; readonly component: string; readonly lane: number } | { readonly kind: 'status'; readonly component: string; readonly signal: string };

/**
 * What a Perfetto file format writes (trace-event JSON, or Perfetto's protobuf): the tracks,
 * slices, instants and counters of a run, in the order the run makes them. An `action` is the
 * record being delivered: valid only during the call (blocks reuse it), so a format encodes it
 * at once.
 */
export interface TimelineFormat {
  /** A new track numbered `id` (1, 2, ...), named `name`. */
  track(id: number, name: string, place: TrackPlace): void;
  slice(track: number, name: string, category: string, start: Ps, duration: Ps, action: ActionRecord | undefined, op: string | undefined): void;
  instant(track: number, name: string, category: string, time: Ps, action: ActionRecord): void;
  /**
   * A counter's value from `time` on: a component group's power in W (`component` undefined), or
   * a quantity a block asks to see over time (an IRMEN cell's magnetization), its series `series`.
   */
  counter(name: string, series: string, component: string | undefined, time: Ps, value: number): void;
  /**
   * For a format that writes a slice's start and end apart (protobuf): a status line's slice
   * as it rises and falls, so its start goes out in time order; without them, the slice goes
   * whole to `slice` when the line falls.
   */
  begin?(track: number, name: string, category: string, start: Ps, op: string | undefined): void;
  end?(track: number, time: Ps): void;
}

interface Lane {
  readonly track: number;
  end: number;
}

/**
 * Turns a run's records into tracks for Perfetto, the same for every file format:
 * - every action is a slice on its component's track; a component that does several things at
 *   once gets more tracks ("sram #1", ...), so slices on one track never overlap; an instant
 *   cost is an instant on its first track;
 * - power per component group (indexed instances summed) is a counter, changed where a power
 *   window (an action's energy spread over its duration) opens or closes;
 * - one-bit status lines (bank roles, busy lines) are slices on their own tracks;
 * - images are slices on a "run" track.
 */
export class Timeline {
  private nextTrack = 1;
  private readonly lanes = new Map<string, Lane[]>();
  private readonly statusOpen = new Map<string, { track: number; since: number; op?: string; begun: boolean }>();
  private readonly statusTracks = new Map<string, number>();
  /** Power by group number; groups numbered as they first draw power. */
  private readonly groups = new Map<string, number>();
  private readonly groupNames: string[] = [];
  private power = new Float64Array(16);
  /** Open power windows by end time; a window's number is reused once it closes, so memory stays at the most open at once. */
  private readonly ends = new EndHeap();
  private readonly free = new FreeList();
  private windowEnds = new Float64Array(1024);
  private windowWatts = new Float64Array(1024);
  private windowGroup = new Int32Array(1024);
  private windowCount = 0;
  private imageStart = 0;
  /** Between an image's `computed` mark and its end. */
  private inHead = false;
  private readonly runTrack: number;

  constructor(
    private readonly format: TimelineFormat,
    private readonly window: TimeWindow = WHOLE_RUN,
  ) {
    this.runTrack = this.track('run', { kind: 'run' });
  }

  attach(sim: SimContext): void {
    sim.bus.topic(ACTIONS).listen((r) => this.action(r));
    sim.bus.topic(SIGNALS).listen((s) => this.signal(s));
    sim.bus.topic(IMAGES).listen((m) => this.image(m));
  }

  private track(name: string, place: TrackPlace): number {
    const id = this.nextTrack++;
    this.format.track(id, name, place);
    return id;
  }

  /** A track of `component` free at `start` (a new one if all are busy). */
  private laneFor(component: string, start: number, end: number): number {
    let lanes = this.lanes.get(component);
    if (lanes === undefined) {
      lanes = [];
      this.lanes.set(component, lanes);
    }
    let lane = lanes.find((l) => l.end <= start);
    if (lane === undefined) {
      const n = lanes.length;
      lane = { track: this.track(n === 0 ? component : `${component} #${n}`, { kind: 'lane', component, lane: n }), end };
      lanes.push(lane);
    }
    lane.end = end;
    return lane.track;
  }

  /** Brings the power counters up to time `t`: windows that ended by then are closed. */
  private advance(t: number): void {
    for (let id = this.ends.peek(); id >= 0 && this.windowEnds[id]! <= t; id = this.ends.peek()) {
      this.ends.pop(this.windowEnds);
      this.free.push(id);
      const g = this.windowGroup[id]!;
      this.setPower(g, this.windowEnds[id]!, this.power[g]! - this.windowWatts[id]!);
    }
  }

  private setPower(group: number, t: number, watts: number): void {
    const w = Math.abs(watts) < 1e-15 ? 0 : watts;
    this.power[group] = w;
    if (overlaps(this.window, t, 0)) this.format.counter(`power ${this.groupNames[group]!}`, 'W', undefined, t, w);
  }

  private groupOf(component: string): number {
    const name = groupName(component);
    let g = this.groups.get(name);
    if (g === undefined) {
      g = this.groupNames.length;
      this.groups.set(name, g);
      this.groupNames.push(name);
      if (g === this.power.length) this.power = grown(this.power);
    }
    return g;
  }

  private openWindow(group: number, end: number, watts: number): void {
    let id = this.free.pop();
    if (id < 0) {
      id = this.windowCount++;
      if (id === this.windowEnds.length) {
        this.windowEnds = grown(this.windowEnds);
        this.windowWatts = grown(this.windowWatts);
        this.windowGroup = grown(this.windowGroup);
      }
    }
    this.windowEnds[id] = end;
    this.windowWatts[id] = watts;
    this.windowGroup[id] = group;
    this.ends.push(id, this.windowEnds);
  }

  private action(r: ActionRecord): void {
    this.advance(r.time);
    if (r.duration > 0 && r.energy > 0) {
      const group = this.groupOf(r.component);
      const watts = r.energy / (r.duration * 1e-12);
      this.setPower(group, r.time, this.power[group]! + watts);
      this.openWindow(group, r.time + r.duration, watts);
    }
    if (!overlaps(this.window, r.time, r.duration)) return;
    const category = r.detail === true ? 'note' : r.kind;
    if (r.duration === 0) {
      const track = this.lanes.get(r.component)?.[0]?.track ?? this.laneFor(r.component, r.time, r.time);
      this.format.instant(track, r.action, category, r.time, r);
      return;
    }
    this.format.slice(this.laneFor(r.component, r.time, r.time + r.duration), r.action, category, r.time, r.duration, r, r.op);
  }

  private signal(s: SignalRecord): void {
    if (typeof s.value === 'number' && s.counter !== undefined) {
      this.advance(s.time);
      this.format.counter(`${s.component}/${s.counter}`, s.signal.slice(s.signal.lastIndexOf('/') + 1), s.component, s.time, s.value);
      return;
    }
    if (s.value !== '1' && s.value !== '0') return;
    this.advance(s.time);
    const key = `${s.component}/${s.signal}`;
    const open = this.statusOpen.get(key);
    if (s.value === '1' && open === undefined) {
      let track = this.statusTracks.get(key);
      if (track === undefined) {
        track = this.track(key, { kind: 'status', component: s.component, signal: s.signal });
        this.statusTracks.set(key, track);
      }
      // A line that rises inside the window surely overlaps it: its start can go out now.
      const begun = this.format.begin !== undefined && overlaps(this.window, s.time, 0);
      if (begun) this.format.begin!(track, s.signal, 'status', s.time, s.op);
      this.statusOpen.set(key, { track, since: s.time, ...(s.op === undefined ? {} : { op: s.op }), begun });
    } else if (s.value === '0' && open !== undefined) {
      this.statusOpen.delete(key);
      if (open.begun) this.format.end!(open.track, s.time);
      else if (overlaps(this.window, open.since, s.time - open.since)) this.format.slice(open.track, s.signal, 'status', open.since, s.time - open.since, undefined, open.op);
    }
  }

  private image(m: ImageMark): void {
    this.advance(m.time);
    if (m.phase === 'start') {
      this.imageStart = m.time;
      this.inHead = false;
      return;
    }
    // Status lines still high at the end of an image (or of its accelerator part) close there.
    for (const [key, open] of this.statusOpen) this.signal({ time: m.time, component: key.slice(0, key.lastIndexOf('/')), signal: key.slice(key.lastIndexOf('/') + 1), value: '0', ...(open.op === undefined ? {} : { op: open.op }) });
    // An image with a classifier head shows as two slices: the accelerator's, then the head's.
    const name = m.image === SETUP ? 'setup' : this.inHead ? `image ${m.image}: classifier head` : `image ${m.image}`;
    if (overlaps(this.window, this.imageStart, m.time - this.imageStart)) this.format.slice(this.runTrack, name, 'run', this.imageStart, m.time - this.imageStart, undefined, undefined);
    if (m.phase === 'computed') {
      this.imageStart = m.time;
      this.inHead = true;
    }
  }

  /** Closes the power windows still open (the run is over). */
  finish(): void {
    this.advance(Number.MAX_SAFE_INTEGER);
  }
}
