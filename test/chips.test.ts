import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/arch/scenario.js';
import { bundledMnistDir } from '../src/data/mnist.js';
import { evaluateScenario, onChip } from '../src/eval/evaluate.js';
import { evaluateImages } from '../src/eval/pool.js';
import { cli } from './helpers.js';

const dir = bundledMnistDir();

describe('chips: several dies of one design (eval --chips, the scenario key chip)', () => {
  it('chip 0 is the scenario as it was; other chips draw other devices, the same in both modes', async () => {
    const s = loadScenario('scenarios/sot-mlp.yaml');
    const base = await evaluateImages(s, { dir, set: 'test', from: 0, count: 300, workers: 1 });
    const zero = await evaluateImages(onChip(s, 0), { dir, set: 'test', from: 0, count: 300, workers: 1 });
    expect(zero.outputs).toEqual(base.outputs);
    const one = await evaluateImages(onChip(s, 1), { dir, set: 'test', from: 0, count: 300, workers: 1 });
    // Another die: every crossbar device drawn again, so the output voltages move.
    expect(one.outputs).not.toEqual(base.outputs);
    // evaluateScenario checks each die's first image against an event-level run of that die.
    const r = await evaluateScenario(s, { dir, set: 'test', from: 0, count: 300, workers: 1, chips: 3 });
    expect(r.chips!.count).toBe(3);
    expect(r.chips!.accuracy).toHaveLength(3);
    // The pooled accuracy counts every chip's images; the mean of the chips is its rate (equal counts).
    expect(r.accuracy!.images).toBe(900);
    expect(r.accuracy!.rate).toBeCloseTo(r.chips!.mean, 12);
    expect(r.chips!.min).toBeLessThanOrEqual(r.chips!.mean);
    expect(r.chips!.max).toBeGreaterThanOrEqual(r.chips!.mean);
    const rates = r.chips!.accuracy;
    const mean = rates.reduce((a, b) => a + b, 0) / 3;
    expect(r.chips!.sd).toBeCloseTo(Math.sqrt(rates.reduce((a, x) => a + (x - mean) ** 2, 0) / 2), 12);
    // Chip 0's share is the single-chip evaluation.
    let correct = 0;
    const labels = (await import('../src/data/mnist.js')).loadMnist(dir, 'test').labels!;
    base.predicted.forEach((p, k) => (correct += p === labels[k] ? 1 : 0));
    expect(rates[0]).toBe(correct / 300);
  }, 60_000);

  it('eval --chips gives the same bytes for any number of workers, and starts from the scenario chip', async () => {
    const a = await cli('eval', 'scenarios/maap-cnn-4bit.yaml', '--images', '60', '--chips', '2', '--json', '--workers', '1');
    const b = await cli('eval', 'scenarios/maap-cnn-4bit.yaml', '--images', '60', '--chips', '2', '--json', '--workers', '2');
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
    const shifted = await cli('eval', 'scenarios/maap-cnn-4bit.yaml', '--images', '60', '--chips', '1', '--json', '--set', 'chip=1');
    const chips = (JSON.parse(a.out) as { chips: { accuracy: number[] } }).chips;
    expect((JSON.parse(shifted.out) as { accuracy: { rate: number } }).accuracy.rate).toBe(chips.accuracy[1]);
    const bad = await cli('eval', 'scenarios/maap-cnn-4bit.yaml', '--chips', '0');
    expect(bad.code).toBe(2);
  }, 120_000);
});
