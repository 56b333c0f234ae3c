import { TRANSFER_GAIN } from '../src/components/cenn/template.js';
import { describe, expect, it } from 'vitest';
import { passesOf } from '../src/arch/cenn/charge-cenn.js';
import { compileCennProgram } from '../src/arch/cenn/program.js';
import type { RunReport } from '../src/arch/report.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { WeightSource } from '../src/data/weights.js';
import { fitImage, syntheticDigit } from '../src/data/images.js';
import { functionalModel } from '../src/arch/scenario.js';
import { FEATURES } from '../src/components/digital/classifier.js';
import { fromCode } from '../src/components/converters/quantize.js';
import { referenceCnn } from './helpers.js';

const run = (...sets: string[]): RunReport => runScenario(loadScenario('scenarios/charge-cenn.yaml', sets));

describe('charge-cenn baseline (Lou et al., via seed 000)', () => {
  const r = run();

  it('takes 240.5 ns: 101.5 ns and 139 ns for the two conv-ReLU-pool sequences', () => {
    expect(Math.abs(r.latency_ps - 240_500) / 240_500).toBeLessThan(0.005);
    const seqs = r['sequences'] as { latency_ps: number; stages: number }[];
    expect(seqs.map((s) => s.stages)).toEqual([14, 14]);
    expect(Math.abs(seqs[0]!.latency_ps - 101_500) / 101_500).toBeLessThan(0.005);
    expect(Math.abs(seqs[1]!.latency_ps - 139_000) / 139_000).toBeLessThan(0.005);
    expect(r['stages']).toBe(28);
    expect(r['passes']).toBe(31);
  });

  it('spends over 12 nJ, with its ADC, DAC and memory round trips counted', () => {
    expect(r.energy_j).toBeGreaterThanOrEqual(12e-9);
    expect(r.energy_j).toBeLessThanOrEqual(16e-9);
    // Every pass converts every cell it writes and reads back every value it needs.
    expect(r.counts['adc_conversions']).toBe(r.counts['cell_charge']);
    expect(r.counts['dac_conversions']).toBe(r.counts['memory_read']);
    expect(r.counts['memory_accesses']).toBe(r.traffic.reads + r.traffic.writes);
    expect(r.traffic.bits_written).toBe(8 * r.traffic.writes);
    expect(r.counts['adc_conversions']).toBeGreaterThan(90_000);
  });

  it('passes are what the stage structure implies: one per input map of a convolution', () => {
    const s = loadScenario('scenarios/charge-cenn.yaml');
    const program = compileCennProgram(s.layers, WeightSource.random(1), { convRelu: 2, pool: 12 });
    const passes = passesOf(program.steps, () => 1000);
    expect(passes.filter((p) => p.step.kind === 'conv').map((p) => p.step.label)).toEqual([
      'conv 3x3x1 -> 4 maps',
      'conv 3x3x4 -> 4 maps, input map 0',
      'conv 3x3x4 -> 4 maps, input map 1',
      'conv 3x3x4 -> 4 maps, input map 2',
      'conv 3x3x4 -> 4 maps, input map 3',
    ]);
  });

  it('the latency comes from the round trip: a slower ADC makes every pass slower', () => {
    const slow = run('params.adc.conversion_time=2 ns');
    expect(slow.latency_ps - r.latency_ps).toBe(31 * 1000);
  });

  it('computes the network: with fine converters its memory holds what a plain CNN computes, map by map', () => {
    // 16-bit converters and OTAs, so the only difference left is the design's pass-by-pass sum.
    const fine = ['weights=random', 'params.ota.weight_bits=16', 'params.adc.bits=16', 'params.dac.bits=16', 'params.memory.word_bits=16'];
    const image = fitImage(syntheticDigit(4), [28, 28, 1]);
    const expected = referenceCnn(WeightSource.random(2019), image, true);
    const s = loadScenario('scenarios/charge-cenn.yaml', fine);
    const model = functionalModel(s);
    let features: Float64Array | undefined;
    runScenario(s, { images: 1, source: { description: 'digit 4', count: 1, image: () => syntheticDigit(4) }, attach: (sim) => sim.bus.topic(FEATURES).listen((f) => (features = f.values)) });
    expect(features).toHaveLength(expected.length);
    // The memory holds 16-bit codes of bipolar states; decoded, in the ReLU encoding the pooled
    // (non-negative) plane is kept in, they are the pooled outputs.
    const { scale, offset } = TRANSFER_GAIN.relu.encoding;
    const got = [...features!].map((c) => scale * fromCode(c, 16) + offset);
    let worst = 0;
    got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]!))));
    expect(worst).toBeLessThan(2e-3);
    expect(Math.max(...expected)).toBeGreaterThan(0.2);
    // The functional model reads the same memory: the same scores.
    expect(model.infer(image, syntheticDigit(4))).toHaveLength(10);
  });

  it('is at least 85x the energy and about 5.7x the latency of the IRMEN design', () => {
    const irmen = runScenario(loadScenario('scenarios/irmen-dual-cenn.yaml'));
    expect(r.energy_j / irmen.energy_j).toBeGreaterThanOrEqual(85);
    expect(r.latency_ps / irmen.latency_ps).toBeCloseTo(5.73, 2);
  });
});
