import type { SimContext } from '../components/component.js';
import type { ActionRecord } from '../components/records.js';
import { FileSink, WHOLE_RUN, type TimeWindow, type TraceBudget } from './sink.js';
import { Timeline, type TimelineFormat, type TrackPlace } from './timeline.js';

/** Picoseconds as microseconds, exactly: the trace-event format counts in us, we in ps. */
export const psToUs = (ps: number): string => `${Math.trunc(ps / 1e6)}.${String(ps % 1e6).padStart(6, '0')}`;

/** An action's arguments as the JSON form shows them: its energy, count, op and values. */
function actionArgs(r: ActionRecord): Record<string, unknown> {
  return { energy_j: r.energy, count: r.count, ...(r.op === undefined ? {} : { op: r.op }), ...(r.values ?? {}) };
}

/**
 * Writes a run as Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing),
 * streaming as the simulation goes: slices are complete events (`ph: "X"`) with their energy,
 * count, op and values in `args`, tracks are threads of one process, counters are `ph: "C"`.
 * Times are microseconds written with six decimals, so every picosecond is in the file.
 */
export class PerfettoTrace implements TimelineFormat {
  private readonly sink: FileSink;
  private readonly timeline: Timeline;
  private first = true;
  events = 0;

  constructor(
    readonly path: string,
    title: string,
    window: TimeWindow = WHOLE_RUN,
    budget?: TraceBudget,
  ) {
    this.sink = new FileSink(path, budget);
    this.sink.write('{"displayTimeUnit":"ns","otherData":{"generator":"spinarch"},"traceEvents":[\n');
    this.emit({ ph: 'M', name: 'process_name', pid: 1, tid: 0, args: { name: title } });
    this.timeline = new Timeline(this, window);
  }

  attach(sim: SimContext): void {
    this.timeline.attach(sim);
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

  track(id: number, name: string, _place: TrackPlace): void {
    this.emit({ ph: 'M', name: 'thread_name', pid: 1, tid: id, args: { name } });
    this.emit({ ph: 'M', name: 'thread_sort_index', pid: 1, tid: id, args: { sort_index: id } });
  }

  slice(track: number, name: string, category: string, start: number, duration: number, action: ActionRecord | undefined, op: string | undefined): void {
    const args = action !== undefined ? actionArgs(action) : op === undefined ? {} : { op };
    this.emitTimed({ ph: 'X', name, cat: category, pid: 1, tid: track }, start, duration, args);
  }

  instant(track: number, name: string, category: string, time: number, action: ActionRecord): void {
    this.emitTimed({ ph: 'i', s: 't', name, cat: category, pid: 1, tid: track }, time, undefined, actionArgs(action));
  }

  counter(name: string, series: string, _component: string | undefined, time: number, value: number): void {
    this.emitTimed({ ph: 'C', name, pid: 1, tid: 0 }, time, undefined, { [series]: value });
  }

  close(): void {
    try {
      this.timeline.finish();
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
