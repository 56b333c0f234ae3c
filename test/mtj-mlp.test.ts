import { describe, expect, it } from 'vitest';
import type { RunReport, SetupReport } from '../src/arch/report.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { cellStatistics } from '../src/components/mtj/cell-statistics.js';
import { SerialCell, drawMtj, mtjVoltage, type Mtj, type MtjTable } from '../src/components/mtj/serial-mtj.js';
import type { MultiLevelCellParams } from '../src/components/mtj/synapse-array.js';
import { streamFor } from '../src/components/random.js';

const table: MtjTable = {
  a1: { mean: -310, sigma: 3 }, b1: { mean: 665, sigma: 12 }, a0: { mean: -30, sigma: 3 }, b0: { mean: 360, sigma: 12 },
  cN: { mean: -3.1e-4, sigma: 1.5e-5 }, cP: { mean: 8e-4, sigma: 1.5e-5 },
};
const cellParams = (mtjs: number): MultiLevelCellParams => ({
  mtjs, table, read_voltage: 0.1,
  program: { write_pulse: 10_000, read_pulse: 10_000, start_voltage: 2, step: 0.02, max_voltage: 3.6, erase_voltage: -2.5, switch_resistance: 400 },
});

/**
 * Seed 002's stepping algorithm, as written: raise the current in small steps; when an MTJ's
 * critical current is reached, switch it and start again from zero current; stop when the
 * string's voltage reaches V. Slow and literal: the reference for the exact solution.
 */
function stepping(mtjs: readonly Mtj[], start: boolean[], v: number, dI = 1e-7): { high: boolean[]; current: number } {
  const high = [...start];
  let i = 0;
  for (;;) {
    i += dI;
    let switched = false;
    for (let k = 0; k < mtjs.length; k++) {
      if (!high[k]! && i >= mtjs[k]!.cP) {
        high[k] = true;
        switched = true;
        break;
      }
    }
    if (switched) {
      i = 0;
      continue;
    }
    const total = mtjs.reduce((a, m, k) => a + mtjVoltage(m, high[k]!, i), 0);
    if (total >= v) return { high, current: i };
  }
}

describe('one MTJ: the four-line model (seed 002, Fig. 1a)', () => {
  it('falls in resistance with bias in each state, and is odd in the current', () => {
    const m: Mtj = { a1: -310, b1: 665, a0: -30, b0: 360, cN: -3.1e-4, cP: 8e-4 };
    // R = b + a |V| with V = I R, so R(I) = b / (1 - a |I|): 665 / 1.248 = 532.9 Ohm at 0.8 mA.
    expect(mtjVoltage(m, true, 8e-4) / 8e-4).toBeCloseTo(665 / (1 + 310 * 8e-4), 9);
    expect(mtjVoltage(m, false, 1e-9) / 1e-9).toBeCloseTo(360, 4);
    expect(mtjVoltage(m, true, -5e-4)).toBeCloseTo(-mtjVoltage(m, true, 5e-4), 15);
  });
});

describe('a cell of MTJs in series (seed 002, Sec. II)', () => {
  it('settles exactly as the paper\'s stepping algorithm does', () => {
    const rng = streamFor(5, 'stepping');
    for (let trial = 0; trial < 5; trial++) {
      const mtjs = Array.from({ length: 7 }, () => drawMtj(table, rng));
      for (const v of [1.5, 2.1, 2.5, 2.8, 3.0]) {
        const cell = new SerialCell(mtjs);
        cell.apply(v);
        const ref = stepping(mtjs, mtjs.map(() => false), v);
        expect(cell.high).toEqual(ref.high);
        expect(cell.current(v)).toBeCloseTo(ref.current, 6);
      }
    }
  });

  it('over 300 Monte Carlo cells of 7 MTJs: 8 levels, no overlap, all 7 programmed within 2.9-3.4 V', () => {
    const s = cellStatistics(cellParams(7), 300, 2021, 'monte-carlo');
    expect(s.levels).toHaveLength(8);
    expect(s.separated).toBe(true);
    for (let l = 1; l < 8; l++) expect(s.levels[l]!.min_ohm).toBeGreaterThan(s.levels[l - 1]!.max_ohm);
    // Each level adds one high MTJ: about b1 - b0 = 305 Ohm at the read bias.
    expect(s.levels[7]!.mean_ohm - s.levels[6]!.mean_ohm).toBeCloseTo(305, -1);
    expect(s.program_all_v.min).toBeGreaterThanOrEqual(2.9);
    expect(s.program_all_v.max).toBeLessThanOrEqual(3.4);
    expect(s.program_all_v.mean).toBeCloseTo(3.25, 1);
    for (let k = 1; k < 7; k++) expect(s.write_voltages[k]!.min_v).toBeGreaterThan(s.write_voltages[k - 1]!.min_v);
  });

  it('with 1 to 7 MTJs holds N + 1 separated levels', () => {
    for (let n = 1; n <= 7; n++) {
      const s = cellStatistics(cellParams(n), 300, 2021, `mc${n}`);
      expect(s.levels).toHaveLength(n + 1);
      expect(s.separated).toBe(true);
    }
  });
});

describe('mtj-mlp (400 x 16 x 16 x 10)', () => {
  const r: RunReport = runScenario(loadScenario('scenarios/mtj-mlp.yaml', ['params.monte_carlo_cells=0']));
  const setup = r['setup'] as SetupReport;

  it('programs every cell to its level by pulses with verifying reads', () => {
    const prog = r['programming'] as { cells: number; pulses_mean: number; failed: number };
    expect(prog.cells).toBe(2 * (16 * 401 + 16 * 17 + 10 * 17));
    expect(prog.failed).toBe(0);
    expect(setup.counts['write_pulse']).toBe(setup.counts['verify_read']);
    expect(setup.counts['erase_pulse']).toBe(prog.cells);
    expect(prog.pulses_mean).toBeGreaterThan(5);
    expect(r['weight_levels']).toBe(15);
  });

  it('finds every level even when the first pulse overshoots (program-and-verify bisects)', () => {
    // With 2 MTJs per cell, the 2 V starting pulse is past every write voltage.
    const small = runScenario(loadScenario('scenarios/mtj-mlp.yaml', ['weights=random', 'params.monte_carlo_cells=0', 'params.cell.mtjs=2', 'network.layers=[{type: dense, outputs: 4}]', 'params.neuron.feedback=[5 kOhm]']));
    expect((small['programming'] as { failed: number }).failed).toBe(0);
    expect(small['weight_levels']).toBe(5);
  });

  it('takes the settling of three layers of op-amps per inference, and reports its energy by part', () => {
    const layer = r['layer_latency_ps'] as number;
    expect(r.latency_ps).toBe(3 * layer);
    // Two op-amp stages of 7 time constants at 5 MHz (222.8 ns each) and a 5 ns inverter.
    expect(layer).toBe(2 * Math.ceil((7 / (2 * Math.PI * 5e6)) * 1e12) + 5000);
    const opamp = r.energy_breakdown.find((l) => l.action === 'opamp')!;
    expect(opamp.count).toBe(3 * 42);
    expect(opamp.energy_j).toBeCloseTo(126 * 12e-6 * 1.8 * r.latency_ps * 1e-12, 15);
    expect(r.energy_breakdown.map((l) => l.action).sort()).toEqual(['opamp', 'sigmoid_inverter', 'synapse_read']);
    expect((r['outputs_v'] as number[]).length).toBe(10);
  });
});
