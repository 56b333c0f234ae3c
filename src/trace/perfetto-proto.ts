import type { SimContext } from '../components/component.js';
import type { ActionRecord, RecordValue } from '../components/records.js';
import { EndHeap } from '../components/end-heap.js';
import { FreeList } from '../scheduler/free-list.js';
import { grown } from '../scheduler/grown.js';
import { PacketSequence } from './packet-sequence.js';
import { ProtoWriter } from './proto-writer.js';
import { FileSink, WHOLE_RUN, type TimeWindow, type TraceBudget } from './sink.js';
import { Timeline, type TimelineFormat, type TrackPlace } from './timeline.js';

// Field numbers of src/trace/proto/perfetto-trace.proto (Perfetto's own numbers).
const TRACE_PACKET = 1;
const P_TIMESTAMP = 8;
const P_CLOCK_ID = 58;
const P_CLOCK_SNAPSHOT = 6;
const P_TRACK_EVENT = 11;
const P_TRACK_DESCRIPTOR = 60;
const P_SEQUENCE_ID = 10;
const P_INTERNED = 12;
const P_FLAGS = 13;
const P_DEFAULTS = 59;
const P_FIRST_ON_SEQUENCE = 87;
const SEQ_INCREMENTAL_STATE_CLEARED = 1;
const CLOCKS = 1;
const CLOCK_ID = 1;
const CLOCK_TIMESTAMP = 2;
const CLOCK_INCREMENTAL = 3;
const DEFAULT_CLOCK_ID = 58;
const DEFAULT_TRACK_EVENT = 11;
const DEFAULT_TRACK_UUID = 11;
const TD_UUID = 1;
const TD_PARENT = 5;
const TD_NAME = 2;
const TD_COUNTER = 8;
const TD_CHILD_ORDERING = 11;
const TD_RANK = 12;
const CHILD_ORDERING_EXPLICIT = 3;
const COUNTER_UNIT_NAME = 6;
const TE_CATEGORY_IIDS = 3;
const TE_NAME_IID = 10;
const TE_TYPE = 9;
const TE_TRACK_UUID = 11;
const TE_DOUBLE_COUNTER_VALUE = 44;
const TE_ANNOTATIONS = 4;
const TE_CORRELATION_IID = 54;
const TYPE_SLICE_BEGIN = 1;
const TYPE_SLICE_END = 2;
const TYPE_INSTANT = 3;
const TYPE_COUNTER = 4;
const DA_NAME_IID = 1;
const DA_BOOL = 2;
const DA_INT = 4;
const DA_DOUBLE = 5;
const DA_STRING = 6;
const DA_STRING_IID = 17;
const DA_ARRAY = 12;
const INTERNED_CATEGORIES = 1;
const INTERNED_NAMES = 2;
const INTERNED_ANNOTATION_NAMES = 3;
const INTERNED_STRING_VALUES = 29;
const INTERNED_CORRELATION_IDS = 43;
const INTERNED_IID = 1;
const INTERNED_NAME = 2;

/** Perfetto's BOOTTIME, the trace's own clock. */
const BOOTTIME = 6;
/** A sequence's own clock (64 is the first a writer may define): the same time, each packet's the difference from the one before. */
const DELTA_CLOCK = 64;
/** Interned strings kept, over all sequences, before they all start afresh (so a long run's memory stays bounded). */
const MAX_INTERNED = 1 << 16;
/** Strings longer than this are written in place, never interned (they rarely repeat). */
const MAX_INTERNED_LENGTH = 64;
/** Bytes gathered before they go to the file. */
const FLUSH_AT = 1 << 16;

/**
 * Writes a run in Perfetto's own protobuf format (Trace: length-delimited TracePackets), as
 * the simulation goes, in bounded memory:
 * - one track per component under its path's parents (`sram/bank[4]/port[0]` sits in
 *   `bank[4]` in `sram`), all under one track named after the run; a component's further
 *   lanes, its status lines and counters sit in its track;
 * - slices as TYPE_SLICE_BEGIN and TYPE_SLICE_END (an end is held back until the run's time
 *   passes it, so packets go in time order), instants, and counter tracks for power (per
 *   component group, W) and the quantities blocks ask to see (magnetization);
 * - timestamps on a delta clock of each packet sequence (each the difference from the
 *   previous packet's; a packet that must go back in time gives its time on BOOTTIME
 *   instead); beginnings, instants and counters on one sequence, and each track's slice ends
 *   on a sequence of its own whose defaults name the track, so an end is its time alone;
 * - every sequence starts with SEQ_INCREMENTAL_STATE_CLEARED (its defaults, its clock, nothing
 *   interned). SEQ_NEEDS_INCREMENTAL_STATE is left out: it tells a reader which packets to
 *   skip after packets were lost (a ring buffer that wrapped), and a file written whole loses
 *   none; at two bytes on each of 750,000 packets it would be 7 % of a MAAP-CNN image's trace;
 * - event names, categories, argument names, short string values and ops (as correlation
 *   ids, which the UI uses to link the slices of one operation) interned: a repeated string
 *   costs its number.
 *
 * An action's arguments are those of the JSON form, with protobuf's defaults: an absent
 * energy_j is 0 and an absent count 1, and trace-only notes (category "note") carry neither.
 *
 * Time scaling: Perfetto counts whole nanoseconds, spinarch whole picoseconds, so the file
 * writes one simulated picosecond as one trace nanosecond: every picosecond is kept, and the
 * UI's time axis reads 1000 times the simulated time (a 1.9 us image shows as 1.9 ms). The
 * JSON form keeps real time (microseconds with six decimals) and VCD keeps 1 ps exactly.
 *
 * Counters change once per time: several changes at one picosecond (four reads that start
 * together) are written as the last of them, the value a viewer shows there.
 */
export class PerfettoProtoTrace implements TimelineFormat {
  private readonly sink: FileSink;
  private readonly timeline: Timeline;
  private readonly w = new ProtoWriter();
  /** Track descriptors and counters (which name their tracks). */
  private readonly shared = new PacketSequence(1, 0);
  /** Uuids of the timeline's tracks, by its number. */
  private trackUuids = new Int32Array(64);
  /**
   * The sequence of each of the timeline's tracks, by its number, for its slice ends: its
   * defaults name the track, so an end is its time and type only. (Beginnings stay on the
   * shared sequence, whose interned ops they share; a track's own would intern each op again.)
   */
  private readonly endSequences: PacketSequence[] = [];
  private nextSequence = 2;
  private interned = 0;
  private nextUuid = 2;
  private readonly rootUuid = 1;
  /** Uuids of the component-path tracks, by path, and of the counter tracks, by name and series. */
  private readonly paths = new Map<string, number>();
  private readonly counterTracks = new Map<string, number>();
  /** The track the power counters sit in (0 until the first). */
  private powerUuid = 0;
  // The strings the packet being written interns.
  private readonly newKinds: number[] = [];
  private readonly newIids: number[] = [];
  private readonly newStrings: string[] = [];
  // Slice ends not yet written, by time, each with its track's number.
  private readonly ends = new EndHeap();
  private readonly freeEnds = new FreeList();
  private endTimes = new Float64Array(256);
  private endTracks = new Int32Array(256);
  private endCount = 0;
  // Counter values of the current picosecond not yet written, by track uuid.
  private pendingTime = -1;
  private readonly pending = new Map<number, number>();
  events = 0;

  constructor(
    readonly path: string,
    title: string,
    window: TimeWindow = WHOLE_RUN,
    budget?: TraceBudget,
    /** Interned strings kept before every sequence starts afresh. */
    private readonly maxInterned = MAX_INTERNED,
  ) {
    this.sink = new FileSink(path, budget);
    this.descriptor(this.rootUuid, 0, `${title} (times x1000: 1 ns shown is 1 ps simulated)`, undefined);
    this.timeline = new Timeline(this, window);
  }

  attach(sim: SimContext): void {
    this.timeline.attach(sim);
  }

  /** A sequence's first packet: state cleared, its defaults (clock, track), its delta clock at `time`. */
  private startSequence(seq: PacketSequence, time: number): void {
    const w = this.w;
    seq.started = true;
    seq.last = time;
    w.begin(TRACE_PACKET);
    w.uint(P_SEQUENCE_ID, seq.id);
    w.uint(P_FLAGS, SEQ_INCREMENTAL_STATE_CLEARED);
    w.bool(P_FIRST_ON_SEQUENCE, true);
    w.begin(P_DEFAULTS);
    w.uint(DEFAULT_CLOCK_ID, DELTA_CLOCK);
    if (seq.track !== 0) {
      w.begin(DEFAULT_TRACK_EVENT);
      w.uint(DEFAULT_TRACK_UUID, seq.track);
      w.end();
    }
    w.end();
    w.begin(P_CLOCK_SNAPSHOT);
    w.begin(CLOCKS);
    w.uint(CLOCK_ID, BOOTTIME);
    w.uint(CLOCK_TIMESTAMP, time);
    w.end();
    w.begin(CLOCKS);
    w.uint(CLOCK_ID, DELTA_CLOCK);
    w.uint(CLOCK_TIMESTAMP, time);
    w.bool(CLOCK_INCREMENTAL, true);
    w.end();
    w.end();
    w.end();
  }

  /** Opens a packet of `seq` at `time` (ps, written as ns). */
  private packet(seq: PacketSequence, time: number): void {
    if (!seq.started) this.startSequence(seq, Math.max(time, seq.last));
    const w = this.w;
    w.begin(TRACE_PACKET);
    if (time >= seq.last) {
      w.uint(P_TIMESTAMP, time - seq.last);
      seq.last = time;
    } else {
      w.uint(P_CLOCK_ID, BOOTTIME);
      w.uint(P_TIMESTAMP, time);
    }
    w.uint(P_SEQUENCE_ID, seq.id);
  }

  /** Closes the packet: the strings it interned first, then to the file when enough has gathered. */
  private endPacket(): void {
    const w = this.w;
    if (this.newKinds.length > 0) {
      w.begin(P_INTERNED);
      for (let i = 0; i < this.newKinds.length; i++) {
        w.begin(this.newKinds[i]!);
        w.uint(INTERNED_IID, this.newIids[i]!);
        w.string(INTERNED_NAME, this.newStrings[i]!);
        w.end();
      }
      w.end();
      this.newKinds.length = 0;
      this.newIids.length = 0;
      this.newStrings.length = 0;
    }
    w.end();
    if (w.pos >= FLUSH_AT) this.flushBytes();
  }

  private flushBytes(): void {
    this.sink.writeBytes(this.w.bytes());
    this.w.clear();
  }

  /** The interned number of `s` of a kind in a sequence; a new one is added to the packet being written. */
  private intern(map: Map<string, number>, kind: number, s: string): number {
    let iid = map.get(s);
    if (iid === undefined) {
      iid = map.size + 1;
      map.set(s, iid);
      this.interned++;
      this.newKinds.push(kind);
      this.newIids.push(iid);
      this.newStrings.push(s);
    }
    return iid;
  }

  /** Starts every sequence afresh when the interned strings reach their bound (between packets only). */
  private boundInterning(): void {
    if (this.interned < this.maxInterned) return;
    this.shared.clear();
    this.interned = 0;
  }

  private descriptor(uuid: number, parent: number, name: string, counterUnit: string | undefined): void {
    const w = this.w;
    this.packet(this.shared, this.shared.last);
    w.begin(P_TRACK_DESCRIPTOR);
    w.uint(TD_UUID, uuid);
    if (parent !== 0) w.uint(TD_PARENT, parent);
    w.string(TD_NAME, name);
    w.uint(TD_CHILD_ORDERING, CHILD_ORDERING_EXPLICIT);
    w.uint(TD_RANK, uuid);
    if (counterUnit !== undefined) {
      w.begin(TD_COUNTER);
      w.string(COUNTER_UNIT_NAME, counterUnit);
      w.end();
    }
    w.end();
    this.endPacket();
  }

  /** The track of a component's path (`a/b/c`), made with its parents when first needed. */
  private pathTrack(path: string): number {
    let uuid = this.paths.get(path);
    if (uuid === undefined) {
      const cut = path.lastIndexOf('/');
      const parent = cut < 0 ? this.rootUuid : this.pathTrack(path.slice(0, cut));
      uuid = this.nextUuid++;
      this.paths.set(path, uuid);
      this.descriptor(uuid, parent, path.slice(cut + 1), undefined);
    }
    return uuid;
  }

  private powerTrack(): number {
    if (this.powerUuid === 0) {
      this.powerUuid = this.nextUuid++;
      this.descriptor(this.powerUuid, this.rootUuid, 'power (W)', undefined);
    }
    return this.powerUuid;
  }

  track(id: number, name: string, place: TrackPlace): void {
    let uuid: number;
    if (place.kind === 'lane' && place.lane === 0) uuid = this.pathTrack(place.component);
    else if (place.kind === 'status') {
      // A status line's name may hold a path of its own (`unit[10]/busy`): it nests the same way.
      const full = `${place.component}/${place.signal}`;
      const cut = full.lastIndexOf('/');
      uuid = this.nextUuid++;
      this.descriptor(uuid, this.pathTrack(full.slice(0, cut)), full.slice(cut + 1), undefined);
    } else {
      const parent = place.kind === 'run' ? this.rootUuid : this.pathTrack(place.component);
      const own = place.kind === 'run' ? name : `${place.component.slice(place.component.lastIndexOf('/') + 1)} #${place.lane}`;
      uuid = this.nextUuid++;
      this.descriptor(uuid, parent, own, undefined);
    }
    if (id >= this.trackUuids.length) this.trackUuids = grown(this.trackUuids, id + 1);
    this.trackUuids[id] = uuid;
    this.endSequences[id] = new PacketSequence(this.nextSequence++, uuid);
  }

  /** Writes what comes before time `t`: counters of an earlier picosecond, and slice ends up to `t`. */
  private upTo(t: number): void {
    if (this.pending.size > 0 && this.pendingTime < t) {
      this.endsUpTo(this.pendingTime);
      this.writeCounters();
    }
    this.endsUpTo(t);
  }

  private endsUpTo(t: number): void {
    for (let id = this.ends.peek(); id >= 0 && this.endTimes[id]! <= t; id = this.ends.peek()) {
      this.ends.pop(this.endTimes);
      this.freeEnds.push(id);
      this.packet(this.endSequences[this.endTracks[id]!]!, this.endTimes[id]!);
      this.w.begin(P_TRACK_EVENT);
      this.w.uint(TE_TYPE, TYPE_SLICE_END);
      this.w.end();
      this.endPacket();
      this.events++;
    }
  }

  private writeCounters(): void {
    for (const [uuid, value] of this.pending) {
      this.packet(this.shared, this.pendingTime);
      this.w.begin(P_TRACK_EVENT);
      this.w.uint(TE_TYPE, TYPE_COUNTER);
      this.w.uint(TE_TRACK_UUID, uuid);
      this.w.double(TE_DOUBLE_COUNTER_VALUE, value);
      this.w.end();
      this.endPacket();
      this.events++;
    }
    this.pending.clear();
  }

  private holdEnd(track: number, time: number): void {
    let id = this.freeEnds.pop();
    if (id < 0) {
      id = this.endCount++;
      if (id === this.endTimes.length) {
        this.endTimes = grown(this.endTimes);
        this.endTracks = grown(this.endTracks);
      }
    }
    this.endTimes[id] = time;
    this.endTracks[id] = track;
    this.ends.push(id, this.endTimes);
  }

  /** Opens an event's packet on its track's sequence: its type, name and category. */
  private event(track: number, time: number, type: number, name: string, category: string): PacketSequence {
    this.boundInterning();
    const seq = this.shared;
    this.packet(seq, time);
    const w = this.w;
    w.begin(P_TRACK_EVENT);
    w.uint(TE_TYPE, type);
    w.uint(TE_TRACK_UUID, this.trackUuids[track]!);
    w.uint(TE_NAME_IID, this.intern(seq.names, INTERNED_NAMES, name));
    w.uint(TE_CATEGORY_IIDS, this.intern(seq.categories, INTERNED_CATEGORIES, category));
    return seq;
  }

  private annotationName(seq: PacketSequence, name: string): void {
    this.w.uint(DA_NAME_IID, this.intern(seq.argNames, INTERNED_ANNOTATION_NAMES, name));
  }

  private stringValue(seq: PacketSequence, s: string): void {
    if (s.length > MAX_INTERNED_LENGTH) this.w.string(DA_STRING, s);
    else this.w.uint(DA_STRING_IID, this.intern(seq.stringValues, INTERNED_STRING_VALUES, s));
  }

  private numberValue(v: number): void {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) this.w.int(DA_INT, v);
    else this.w.double(DA_DOUBLE, v);
  }

  private value(seq: PacketSequence, v: RecordValue): void {
    if (typeof v === 'number') this.numberValue(v);
    else if (typeof v === 'string') this.stringValue(seq, v);
    else if (typeof v === 'boolean') this.w.bool(DA_BOOL, v);
    else
      for (const x of v) {
        this.w.begin(DA_ARRAY);
        this.numberValue(x);
        this.w.end();
      }
  }

  /** An action's arguments: energy, count, op and values, as the JSON form has them (with the defaults above). */
  private actionArgs(seq: PacketSequence, r: ActionRecord): void {
    const w = this.w;
    if (r.energy !== 0) {
      w.begin(TE_ANNOTATIONS);
      this.annotationName(seq, 'energy_j');
      w.double(DA_DOUBLE, r.energy);
      w.end();
    }
    if (r.count !== 1 && r.detail !== true) {
      w.begin(TE_ANNOTATIONS);
      this.annotationName(seq, 'count');
      this.numberValue(r.count);
      w.end();
    }
    if (r.op !== undefined) this.correlate(seq, r.op);
    if (r.values !== undefined) {
      for (const k in r.values) {
        w.begin(TE_ANNOTATIONS);
        this.annotationName(seq, k);
        this.value(seq, r.values[k]!);
        w.end();
      }
    }
  }

  /** The operation a slice belongs to, as its correlation id: the UI links the slices of one op. */
  private correlate(seq: PacketSequence, op: string): void {
    this.w.uint(TE_CORRELATION_IID, this.intern(seq.correlationIds, INTERNED_CORRELATION_IDS, op));
  }

  slice(track: number, name: string, category: string, start: number, duration: number, action: ActionRecord | undefined, op: string | undefined): void {
    this.upTo(start);
    const seq = this.event(track, start, TYPE_SLICE_BEGIN, name, category);
    if (action !== undefined) this.actionArgs(seq, action);
    else if (op !== undefined) this.correlate(seq, op);
    this.w.end();
    this.endPacket();
    this.events++;
    this.holdEnd(track, start + duration);
  }

  begin(track: number, name: string, category: string, start: number, op: string | undefined): void {
    this.upTo(start);
    const seq = this.event(track, start, TYPE_SLICE_BEGIN, name, category);
    if (op !== undefined) this.correlate(seq, op);
    this.w.end();
    this.endPacket();
    this.events++;
  }

  end(track: number, time: number): void {
    this.holdEnd(track, time);
  }

  instant(track: number, name: string, category: string, time: number, action: ActionRecord): void {
    this.upTo(time);
    const seq = this.event(track, time, TYPE_INSTANT, name, category);
    this.actionArgs(seq, action);
    this.w.end();
    this.endPacket();
    this.events++;
  }

  counter(name: string, series: string, component: string | undefined, time: number, value: number): void {
    if (this.pending.size > 0 && time !== this.pendingTime) this.upTo(time);
    const key = `${name}\u0000${series}`;
    let uuid = this.counterTracks.get(key);
    if (uuid === undefined) {
      uuid = this.nextUuid++;
      this.counterTracks.set(key, uuid);
      if (component === undefined) this.descriptor(uuid, this.powerTrack(), name, series);
      else this.descriptor(uuid, this.pathTrack(component), `${name.slice(component.length + 1)} ${series}`, series);
    }
    this.pendingTime = time;
    // A second change in the same picosecond replaces the first (and keeps its place in the order).
    this.pending.set(uuid, value);
  }

  close(): void {
    try {
      this.timeline.finish();
      this.upTo(Number.MAX_SAFE_INTEGER);
      if (this.pending.size > 0) this.writeCounters();
      this.flushBytes();
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
