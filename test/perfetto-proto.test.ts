import { readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ACTIONS, IMAGES, SIGNALS, type ActionRecord } from '../src/components/records.js';
import { Bus } from '../src/scheduler/bus.js';
import { Kernel } from '../src/scheduler/kernel.js';
import { PerfettoProtoTrace } from '../src/trace/perfetto-proto.js';
import { PerfettoTrace } from '../src/trace/perfetto.js';
import { cli, tempFiles } from './helpers.js';

// Read back with the vendored protos and a general decoder (protobufjs), not spinarch's writer.
const root = protobuf.loadSync(path.resolve('src/trace/proto/perfetto-trace.proto'));
const TraceMessage = root.lookupType('perfetto.protos.Trace');

type Args = Record<string, unknown>;
/** One slice or instant, as both forms can say it: times in ps, the track by its own name. */
interface Event {
  readonly kind: 'slice' | 'instant';
  readonly track: string;
  readonly name: string;
  readonly cat: string;
  readonly ts: number;
  readonly dur: number;
  readonly args: Args;
}
interface Read {
  readonly events: Event[];
  /** Counter values by track name, then time (ps): the last value written at that time. */
  readonly counters: Map<string, Map<number, number>>;
  /** How often the shared sequence (1) started afresh. */
  readonly restarts?: number;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

interface Annotation {
  nameIid?: unknown;
  boolValue?: boolean;
  intValue?: unknown;
  doubleValue?: number;
  stringValue?: string;
  stringValueIid?: unknown;
  arrayValues?: Annotation[];
}

/** Decodes a .pftrace into events and counters, applying its sequences' clocks, defaults and interning as Perfetto does. */
function readProto(file: string): Read {
  const trace = TraceMessage.toObject(TraceMessage.decode(readFileSync(file)), { longs: Number, bytes: String }) as { packet: Record<string, unknown>[] };
  const tracks = new Map<number, { name: string; parent: number; unit?: string }>();
  const seqs = new Map<number, { last: number; track: number; interned: Map<string, Map<number, string>> }>();
  const open = new Map<number, { name: string; cat: string; ts: number; args: Args }[]>();
  const events: Event[] = [];
  const counters = new Map<string, Map<number, number>>();
  let restarts = -1;
  for (const p of trace.packet) {
    const id = num(p['trustedPacketSequenceId']);
    expect(id, 'every packet names its sequence').toBeGreaterThan(0);
    if ((num(p['sequenceFlags'] ?? 0) & 1) !== 0) {
      const defaults = p['tracePacketDefaults'] as { timestampClockId: number; trackEventDefaults?: { trackUuid: number } };
      expect(defaults.timestampClockId).toBe(64);
      const clocks = (p['clockSnapshot'] as { clocks: { clockId: number; timestamp: number; isIncremental?: boolean }[] }).clocks;
      const delta = clocks.find((c) => c.clockId === 64)!;
      expect(delta.isIncremental).toBe(true);
      expect(clocks.find((c) => c.clockId === 6)!.timestamp).toBe(delta.timestamp);
      if (id === 1) restarts++;
      seqs.set(id, { last: num(delta.timestamp), track: num(defaults.trackEventDefaults?.trackUuid ?? 0), interned: new Map() });
      continue;
    }
    const seq = seqs.get(id);
    expect(seq, `sequence ${id} is started before it is used`).toBeDefined();
    for (const [kind, entries] of Object.entries((p['internedData'] ?? {}) as Record<string, { iid: number; name?: string; str?: string }[]>)) {
      const m = seq!.interned.get(kind) ?? new Map<number, string>();
      for (const e of entries) m.set(num(e.iid), e.name ?? Buffer.from(e.str!, 'base64').toString('utf8'));
      seq!.interned.set(kind, m);
    }
    const lookup = (kind: string, iid: unknown): string => seq!.interned.get(kind)!.get(num(iid))!;
    let ts: number;
    if (p['timestampClockId'] === 6) ts = num(p['timestamp']);
    else {
      seq!.last += num(p['timestamp']);
      ts = seq!.last;
    }
    const td = p['trackDescriptor'] as { uuid: number; parentUuid?: number; name: string; counter?: { unitName: string } } | undefined;
    if (td !== undefined) tracks.set(num(td.uuid), { name: td.name, parent: num(td.parentUuid ?? 0), ...(td.counter === undefined ? {} : { unit: td.counter.unitName }) });
    const te = p['trackEvent'] as { type: number; trackUuid?: number; nameIid?: number; categoryIids?: number[]; doubleCounterValue?: number; debugAnnotations?: Annotation[]; correlationIdStrIid?: number } | undefined;
    if (te === undefined) continue;
    const uuid = num(te.trackUuid ?? seq!.track);
    expect(tracks.has(uuid), `event on described track ${uuid}`).toBe(true);
    if (te.type === 4) {
      const m = counters.get(tracks.get(uuid)!.name) ?? new Map<number, number>();
      m.set(ts, te.doubleCounterValue!);
      counters.set(tracks.get(uuid)!.name, m);
      continue;
    }
    if (te.type === 2) {
      const b = open.get(uuid)!.pop()!;
      events.push({ kind: 'slice', track: tracks.get(uuid)!.name, name: b.name, cat: b.cat, ts: b.ts, dur: ts - b.ts, args: b.args });
      continue;
    }
    const value = (a: Annotation): unknown => {
      if (a.arrayValues !== undefined && a.arrayValues.length > 0) return a.arrayValues.map(value);
      if (a.stringValueIid !== undefined) return lookup('debugAnnotationStringValues', a.stringValueIid);
      if (a.intValue !== undefined) return num(a.intValue);
      return a.doubleValue ?? a.stringValue ?? a.boolValue;
    };
    const args: Args = {};
    for (const a of te.debugAnnotations ?? []) args[lookup('debugAnnotationNames', a.nameIid)] = value(a);
    if (te.correlationIdStrIid !== undefined) args['op'] = lookup('correlationIdStr', te.correlationIdStrIid);
    const begun = { name: lookup('eventNames', te.nameIid), cat: lookup('eventCategories', te.categoryIids![0]), ts, args };
    if (te.type === 1) open.set(uuid, [...(open.get(uuid) ?? []), begun]);
    else events.push({ kind: 'instant', track: tracks.get(uuid)!.name, ...begun, dur: 0 });
  }
  for (const [uuid, stack] of open) expect(stack, `slices left open on ${tracks.get(uuid)?.name}`).toEqual([]);
  return { events, counters, restarts };
}

interface JsonEvent {
  ph: string;
  name: string;
  cat?: string;
  tid: number;
  ts?: number;
  dur?: number;
  args: Args;
}

/** The JSON form's events and counters, in the same terms (its protobuf defaults applied to args: energy 0, count 1, none on notes). */
function readJson(file: string): Read {
  const all = (JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: JsonEvent[] }).traceEvents;
  const threads = new Map(all.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args['name'])]));
  const ps = (us: number | undefined): number => Math.round((us ?? 0) * 1e6);
  // The protobuf names a track by its own part (its parents hold the rest of the path).
  const own = (name: string): string => name.slice(name.lastIndexOf('/') + 1);
  const events: Event[] = [];
  const counters = new Map<string, Map<number, number>>();
  for (const e of all) {
    if (e.ph === 'C') {
      const [series, value] = Object.entries(e.args)[0]!;
      const key = e.name.startsWith('power ') ? e.name : `${own(e.name)} ${series}`;
      const m = counters.get(key) ?? new Map<number, number>();
      m.set(ps(e.ts), value as number);
      counters.set(key, m);
    }
    if (e.ph !== 'X' && e.ph !== 'i') continue;
    const { energy_j, count, ...args } = e.args;
    if (energy_j !== undefined && energy_j !== 0) args['energy_j'] = energy_j;
    if (count !== undefined && count !== 1 && e.cat !== 'note') args['count'] = count;
    events.push({ kind: e.ph === 'X' ? 'slice' : 'instant', track: own(threads.get(e.tid)!), name: e.name, cat: e.cat!, ts: ps(e.ts), dur: ps(e.dur), args });
  }
  return { events, counters };
}

const order = (events: readonly Event[]): Event[] => [...events].sort((a, b) => a.ts - b.ts || a.dur - b.dur || `${a.track}${a.name}`.localeCompare(`${b.track}${b.name}`) || JSON.stringify(a.args).localeCompare(JSON.stringify(b.args)));

/** Both forms of one run hold the same slices, instants and counters at the same times. */
function expectSame(json: Read, proto: Read): void {
  expect(proto.events.length).toBe(json.events.length);
  expect(order(proto.events)).toEqual(order(json.events));
  expect([...proto.counters.keys()].sort()).toEqual([...json.counters.keys()].sort());
  for (const [name, values] of json.counters) expect(proto.counters.get(name), name).toEqual(values);
}

async function bothForms(...argv: string[]): Promise<{ json: Read; proto: Read; sizes: [number, number] }> {
  const dir = tempFiles({});
  const files = [path.join(dir, 't.json'), path.join(dir, 't.pftrace')];
  for (const f of files) {
    const r = await cli('trace', ...argv, '--perfetto', f);
    expect(r.code, r.err).toBe(0);
  }
  return { json: readJson(files[0]!), proto: readProto(files[1]!), sizes: [readFileSync(files[0]!).length, readFileSync(files[1]!).length] };
}

describe("Perfetto's protobuf trace", () => {
  it('holds the same slices, instants and counters as the JSON form of the same IRMEN run, at the same picoseconds', async () => {
    const { json, proto, sizes } = await bothForms('scenarios/irmen-dual-cenn.yaml');
    expect(json.events.length).toBeGreaterThan(100);
    expectSame(json, proto);
    // Stages every 1.5 ns, their OTA bias windows 130 ps: ps kept exactly (written as ns).
    const stages = proto.events.filter((e) => e.name === 'stage');
    expect(stages.map((e) => e.ts)).toEqual(Array.from({ length: 28 }, (_, i) => 1500 * i));
    expect(proto.events.filter((e) => e.name === 'ota_static').every((e) => e.dur === 130)).toBe(true);
    expect(proto.counters.get('power bankA/ota')!.get(130)).toBe(0);
    // (A fifth of the JSON on one MAAP-CNN image, bench/perfetto.ts; a run this small is mostly its tracks' descriptions.)
    expect(sizes[1]).toBeLessThan(sizes[0] / 3);
  });

  it('keeps to --from/--to like the JSON form, status lines that rose before the window included (MAAP-CNN: instants, many lanes)', async () => {
    // The image starts after the chip's 1.04 us trim calibration (setup): a window 100 ns into it.
    const { json, proto } = await bothForms('scenarios/maap-cnn-4bit.yaml', '--from', '1150 ns', '--to', '1154 ns');
    expect(json.events.filter((e) => e.kind === 'instant').length).toBeGreaterThan(0);
    expect(json.events.some((e) => e.cat === 'status' && e.ts < 1_150_000)).toBe(true);
    expect(new Set(json.events.map((e) => e.track)).size).toBeGreaterThan(20);
    expectSame(json, proto);
  });

  it('writes every kind of value, a magnetization counter, and restarts its interning past its bound', () => {
    const dir = tempFiles({});
    const kernel = new Kernel();
    const bus = new Bus(kernel);
    const sim = { kernel, bus, seed: 1 };
    const json = new PerfettoTrace(path.join(dir, 's.json'), 'synthetic');
    const proto = new PerfettoProtoTrace(path.join(dir, 's.pftrace'), 'synthetic', undefined, undefined, 1000);
    json.attach(sim);
    proto.attach(sim);
    const action = (time: number, duration: number, extra: Partial<ActionRecord>): void =>
      bus.topic(ACTIONS).publish({ time, duration, component: 'bank/cell[0]', kind: 'spintronic', action: 'write', actionId: -1, count: 1, energy: 2.5e-15, ...extra });
    bus.topic(IMAGES).publish({ time: 0, image: 0, phase: 'start' });
    bus.topic(SIGNALS).publish({ time: 0, component: 'bank', signal: 'busy', value: '1', op: 'stage[0]' });
    action(0, 40, { values: { level: -3, big: -(2 ** 40), x: 0.125, on: true, label: 'short', note: 'x'.repeat(100), v: [1, -2.5, 3] } });
    action(10, 40, { count: 3, op: 'stage[0]' });
    action(20, 0, { energy: 0, count: 0, detail: true, action: 'mark' });
    for (let t = 0; t <= 50; t += 10) bus.topic(SIGNALS).publish({ time: t, component: 'bank/cell[0]', signal: 'bank/cell[0]/m_x', value: Math.cos(t / 50), counter: 'magnetization' });
    bus.topic(SIGNALS).publish({ time: 60, component: 'bank', signal: 'busy', value: '0' });
    // More distinct ops than the interning bound (here 1000): the sequence starts afresh and goes on.
    for (let k = 0; k < 2500; k++) action(100 + k, 1, { component: 'sram', kind: 'memory', action: 'read', op: `in[${k}]` });
    bus.topic(IMAGES).publish({ time: 3000, image: 0, phase: 'end' });
    json.close();
    proto.close();
    const a = readJson(path.join(dir, 's.json'));
    const b = readProto(path.join(dir, 's.pftrace'));
    expectSame(a, b);
    const first = b.events.find((e) => e.name === 'write' && e.ts === 0)!;
    expect(first.args).toEqual({ energy_j: 2.5e-15, level: -3, big: -(2 ** 40), x: 0.125, on: true, label: 'short', note: 'x'.repeat(100), v: [1, -2.5, 3] });
    expect(b.events.find((e) => e.name === 'write' && e.ts === 10)!.args).toEqual({ energy_j: 2.5e-15, count: 3, op: 'stage[0]' });
    expect(b.counters.get('magnetization m_x')!.get(50)).toBe(Math.cos(1));
    expect(b.restarts).toBe(2);
    expect(b.events.find((e) => e.name === 'read' && e.ts === 100 + 2499)!.args['op']).toBe('in[2499]');
    // The last read's power window closes at 100 + 2500 ps.
    expect(b.counters.get('power sram')!.get(2600)).toBe(0);
  });

  it('is chosen by the extension: anything but .json, .pftrace, .perfetto-trace or .pb is refused with exit 2', async () => {
    const dir = tempFiles({});
    const r = await cli('trace', 'scenarios/irmen-dual-cenn.yaml', '--perfetto', path.join(dir, 'trace.bin'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--perfetto .*trace\.bin: the extension picks the format: \.pftrace .* \.json for trace-event JSON/);
    const pb = await cli('trace', 'scenarios/irmen-dual-cenn.yaml', '--perfetto', path.join(dir, 'trace.perfetto-trace'));
    expect(pb.code, pb.err).toBe(0);
    expect(pb.err).toMatch(/Perfetto protobuf/);
  });
});
