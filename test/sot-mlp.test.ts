import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitImage, syntheticDigit } from '../src/data/images.js';
import type { RunReport, SetupReport } from '../src/arch/report.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario, weightsOf } from '../src/arch/scenario.js';
import { SIGNALS, type SignalRecord } from '../src/components/records.js';
import { neuronTransfer } from '../src/components/sot/sigmoid-neuron.js';
import { ANTIPARALLEL, PARALLEL, parallelResistance, resistanceAt, tmrAt, type SotDeviceParams } from '../src/components/sot/sot-mram.js';
import { crossbarCurrents, drawCrossbar, layoutCurrents, readLayout } from '../src/components/sot/crossbar.js';
import { streamFor } from '../src/components/random.js';

const device: SotDeviceParams = {
  mtj_length: 50e-9, mtj_width: 30e-9, ra: 10e-12, tmr0_percent: 100, v0: 0.65,
  hm_length: 100e-9, hm_width: 50e-9, hm_thickness: 3e-9, hm_resistivity: 1.9e-6, write_current: 75e-6, write_pulse: 1000,
};

describe('SOT-MRAM device (seed 004, Eqs. 1-2, Table I)', () => {
  it('has R_P = RA / Area = 8.49 kOhm and R_AP = 16.98 kOhm at zero bias', () => {
    expect(parallelResistance(device)).toBeCloseTo(8488.3, 0);
    expect(resistanceAt(device, PARALLEL, 0)).toBeCloseTo(8488.3, 0);
    expect(resistanceAt(device, ANTIPARALLEL, 0)).toBeCloseTo(16976.5, 0);
  });

  it('halves its TMR at V_b = V0, and the bias lowers R_AP but not R_P', () => {
    expect(tmrAt(device, 0)).toBe(1);
    expect(tmrAt(device, 0.65)).toBeCloseTo(0.5, 12);
    expect(resistanceAt(device, ANTIPARALLEL, 0.65)).toBeCloseTo(1.5 * 8488.3, 0);
    expect(resistanceAt(device, PARALLEL, 0.8)).toBeCloseTo(8488.3, 0);
    // theta = pi/2 sits between the two states.
    const mid = resistanceAt(device, Math.PI / 2, 0);
    expect(mid).toBeGreaterThan(8488);
    expect(mid).toBeLessThan(16977);
  });
});

describe('SOT-MRAM crossbar read layout', () => {
  it('gives the currents and power of Eq. 1 in its angle form, device by device (rows not a multiple of 4, zero columns skipped)', () => {
    const rows = 37;
    const columns = 53;
    const d = drawCrossbar(device, { ra_sigma: 0.05, tmr0_sigma: 0.05 }, rows, columns, streamFor(7, 'crossbar', 0));
    const rng = streamFor(7, 'inputs', 0);
    // +1, -1 and unwritten (0, read as -1) synapses; inputs of both signs, some at exactly 0 V.
    const weights = Int8Array.from({ length: rows * columns }, () => [1, -1, 0][Math.floor(3 * rng.uniform())]!);
    const layout = readLayout(d, weights)!;
    for (let trial = 0; trial < 5; trial++) {
      const voltages = Float64Array.from({ length: columns }, () => (rng.uniform() < 0.3 ? 0 : 1.2 * (rng.uniform() - 0.3)));
      const [p1, m1, p2, m2] = [0, 0, 0, 0].map(() => new Float64Array(rows)) as [Float64Array, Float64Array, Float64Array, Float64Array];
      const w1 = crossbarCurrents(d, weights, voltages, p1, m1);
      p2.fill(9);
      const w2 = layoutCurrents(layout, voltages, p2, m2);
      // The scale of each row's sums: every current counted positive.
      const [pa, ma] = [new Float64Array(rows), new Float64Array(rows)];
      crossbarCurrents(d, weights, voltages.map(Math.abs), pa, ma);
      for (let r = 0; r < rows; r++) {
        // The layout holds the devices' parameters as f32 (6e-8 relative).
        expect(Math.abs(p2[r]! - p1[r]!)).toBeLessThan(2e-7 * (pa[r]! + ma[r]!));
        expect(Math.abs(m2[r]! - m1[r]!)).toBeLessThan(2e-7 * (pa[r]! + ma[r]!));
      }
      expect(Math.abs(w2 - w1)).toBeLessThan(2e-7 * w1);
    }
  });

  it('is not used with a measured R(V) table (whose R_P moves with bias)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sot-rv-')), 'rv.csv');
    writeFileSync(file, '# test\nV [V],R_P [ohm],R_AP [ohm]\n-1,8000,12000\n0,8500,17000\n1,8000,12000\n');
    const d = drawCrossbar({ ...device, mtj: { table: file } }, undefined, 2, 2, streamFor(7, 'crossbar', 0));
    expect(readLayout(d, new Int8Array(4))).toBeUndefined();
  });
});

describe('sot-mlp (784 x 16 x 10)', () => {
  const signals: SignalRecord[] = [];
  const r: RunReport = runScenario(loadScenario('scenarios/sot-mlp.yaml'), { attach: (sim) => sim.bus.topic(SIGNALS).listen((s) => signals.push(s)) });
  const period = r['clock_period_ps'] as number;
  const setup = r['setup'] as SetupReport;

  it('infers through the whole network in exactly one clock cycle', () => {
    expect(period).toBe(1000);
    expect(r.latency_ps).toBe(period);
    expect(r['inference_cycles']).toBe(1);
  });

  it('writes all weights in 16 + 10 = 26 cycles, one row per cycle', () => {
    expect(r['write_cycles']).toBe(26);
    expect(setup.latency_ps).toBe(26 * period);
    // Every synapse's two SOT-MRAMs, plus each neuron's two, are switched once.
    const writes = setup.energy_breakdown.filter((l) => l.action === 'sot_write').reduce((a, l) => a + l.count, 0);
    expect(writes).toBe(2 * (16 * 785 + 10 * 17) + 2 * 26);
  });

  it('reports the energy of an inference and of a full write, with their parts', () => {
    const parts = (lines: readonly { action: string; energy_j: number }[]): Set<string> => new Set(lines.filter((l) => l.energy_j > 0).map((l) => l.action));
    expect(parts(r.energy_breakdown)).toEqual(new Set(['synapse_read', 'neuron', 'amplifier', 'line_charge']));
    // The neurons draw 64 uW each for the cycle.
    const neuron = r.energy_breakdown.find((l) => l.action === 'neuron')!;
    expect(neuron.count).toBe(26);
    expect(neuron.energy_j).toBeCloseTo(26 * 64e-6 * 1e-9, 18);
    expect(parts(setup.energy_breakdown)).toEqual(new Set(['sot_write', 'write_drive', 'line_charge']));
    // I^2 R_HM t: (75 uA)^2 x 1267 Ohm x 1 ns = 7.1 fJ per device.
    const sot = setup.energy_breakdown.filter((l) => l.action === 'sot_write').reduce((a, l) => a + l.energy_j, 0);
    expect(sot / (2 * (16 * 785 + 10 * 17) + 52)).toBeCloseTo(7.125e-15, 18);
  });

  it("drives Table II's levels on WWL, RWL, BL, SL and IN in each phase (read from the event stream)", () => {
    // Rebuild every line's level over time from the signal records alone.
    const history = new Map<string, SignalRecord[]>();
    for (const s of signals) {
      const h = history.get(s.signal) ?? [];
      h.push(s);
      history.set(s.signal, h);
    }
    const at = (line: string, t: number): SignalRecord['value'] => {
      let v: SignalRecord['value'] = 'z';
      for (const s of history.get(line) ?? []) if (s.time <= t) v = s.value;
      return v;
    };
    const VDD = 0.8;
    const GND = 0;
    // The weights the scenario names (its trained binary network).
    const weights = weightsOf(loadScenario('scenarios/sot-mlp.yaml')).forLayer(0, [16, 784], 16);
    // Training: layer 0's row 5 is written in cycle 5 (mid-cycle sample).
    const t = 5 * period + period / 2;
    expect(at('L0/WWL[5]', t)).toBe(VDD);
    for (const other of [0, 4, 6, 15]) expect(at(`L0/WWL[${other}]`, t)).toBe(GND);
    expect(at('L0/RWL', t)).toBe(GND);
    for (const c of [0, 1, 100, 407, 783]) {
      const plus = weights.weights[5 * 784 + c]! >= 0;
      expect([at(`L0/BL[${c}]`, t), at(`L0/SL[${c}]`, t)]).toEqual(plus ? [VDD, GND] : [GND, VDD]);
      expect(at(`L0/IN[${c}]`, t)).toBe('z');
    }
    expect([at('L0/nBL', t), at('L0/nSL', t)]).toEqual([VDD, GND]);
    // Both polarities occur (W = +1 and W = -1 rows of Table II).
    const bls = Array.from({ length: 784 }, (_, c) => at(`L0/BL[${c}]`, t));
    expect(bls).toContain(VDD);
    expect(bls).toContain(GND);
    // Layer 1 is written in cycles 16-25.
    expect(at('L1/WWL[0]', 16 * period + 1)).toBe(VDD);
    expect(at('L0/WWL[15]', 16 * period + 1)).toBe(GND);
    // Inference: the cycle after the 26 write cycles.
    const ti = 26 * period + period / 2;
    const pixels = fitImage(syntheticDigit(7), [784]);
    for (const l of [0, 1]) {
      expect(at(`L${l}/RWL`, ti)).toBe(VDD);
      for (let row = 0; row < (l === 0 ? 16 : 10); row++) expect(at(`L${l}/WWL[${row}]`, ti)).toBe(GND);
      for (const c of [0, 3, 9]) expect([at(`L${l}/BL[${c}]`, ti), at(`L${l}/SL[${c}]`, ti)]).toEqual(['z', 'z']);
    }
    for (const c of [0, 300, 406, 600]) expect(at(`L0/IN[${c}]`, ti)).toBeCloseTo(0.1 * pixels[c]!, 12);
    // A hidden layer's IN lines carry the first layer's neuron outputs.
    const hidden = at('L1/IN[3]', ti);
    expect(typeof hidden).toBe('number');
    expect(hidden as number).toBeGreaterThanOrEqual(0);
    expect(hidden as number).toBeLessThanOrEqual(VDD);
  });

  it('has a 2T-2R neuron with an inverting sigmoid transfer curve', () => {
    const p = { vdd: 0.8, power: 64e-6, slope_voltage: 0.05, settle: 50 };
    expect(neuronTransfer(p, 0)).toBeCloseTo(0.8, 2);
    expect(neuronTransfer(p, 0.4)).toBeCloseTo(0.4, 12);
    expect(neuronTransfer(p, 0.8)).toBeCloseTo(0, 2);
    for (let v = 0; v < 0.8; v += 0.05) expect(neuronTransfer(p, v + 0.05)).toBeLessThan(neuronTransfer(p, v));
  });

  it('refuses a clock too short for the network to settle in one cycle', () => {
    expect(() => runScenario(loadScenario('scenarios/sot-mlp.yaml', ['params.driver.clock_period=500 ps', 'params.device.write_pulse=500 ps']))).toThrow(/settle in 600 ps, more than one clock cycle/);
  });
});
