import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fitImage, syntheticDigit } from '../src/data/images.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { WeightSource } from '../src/data/weights.js';
import { ACTIONS, SIGNALS, type ActionRecord } from '../src/components/records.js';
import { cli, tempFiles } from './helpers.js';

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  args?: Record<string, unknown>;
}

const ps = (us: number | undefined): number => Math.round((us ?? 0) * 1e6);

describe('Perfetto trace', () => {
  it('is valid trace-event JSON: slices on named tracks, never overlapping on one track, IRMEN windows of 130 ps', async () => {
    const dir = tempFiles({});
    const file = path.join(dir, 'irmen.json');
    const { code, err } = await cli('trace', 'scenarios/irmen-dual-cenn.yaml', '--perfetto', file);
    expect(code).toBe(0);
    expect(err).toContain('Perfetto');
    const trace = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] };
    const events = trace.traceEvents;
    const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, (e.args as { name: string }).name]));
    const slices = events.filter((e) => e.ph === 'X');
    expect(slices.length).toBeGreaterThan(100);
    for (const s of slices) expect(names.has(s.tid), `slice ${s.name} on unnamed track ${s.tid}`).toBe(true);
    const byTrack = new Map<number, TraceEvent[]>();
    for (const s of slices) byTrack.set(s.tid, [...(byTrack.get(s.tid) ?? []), s]);
    for (const [tid, list] of byTrack) {
      list.sort((a, b) => ps(a.ts) - ps(b.ts));
      for (let i = 1; i < list.length; i++) expect(ps(list[i]!.ts), `overlap on track ${names.get(tid)}`).toBeGreaterThanOrEqual(ps(list[i - 1]!.ts) + ps(list[i - 1]!.dur));
    }
    // Every stage's power windows (OTA bias, IRMEN drive) last 130 ps; times are exact to the ps.
    const windows = slices.filter((s) => s.name === 'ota_static' || s.name === 'irmen_drive');
    expect(windows).toHaveLength(28 + 27);
    for (const w of windows) expect(ps(w.dur)).toBe(130);
    expect(slices.filter((s) => s.name === 'stage').map((s) => ps(s.ts))).toEqual(Array.from({ length: 28 }, (_, i) => 1500 * i));
    // Power as counters: the bank's OTAs switch on for 130 ps each stage.
    const power = events.filter((e) => e.ph === 'C' && e.name === 'power bankA/ota');
    expect(power.length).toBeGreaterThanOrEqual(28);
    expect((power[0]!.args as { W: number }).W).toBeGreaterThan(0);
    expect(ps(power[1]!.ts)).toBe(130);
    expect((power[1]!.args as { W: number }).W).toBe(0);
    // The A/B roles as slices on their own tracks.
    const roles = slices.filter((s) => names.get(s.tid) === 'bankA/holding');
    expect(roles.map((s) => ps(s.ts)).slice(0, 3)).toEqual([1500, 4500, 7500]);
    expect(ps(roles[0]!.dur)).toBe(1500);
  });

  it('keeps to --from/--to', async () => {
    const dir = tempFiles({});
    const file = path.join(dir, 'window.json');
    expect((await cli('trace', 'scenarios/irmen-dual-cenn.yaml', '--perfetto', file, '--from', '3 ns', '--to', '6000')).code).toBe(0);
    const slices = (JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents.filter((e) => e.ph === 'X' && e.name === 'stage');
    expect(slices.map((s) => ps(s.ts))).toEqual([1500, 3000, 4500, 6000]);
  });
});

describe('VCD trace', () => {
  it("holds the write driver's Table II levels in each phase, read back by an independent VCD parser", async () => {
    const dir = tempFiles({});
    const file = path.join(dir, 'sot.vcd');
    const small = ['weights=random', 'network.input=[100]', 'network.layers=[{type: dense, outputs: 4, activation: sigmoid}, {type: dense, outputs: 3}]'];
    expect((await cli('trace', 'scenarios/sot-mlp.yaml', '--vcd', file, ...small.flatMap((s) => ['--set', s]))).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\$date[\s\S]*\$timescale 1 ps \$end/);
    const parser = createRequire(import.meta.url)('vcd-parser') as { parse(t: string): Promise<{ signal: { name: string; wave: [string, string | number][] }[] }> };
    const parsed = await parser.parse(text);
    const waves = new Map(parsed.signal.map((s) => [s.name, s.wave]));
    const at = (name: string, t: number): string | number | undefined => {
      let v: string | number | undefined;
      for (const [time, value] of waves.get(name) ?? []) if (Number(time) <= t) v = value;
      return v;
    };
    const weights = WeightSource.random(2020).forLayer(0, [4, 100], 4);
    // Training, layer 0 row 2 in cycle 2: WWL VDD on that row only, RWL GND, BL/SL by the weight's sign, IN Hi-Z.
    const t = 2500;
    expect(at('driver.L0.WWL_2', t)).toBe('1');
    expect(at('driver.L0.WWL_2_V', t)).toBeCloseTo(0.8, 9);
    for (const r of [0, 1, 3]) expect(at(`driver.L0.WWL_${r}`, t)).toBe('0');
    expect(at('driver.L0.RWL', t)).toBe('0');
    for (let c = 0; c < 100; c++) {
      const plus = weights.weights[2 * 100 + c]! >= 0;
      expect([at(`driver.L0.BL_${c}`, t), at(`driver.L0.SL_${c}`, t)]).toEqual(plus ? ['1', '0'] : ['0', '1']);
      expect(at(`driver.L0.IN_${c}`, t)).toBe('z');
    }
    // Inference, in the cycle after the 4 + 3 row writes: WWL GND, RWL VDD, BL/SL Hi-Z, IN the input voltage.
    const ti = 7 * 1000 + 500;
    const pixels = fitImage(syntheticDigit(7), [100]);
    for (const l of [0, 1]) {
      expect(at(`driver.L${l}.RWL`, ti)).toBe('1');
      expect(at(`driver.L${l}.WWL_0`, ti)).toBe('0');
      expect([at(`driver.L${l}.BL_0`, ti), at(`driver.L${l}.SL_0`, ti)]).toEqual(['z', 'z']);
    }
    for (let c = 0; c < 100; c++) expect(at(`driver.L0.IN_${c}_V`, ti) ?? 0).toBeCloseTo(0.1 * pixels[c]!, 9);
  });
});

describe('trace --op', () => {
  it('follows one MAAP output: its reads, the sets that ran it, its conversion and where it went', async () => {
    const { code, out } = await cli('trace', 'scenarios/maap-cnn-4bit.yaml', '--op', 'L2/out[17]', '--json', '--set', 'params.maap.redundancy=4');
    expect(code).toBe(0);
    const { events } = JSON.parse(out) as { events: { time_ps: number; op: string; component: string; what: string; values: Record<string, unknown> }[] };
    const times = events.map((e) => e.time_ps);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const own = events.filter((e) => e.op === 'L2/out[17]');
    expect(own.filter((e) => e.what === 'sram_read')).toHaveLength(36);
    const sets = own.filter((e) => e.what === 'maap_op').map((e) => e.component);
    expect(new Set(sets).size).toBe(4);
    expect(own.filter((e) => e.what === 'adc_conversion')).toHaveLength(1);
    const write = own.find((e) => e.what === 'sram_write')!;
    expect(write.values['address']).toEqual(expect.any(Number));
    // Its patch: 5 x 5 positions over 4 maps, each read from SRAM and multiplied once.
    const inputs = new Set(events.filter((e) => e.op.startsWith('L2/in[')).map((e) => e.op));
    expect(inputs.size).toBe(100);
    expect(events.filter((e) => e.op.startsWith('L2/in[') && e.what === 'multiply')).toHaveLength(100);
    expect(own.find((e) => e.what === 'dispatch')!.time_ps).toBeGreaterThanOrEqual(Math.max(...events.filter((e) => e.what === 'multiply').map((e) => e.time_ps)));
  });

  it('follows one IRMEN cell through a stage: the inputs it summed and the state it stored', async () => {
    const { code, out } = await cli('trace', 'scenarios/irmen-dual-cenn.yaml', '--op', 'stage[0]/v[1,5,6]', '--json');
    expect(code).toBe(0);
    const { events } = JSON.parse(out) as { events: { op: string; what: string; values: Record<string, string | number> }[] };
    const inputs = events.find((e) => e.what === 'cell_inputs')!;
    expect(String(inputs.values['terms']).split('; ')).toHaveLength(9);
    const written = events.find((e) => e.what === 'cell_write')!;
    expect(written.values['state']).toBeCloseTo(Math.max(-1, Math.min(1, Number(inputs.values['current']))), 12);
    expect(events.some((e) => e.op === 'stage[0]' && e.what === 'ota_static')).toBe(true);
  });

  it('says what it expected for an unknown op, with exit code 2', async () => {
    const { code, err } = await cli('trace', 'scenarios/maap-cnn-4bit.yaml', '--op', 'L9/out[0]');
    expect(code).toBe(2);
    expect(err).toMatch(/no operation of maap-cnn-4bit matches it; it has L1\/out\[0\.\.2303\], L2\/out\[0\.\.1599\]/);
    expect((await cli('trace', 'scenarios/maap-cnn-4bit.yaml')).err).toMatch(/needs at least one of --perfetto/);
  });
});

describe('tracing off', () => {
  it('costs the blocks only a check: no values, no level changes, and the same figures', () => {
    const records: ActionRecord[] = [];
    let signals = 0;
    const off = runScenario(loadScenario('scenarios/maap-cnn-4bit.yaml', ['params.maap.redundancy=2']), {
      attach: (sim) => {
        sim.bus.topic(ACTIONS).listen((r) => records.push(r));
        sim.bus.topic(SIGNALS).listen(() => signals++);
      },
    });
    // Listening on SIGNALS makes blocks publish levels (someone observes); values need tracing.
    expect(records.some((r) => r.values !== undefined)).toBe(false);
    expect(records.some((r) => r.detail === true)).toBe(false);
    expect(signals).toBeGreaterThan(0);
    const on = runScenario(loadScenario('scenarios/maap-cnn-4bit.yaml', ['params.maap.redundancy=2']), { tracing: true });
    expect(on.energy_j).toBe(off.energy_j);
    expect(on.latency_ps).toBe(off.latency_ps);
    expect(on.counts).toEqual(off.counts);
  });
});
