import type { SimContext } from '../components/component.js';
import { EndHeap } from '../components/end-heap.js';
import { grown } from '../scheduler/grown.js';
import { groupName } from '../components/ledger.js';
import { ACTIONS, IMAGES, SETUP, SIGNALS, type ActionRecord, type ImageMark, type SignalRecord } from '../components/records.js';
import { FileSink, WHOLE_RUN, overlaps, type TimeWindow, type TraceBudget } from './sink.js';

/** Picoseconds as microseconds, exactly: the trace-event format counts in us, we in ps. */
export const psToUs = (ps: number): string => `${Math.trunc(ps / 1e6)}.${String(ps % 1e6).padStart(6, '0')}`;

interface Lane {
  readonly tid: number;
  end: number;
}

/**
 * Writes a run as Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing),
 * streaming as the simulation goes:
 * - every action is a complete slice (`ph: "X"`) on its component's track, with its energy,
 *   count, op and values in `args`; a component that does several things at once gets more
 *   tracks ("sram #1", ...), so slices on one track never overlap;
 * - power per component (indexed instances summed) is a counter track (`ph: "C"`);
 * - one-bit status lines (bank roles, busy lines) are slices on their own tracks;
 * - images are slices on a "run" track.
 */
export class PerfettoTrace {
  private readonly sink: FileSink;
  private first = true;
  private nextTid = 1;
  private readonly lanes = new Map<string, Lane[]>();
  private readonly statusOpen = new Map<string, { tid: number; since: number; op?: string }>();
  private readonly statusTids = new Map<string, number>();
  private readonly power = new Map<string, number>();
  /** Open power windows by end time, each by its number: its end in `windowEnds`, its component group and watts in `windows`. */
  private readonly ends = new EndHeap();
  private windowEnds = new Float64Array(1024);
  private readonly windows = new Map<number, { readonly group: string; readonly watts: number }>();
  private windowCount = 0;
  private imageStart = 0;
  /** Between an image's `computed` mark and its end. */
  private inHead = false;
  private readonly runTid: number;
  events = 0;

  constructor(
    readonly path: string,
    title: string,
    private readonly window: TimeWindow = WHOLE_RUN,
    budget?: TraceBudget,
  ) {
    this.sink = new FileSink(path, budget);
    this.sink.write('{"displayTimeUnit":"ns","otherData":{"generator":"spinarch"},"traceEvents":[\n');
    this.emit({ ph: 'M', name: 'process_name', pid: 1, tid: 0, args: { name: title } });
    this.runTid = this.track('run');
  }

  attach(sim: SimContext): void {
    sim.bus.topic(ACTIONS).listen((r) => this.action(r));
    sim.bus.topic(SIGNALS).listen((s) => this.signal(s));
    sim.bus.topic(IMAGES).listen((m) => this.image(m));
  }

  private emit(event: Record<string, unknown>): void {
    this.sink.write(`${this.first ? '' : ',\n'}${JSON.stringify(event)}`);
    this.first = false;
    this.events++;
  }

  /** Writes a raw event whose ts/dur are exact decimal strings. */
  private emitTimed(head: Record<string, unknown>, ts: number, dur: number | undefined, args: Record<string, unknown>): void {
    const timing = `"ts":${psToUs(ts)}${dur === undefined ? '' : `,"dur":${psToUs(dur)}`}`;
    this.sink.write(`${this.first ? '' : ',\n'}${JSON.stringify(head).slice(0, -1)},${timing},"args":${JSON.stringify(args)}}`);
    this.first = false;
    this.events++;
  }

  private track(name: string): number {
    const tid = this.nextTid++;
    this.emit({ ph: 'M', name: 'thread_name', pid: 1, tid, args: { name } });
    this.emit({ ph: 'M', name: 'thread_sort_index', pid: 1, tid, args: { sort_index: tid } });
    return tid;
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
      lane = { tid: this.track(lanes.length === 0 ? component : `${component} #${lanes.length}`), end };
      lanes.push(lane);
    }
    lane.end = end;
    return lane.tid;
  }

  /** Brings the power counters up to time `t`: windows that ended by then are closed. */
  private advance(t: number): void {
    for (let id = this.ends.peek(); id >= 0 && this.windowEnds[id]! <= t; id = this.ends.peek()) {
      this.ends.pop(this.windowEnds);
      const end = this.windowEnds[id]!;
      const { group, watts } = this.windows.get(id)!;
      this.windows.delete(id);
      this.setPower(group, end, (this.power.get(group) ?? 0) - watts);
    }
  }

  private setPower(group: string, t: number, watts: number): void {
    const w = Math.abs(watts) < 1e-15 ? 0 : watts;
    this.power.set(group, w);
    if (overlaps(this.window, t, 0)) this.emitTimed({ ph: 'C', name: `power ${group}`, pid: 1, tid: 0 }, t, undefined, { W: w });
  }

  private action(r: ActionRecord): void {
    this.advance(r.time);
    if (r.duration > 0 && r.energy > 0) {
      const group = groupName(r.component);
      const watts = r.energy / (r.duration * 1e-12);
      this.setPower(group, r.time, (this.power.get(group) ?? 0) + watts);
      const id = this.windowCount++;
      if (id === this.windowEnds.length) this.windowEnds = grown(this.windowEnds);
      this.windowEnds[id] = r.time + r.duration;
      this.windows.set(id, { group, watts });
      this.ends.push(id, this.windowEnds);
    }
    if (!overlaps(this.window, r.time, r.duration)) return;
    const args: Record<string, unknown> = { energy_j: r.energy, count: r.count, ...(r.op === undefined ? {} : { op: r.op }), ...(r.values ?? {}) };
    const cat = r.detail === true ? 'note' : r.kind;
    if (r.duration === 0) {
      // An instant cost (a write's charge, a count) is a mark on the component's first track.
      const tid = this.lanes.get(r.component)?.[0]?.tid ?? this.laneFor(r.component, r.time, r.time);
      this.emitTimed({ ph: 'i', s: 't', name: r.action, cat, pid: 1, tid }, r.time, undefined, args);
      return;
    }
    const tid = this.laneFor(r.component, r.time, r.time + r.duration);
    this.emitTimed({ ph: 'X', name: r.action, cat, pid: 1, tid }, r.time, r.duration, args);
  }

  private signal(s: SignalRecord): void {
    if (typeof s.value === 'number' && s.counter !== undefined) {
      // A quantity its block asks to see over time (an IRMEN cell's magnetization): a counter track.
      this.advance(s.time);
      this.emitTimed({ ph: 'C', name: `${s.component}/${s.counter}`, pid: 1, tid: 0 }, s.time, undefined, { [s.signal.slice(s.signal.lastIndexOf('/') + 1)]: s.value });
      return;
    }
    if (s.value !== '1' && s.value !== '0') return;
    this.advance(s.time);
    const key = `${s.component}/${s.signal}`;
    const open = this.statusOpen.get(key);
    if (s.value === '1' && open === undefined) {
      let tid = this.statusTids.get(key);
      if (tid === undefined) {
        tid = this.track(key);
        this.statusTids.set(key, tid);
      }
      this.statusOpen.set(key, { tid, since: s.time, ...(s.op === undefined ? {} : { op: s.op }) });
    } else if (s.value === '0' && open !== undefined) {
      this.statusOpen.delete(key);
      if (overlaps(this.window, open.since, s.time - open.since)) {
        this.emitTimed({ ph: 'X', name: s.signal, cat: 'status', pid: 1, tid: open.tid }, open.since, s.time - open.since, open.op === undefined ? {} : { op: open.op });
      }
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
    if (overlaps(this.window, this.imageStart, m.time - this.imageStart)) {
      this.emitTimed({ ph: 'X', name, cat: 'run', pid: 1, tid: this.runTid }, this.imageStart, m.time - this.imageStart, {});
    }
    if (m.phase === 'computed') {
      this.imageStart = m.time;
      this.inHead = true;
    }
  }

  close(): void {
    try {
      this.advance(Number.MAX_SAFE_INTEGER);
      this.sink.write('\n]}\n');
    } catch (error) {
      this.sink.abort();
      throw error;
    }
    this.sink.close();
  }

  /** Removes what was written; a file that was there before is left as it was. */
  abort(): void {
    this.sink.abort();
  }
}
