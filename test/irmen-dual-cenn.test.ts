import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { WeightSource } from '../src/data/weights.js';
import { syntheticDigit, fitImage } from '../src/data/images.js';
import { STAGES, cellInputsOf, type StageCommand } from '../src/components/cenn/messages.js';
import { SIGNALS, type SignalRecord } from '../src/components/records.js';
import { TRANSFER_GAIN, saturatedLinear } from '../src/components/cenn/template.js';
import type { RunReport } from '../src/arch/report.js';
import { referenceCnn } from './helpers.js';

const SCENARIO = 'scenarios/irmen-dual-cenn.yaml';
const run = (...sets: string[]): RunReport => runScenario(loadScenario(SCENARIO, sets));
const energyOf = (r: RunReport, action: string): number => r.energy_breakdown.filter((l) => l.action === action).reduce((a, l) => a + l.energy_j, 0);

describe('irmen-dual-cenn (seed 000)', () => {
  const r = run();

  it('takes 28 stages of 1.5 ns: 42 ns per image', () => {
    expect(r.latency_ps).toBe(42_000);
    expect(r['stages']).toBe(28);
    expect(r['sequences']).toEqual([
      { layers: [0, 1, 2], stages: 14, latency_ps: 21_000 },
      { layers: [3, 4, 5], stages: 14, latency_ps: 21_000 },
    ]);
  });

  it('is powered only 130 ps per stage', () => {
    expect(r.power.powered_ps).toBe(28 * 130);
    // Average power over the image is energy / 42 ns; the peak is far above it.
    expect(r.power.average_w).toBeCloseTo(r.energy_j / 42e-9, 12);
    expect(r.power.peak_w).toBeGreaterThan(5 * r.power.average_w);
  });

  it('spends about 100 pJ, in named parts, with no ADC or DAC', () => {
    expect(r.energy_j).toBeGreaterThan(70e-12);
    expect(r.energy_j).toBeLessThan(140e-12);
    for (const part of ['ota_static', 'ota_switching', 'access_transistor', 'irmen_drive', 'irmen_write']) expect(energyOf(r, part)).toBeGreaterThan(0);
    // The accelerator's lines add up to energy_j; the classifier head's to its own line (seed 000 leaves it out).
    const inScope = r.energy_breakdown.filter((l) => l.class !== 'classifier').reduce((a, l) => a + l.energy_j, 0);
    expect(inScope).toBeCloseTo(r.energy_j, 20);
    const head = r.energy_breakdown.filter((l) => l.class === 'classifier').reduce((a, l) => a + l.energy_j, 0);
    expect(r.classifier_counted).toBe(false);
    expect(head).toBeGreaterThan(0);
    expect(r.classifier_energy_j).toBeCloseTo(head, 20);
    expect(r.counts['adc_conversions']).toBe(0);
    expect(r.counts['dac_conversions']).toBe(0);
    expect(r.energy_breakdown.some((l) => l.class === 'adc-dac' || l.class === 'memory')).toBe(false);
  });

  it('counts what the mapping implies: one write per output cell of every stage', () => {
    // conv1 26x26x4 + relu 26x26x4; each pairwise max writes 2+2+1 planes of its output size.
    const pool = (maps: number, h: number, w: number): number => {
      let cells = 0;
      let [hh, ww] = [h, w];
      for (const axis of ['x', 'x', 'y', 'y']) {
        if (axis === 'x') ww--;
        else hh--;
        cells += 5 * maps * hh * ww;
      }
      return cells;
    };
    const writes = 2 * 2704 + pool(4, 26, 26) + 2 * 1936 + pool(4, 22, 22);
    expect(r.counts['irmen_write']).toBe(writes);
    expect(r.counts['stage']).toBe(28);
  });

  it('uses more energy with a longer magnet, because it needs a larger ME field to saturate', () => {
    const runs = ['17 nm', '30 nm', '45 nm', '60 nm'].map((l) => run(`params.irmen.fm_length=${l}`));
    const energies = runs.map((x) => x.energy_j);
    const vsat = runs.map((x) => (x['device'] as { saturation_voltage_v: number }).saturation_voltage_v);
    const otaStatic = runs.map((x) => energyOf(x, 'ota_static'));
    for (let i = 1; i < 4; i++) {
      expect(energies[i]!).toBeGreaterThan(energies[i - 1]!);
      expect(vsat[i]!).toBeGreaterThan(vsat[i - 1]!);
      // The OTA current that saturates a cell scales with that field.
      expect(otaStatic[i]! / otaStatic[i - 1]!).toBeCloseTo(vsat[i]! / vsat[i - 1]!, 6);
    }
    expect(energies[3]!).toBeLessThan(140e-12);
    // ...and reads are less noisy (thermal stability).
    const errors = runs.map((x) => x['transfer_error_mean'] as number);
    for (let i = 1; i < 4; i++) expect(errors[i]!).toBeLessThan(errors[i - 1]!);
  });

  it('maps other networks by the same rule: one conv-ReLU-pool layer is 14 stages, 21 ns', () => {
    const one = run('weights=random', 'network.layers=[{type: conv, kernel: 3, templates: 4}, {type: relu}, {type: maxpool, size: 3, stride: 1}]');
    expect(one['stages']).toBe(14);
    expect(one.latency_ps).toBe(21_000);
    const small = run('weights=random', 'network.layers=[{type: conv, kernel: 3, templates: 2}, {type: relu}, {type: maxpool, size: 2, stride: 2}]', 'params.stages.pool=6');
    expect(small['stages']).toBe(8);
    expect(small.latency_ps).toBe(12_000);
    expect(() => run('params.stages.pool=10')).toThrow(/needs 12 CeNN stages, the budget is 10/);
  });

  it('swaps the A/B roles every stage, visibly in the event stream', () => {
    const commands: StageCommand[] = [];
    const signals: SignalRecord[] = [];
    runScenario(loadScenario(SCENARIO), {
      attach: (sim) => {
        sim.bus.topic(STAGES).listen((c) => commands.push(c));
        sim.bus.topic(SIGNALS).listen((s) => signals.push(s));
      },
    });
    expect(commands).toHaveLength(28);
    expect(commands[0]).toMatchObject({ holder: 'input', computer: 'bankA', window: 130 });
    commands.slice(1).forEach((c, i) => {
      expect(c.computer).toBe(i % 2 === 0 ? 'bankB' : 'bankA');
      expect(c.holder).toBe(i % 2 === 0 ? 'bankA' : 'bankB');
    });
    const holdingA = signals.filter((s) => s.component === 'bankA' && s.signal === 'holding');
    expect(holdingA.map((s) => s.value).slice(0, 4)).toEqual(['0', '1', '0', '1']);
    expect(holdingA[1]!.time).toBe(1500);
  });

  it('computes the network: without noise the banks hold what a plain CNN computes', () => {
    // Independent reference: the same weights, conv -> clip -> ReLU -> 3x3 max, twice.
    const expected = referenceCnn(WeightSource.random(2019), fitImage(syntheticDigit(7), [28, 28, 1]), false);
    const clip = saturatedLinear;

    let last: Float64Array | undefined;
    runScenario(loadScenario(SCENARIO, ['weights=random', 'params.irmen.noise_scale=0', 'params.ota.weight_bits=16']), {
      attach: (sim) => sim.bus.topic(cellInputsOf('bankB')).listen((s) => (last = s.values)),
    });
    // The last stage writes plane v of bank B: its states, decoded in the ReLU encoding the
    // pooled (non-negative) plane is kept in, are the pooled outputs.
    const { scale, offset } = TRANSFER_GAIN.relu.encoding;
    const got = [...last!].map((u) => scale * clip(u) + offset);
    expect(got).toHaveLength(expected.length);
    let worst = 0;
    got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]!))));
    expect(worst).toBeLessThan(2e-3);
    expect(Math.max(...expected)).toBeGreaterThan(0.2);
  });
});
