import { describe, expect, it } from 'vitest';
import type { Comparison } from '../src/arch/compare.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { formatRatio } from '../src/cli/compare-format.js';
import { cli } from './helpers.js';

const metric = (c: Comparison, name: string) => c.metrics.find((m) => m.metric === name)!;

describe('spinarch compare', () => {
  it('puts IRMEN beside charge-CeNN: at least 85x less energy and about 5.7x less latency, from the runs', async () => {
    const { code, out } = await cli('compare', 'scenarios/charge-cenn.yaml', 'scenarios/irmen-dual-cenn.yaml', '--json');
    expect(code).toBe(0);
    const c = JSON.parse(out) as Comparison;
    expect(c.baseline).toBe('charge-cenn');
    expect(c.scenarios.map((s) => s.name)).toEqual(['charge-cenn', 'irmen-dual-cenn']);
    // The same runs, made here independently.
    const charge = runScenario(loadScenario('scenarios/charge-cenn.yaml'));
    const irmen = runScenario(loadScenario('scenarios/irmen-dual-cenn.yaml'));
    const energy = metric(c, 'energy per image');
    const latency = metric(c, 'latency per image');
    expect(energy.values).toEqual([charge.energy_j, irmen.energy_j]);
    expect(energy.ratios[1]).toBe(irmen.energy_j / charge.energy_j);
    expect(1 / energy.ratios[1]!).toBeGreaterThanOrEqual(85);
    expect(1 / latency.ratios[1]!).toBeCloseTo(5.7, 1);
    expect(latency.values[1]).toBeCloseTo(42e-9, 20);
    // Energy by component class adds up to the total.
    const classes = c.metrics.filter((m) => m.metric.startsWith('energy: '));
    expect(classes.map((m) => m.metric)).toEqual(['energy: memory', 'energy: ADC/DAC', 'energy: digital', 'energy: analog compute', 'energy: spintronic devices', 'energy: drivers', 'energy: classifier head']);
    // The accelerator's classes add up to the total; the head, outside the seeds' scope, is its own row.
    expect(classes.slice(0, -1).reduce((a, m) => a + m.values[0]!, 0)).toBeCloseTo(charge.energy_j, 20);
    expect(classes[classes.length - 1]!.values[0]).toBeCloseTo(charge.classifier_energy_j!, 20);
    expect(metric(c, 'ADC conversions').values).toEqual([charge.counts['adc_conversions'], 0]);
    expect(metric(c, 'memory traffic').values[0]).toBe(charge.traffic.bits_read + charge.traffic.bits_written);
    expect(metric(c, 'energy-delay product').values[1]).toBeCloseTo(irmen.energy_j * irmen.latency_ps * 1e-12, 30);
  });

  it('takes another baseline, and writes CSV and Markdown', async () => {
    const files = ['scenarios/charge-cenn.yaml', 'scenarios/irmen-dual-cenn.yaml'];
    const csv = (await cli('compare', ...files, '--csv', '--baseline', 'irmen-dual-cenn')).out.trim().split('\n');
    expect(csv[0]).toBe('metric,unit,charge-cenn,irmen-dual-cenn');
    expect(csv).toContain(csv.find((l) => l.startsWith('energy per image / irmen-dual-cenn,ratio,'))!);
    expect(Number(csv.find((l) => l.startsWith('energy per image / irmen-dual-cenn'))!.split(',')[2])).toBeGreaterThan(85);
    const md = (await cli('compare', ...files, '--markdown')).out;
    expect(md).toMatch(/^\| per image \| charge-cenn \(baseline\) \| irmen-dual-cenn \|/);
    expect(md).toContain('| latency per image | 240 ns | 42.0 ns (/5.73) |');
    expect((await cli('compare', ...files, '--baseline', 'nope')).code).toBe(2);
    expect((await cli('compare', ...files, '--csv', '--json')).code).toBe(2);
  });

  it('npm start: every bundled scenario against charge-CeNN, readable at 100 columns', async () => {
    // The main job as npm start runs it, on 100 accuracy images (npm start's 1,000 only take longer).
    const { code, out } = await cli('start', '--accuracy-images', '100');
    expect(code).toBe(0);
    for (const name of ['charge-cenn', 'irmen-dual-cenn', 'maap-cnn-4bit', 'maap-cnn-8bit', 'maap-cnn-32bit', 'sot-mlp', 'mtj-mlp']) expect(out).toContain(` ${name}`);
    expect(out).toContain('charge-cenn*');
    // The accuracy row says what it is over.
    expect(out).toContain('accuracy over 100 images (MNIST test images from the first, by the functional model);\nunder it, its 95 % interval.');
    for (const line of out.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    expect(out).toMatch(/42\.0 ns/);
    expect(out).toMatch(/82\.7 nJ/);
    // The MAAP-CNN provisioned like the charge CeNN (like with like): about 24x faster than it.
    expect(out).toContain(' maap-cnn-4bit-');
    expect(out).toMatch(/10\.0 ns/);
    // npm start itself takes the default, 1,000 images.
    expect((await cli('start', '--help')).out).toMatch(/--accuracy-images <n>.*\(default: 1000\)/s);
  }, 300_000); // 8 scenarios, the MAAP sets solved as circuits (the parallel one calibrates 9,216 sets once, then reads them from the cache)

  it('writes ratios the way people say them', () => {
    expect(formatRatio(1)).toBe('=');
    expect(formatRatio(2.345)).toBe('x2.35');
    expect(formatRatio(1 / 114)).toBe('/114');
    expect(formatRatio(null)).toBe('');
  });
});
