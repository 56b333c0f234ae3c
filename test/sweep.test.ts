import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { reportError } from '../src/cli/main.js';
import { combinations, expandRange, rangeText } from '../src/sweep/axes.js';
import { loadSweep } from '../src/sweep/load.js';
import { readMetric } from '../src/sweep/metric-path.js';
import { readResults } from '../src/sweep/results-file.js';
import { runSweep } from '../src/sweep/run-sweep.js';
import { PointsFailedError } from '../src/sweep/sweep-error.js';
import { cli, syntheticMnist, tempFiles } from './helpers.js';

const SCENARIOS = path.resolve('scenarios');

/** A tiny IRMEN network with random weights: one conv stage and the dense head. */
const TINY = `extends: ${SCENARIOS}/irmen-dual-cenn.yaml
name: tiny-irmen
weights: random
network:
  input: [28, 28, 1]
  layers:
    - { type: conv, kernel: 3, templates: 2 }
    - { type: relu }
    - { type: dense, outputs: 10 }
`;

/** A sweep over two axes of the tiny network: cost and accuracy over 30 images of a small data set. */
const tinySweep = (mnist: string): string => `title: tiny
scenario: tiny.yaml
mnist: ${mnist}
axes:
  params.irmen.fm_length: [17 nm, 60 nm]
  params.ota.weight_bits: [4, 8]
run: {images: 1}
eval: {images: 30}
metrics: [energy_j, accuracy.rate, device.thermal_stability]
out: results.jsonl
plots:
  - out: accuracy.svg
    x: params.irmen.fm_length
    y: accuracy.rate
    series: params.ota.weight_bits
`;

type Line = { key: string; point: Record<string, unknown>; metrics?: Record<string, unknown>; error?: string; spinarch: string };
const linesOf = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);

/** The line marks of a vega SVG: one group per line mark, one path per series inside. */
function linePaths(svg: string): number {
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as unknown;
  let paths = 0;
  const walk = (node: unknown, inLine: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inLine));
    if (typeof node !== 'object' || node === null) return;
    const rec = node as Record<string, unknown>;
    const here = inLine || (typeof rec['class'] === 'string' && rec['class'].includes('mark-line'));
    for (const [k, v] of Object.entries(rec)) {
      if (k === 'path' && here) paths += Array.isArray(v) ? v.length : 1;
      else if (typeof v === 'object') walk(v, here);
    }
  };
  walk(doc, false);
  return paths;
}

describe('sweep axes and metric paths', () => {
  it('expands ranges with units, both ends included, without drift', () => {
    expect(expandRange({ from: '0 mV', to: '20 mV', step: '5 mV' })).toEqual(['0 mV', '5 mV', '10 mV', '15 mV', '20 mV']);
    expect(expandRange({ from: 0, to: 1, step: 0.1 })).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(expandRange(rangeText('1:7:2')!)).toEqual([1, 3, 5, 7]);
    expect(expandRange({ from: '1 nm', to: '2 mV', step: '1 nm' })).toMatch(/one unit/);
    expect(expandRange({ from: 5, to: 1, step: 1 })).toMatch(/below/);
    expect(combinations<number | string>([[1, 2], ['a', 'b', 'c']])).toEqual([[1, 'a'], [1, 'b'], [1, 'c'], [2, 'a'], [2, 'b'], [2, 'c']]);
  });

  it('reads report keys, and sums the rows a filter selects', () => {
    const report = { energy_j: 3, accuracy: { rate: 0.5 }, energy_breakdown: [{ class: 'memory', action: 'sram_read', energy_j: 1 }, { class: 'memory', action: 'sram_write', energy_j: 0.25 }, { class: 'adc', action: 'adc_conversion', energy_j: 2 }] };
    expect(readMetric(report, 'energy_j')).toEqual({ found: true, value: 3 });
    expect(readMetric(report, 'accuracy.rate')).toEqual({ found: true, value: 0.5 });
    expect(readMetric(report, 'energy_breakdown[class=memory].energy_j')).toEqual({ found: true, value: 1.25 });
    expect(readMetric(report, 'energy_breakdown[1].action')).toEqual({ found: true, value: 'sram_write' });
    expect(readMetric(report, 'accuracy.rat')).toMatchObject({ found: false, at: 'accuracy.rat', known: ['rate'] });
    expect(readMetric(report, 'energy_breakdown[class=dram].energy_j')).toMatchObject({ found: false, known: ['[class=memory]', '[class=adc]'] });
  });
});

describe('spinarch sweep', () => {
  const mnist = syntheticMnist({ test: 40, train: 1 });

  it('runs every point of two axes, files one line per point, draws a line per series, and reads back', async () => {
    const dir = tempFiles({ 'tiny.yaml': TINY, 'sweep.yaml': tinySweep(mnist) });
    const r = await cli('sweep', path.join(dir, 'sweep.yaml'), '--csv', '--workers', '2');
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const lines = linesOf(path.join(dir, 'results.jsonl'));
    expect(lines.map((l) => [l.point['params.irmen.fm_length'], l.point['params.ota.weight_bits']])).toEqual([
      ['17 nm', 4],
      ['17 nm', 8],
      ['60 nm', 4],
      ['60 nm', 8],
    ]);
    expect(new Set(lines.map((l) => l.key)).size).toBe(4);
    for (const l of lines) {
      expect(l.key).toMatch(/^[0-9a-f]{16}$/);
      expect(l.error).toBeUndefined();
      const m = l.metrics!;
      expect(m['accuracy.rate']).toBeGreaterThanOrEqual(0);
      expect(m['accuracy.rate']).toBeLessThanOrEqual(1);
      const [lo, hi] = m['accuracy.ci95'] as [number, number];
      expect(lo).toBeLessThanOrEqual(m['accuracy.rate'] as number);
      expect(hi).toBeGreaterThanOrEqual(m['accuracy.rate'] as number);
    }
    // Thermal stability is K_u V / kT: linear in the magnet's length at fixed width and thickness.
    expect((lines[2]!.metrics!['device.thermal_stability'] as number) / (lines[0]!.metrics!['device.thermal_stability'] as number)).toBeCloseTo(60 / 17, 6);
    // Longer magnets need larger fields to saturate (seed 000 Fig. 7a): more energy.
    expect(lines[2]!.metrics!['energy_j']).toBeGreaterThan(lines[0]!.metrics!['energy_j'] as number);
    // The CSV on stdout holds the same numbers, every digit.
    const csv = r.out.trim().split('\n');
    expect(csv[0]).toBe('params.irmen.fm_length,params.ota.weight_bits,energy_j,accuracy.rate,device.thermal_stability,accuracy.ci95[0],accuracy.ci95[1]');
    expect(csv[1]!.split(',')[2]).toBe(String(lines[0]!.metrics!['energy_j']));
    // The plot: one line per value of the series axis.
    expect(linePaths(readFileSync(path.join(dir, 'accuracy.svg'), 'utf8'))).toBe(2);

    const again = await cli('results', path.join(dir, 'results.jsonl'), '--markdown');
    expect(again.code).toBe(0);
    expect(again.out.split('\n')[0]).toBe('| params.irmen.fm_length | params.ota.weight_bits | energy_j | accuracy.rate | device.thermal_stability | accuracy.ci95 |');
    expect(again.out.trim().split('\n')).toHaveLength(6);

    const plot = await cli('plot', path.join(dir, 'results.jsonl'), '--x', 'params.ota.weight_bits', '--y', 'energy_j', '--series', 'params.irmen.fm_length', '--log-y', '--out', path.join(dir, 'energy.svg'));
    expect(plot.code).toBe(0);
    expect(linePaths(readFileSync(path.join(dir, 'energy.svg'), 'utf8'))).toBe(2);
    const badPlot = await cli('plot', path.join(dir, 'results.jsonl'), '--x', 'params.irmen.fm_lenght', '--y', 'energy_j', '--out', path.join(dir, 'x.svg'));
    expect(badPlot.code).toBe(2);
    expect(badPlot.err).toContain('--x params.irmen.fm_lenght');

    // The same bytes with one worker, and a second run finds everything done.
    const one = tempFiles({ 'tiny.yaml': TINY, 'sweep.yaml': tinySweep(mnist) });
    expect((await cli('sweep', path.join(one, 'sweep.yaml'), '--workers', '1')).code).toBe(0);
    expect(readFileSync(path.join(one, 'results.jsonl'), 'utf8')).toBe(readFileSync(path.join(dir, 'results.jsonl'), 'utf8'));
    const before = readFileSync(path.join(dir, 'results.jsonl'), 'utf8');
    const rerun = await cli('sweep', path.join(dir, 'sweep.yaml'));
    expect(rerun.err).toContain('4 points, 4 already in');
    expect(rerun.err).toContain(', 0 run');
    expect(readFileSync(path.join(dir, 'results.jsonl'), 'utf8')).toBe(before);

    // A half-written last line (a kill in the middle of a write) is found and that point redone.
    truncateSync(path.join(dir, 'results.jsonl'), before.length - 40);
    const torn = await cli('sweep', path.join(dir, 'sweep.yaml'));
    expect(torn.err).toContain('half-written');
    expect(torn.err).toContain('3 already in');
    expect(readFileSync(path.join(dir, 'results.jsonl'), 'utf8')).toBe(before);
  });

  it('checks every point before running any: a bad value fails at its line in the sweep file, exit 2, nothing written', async () => {
    const dir = tempFiles({ 'tiny.yaml': TINY, 'sweep.yaml': tinySweep(mnist).replace('[17 nm, 60 nm]', '[17 nm, 60 parsecs]') });
    const r = await cli('sweep', path.join(dir, 'sweep.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/sweep\.yaml:5:35: params\.irmen\.fm_length: 'parsecs' is not a unit/);
    expect(r.err).toContain('(at params.irmen.fm_length=60 parsecs, params.ota.weight_bits=4)');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(dir, 'results.jsonl'))).toBe(false);

    const typo = await cli('sweep', path.join(tempFiles({ 'tiny.yaml': TINY, 'sweep.yaml': tinySweep(mnist).replace('params.ota.weight_bits: [4, 8]', 'params.ota.weight_bit: [4, 8]') }), 'sweep.yaml'));
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/sweep\.yaml:6:3: params\.ota\.weight_bit: unknown key 'weight_bit' \(did you mean 'weight_bits'\?\)/);
    expect(typo.err).toContain("plots[0].series: 'params.ota.weight_bits' is neither an axis nor a metric");

    const noMetric = tempFiles({ 'tiny.yaml': TINY, 'sweep.yaml': tinySweep(mnist).replace('device.thermal_stability]', 'device.thermal_stabilty]') });
    const m = await cli('sweep', path.join(noMetric, 'sweep.yaml'), '--workers', '1');
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/sweep\.yaml:9:\d+: metrics\[2\]: the report of irmen-dual-cenn has no 'device\.thermal_stabilty'.*did you mean 'thermal_stability'/);
  });

  it('the short form: --vary lists and ranges', async () => {
    const dir = tempFiles({ 'tiny.yaml': TINY });
    const out = path.join(dir, 'short.jsonl');
    const r = await cli('sweep', path.join(dir, 'tiny.yaml'), '--vary', 'params.irmen.fm_length=20 nm,40 nm', '--vary', 'params.ota.weight_bits=4:8:2', '--metric', 'energy_j', '--out', out, '--workers', '1');
    expect(r.code).toBe(0);
    expect(linesOf(out).map((l) => Object.values(l.point))).toEqual([
      ['20 nm', 4],
      ['20 nm', 6],
      ['20 nm', 8],
      ['40 nm', 4],
      ['40 nm', 6],
      ['40 nm', 8],
    ]);
    const bad = await cli('sweep', path.join(dir, 'tiny.yaml'), '--vary', 'params.irmen.fm_length');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('expected --vary KEY=V1,V2');
  });

  it('a point that fails records its error and the sweep goes on; the CLI then exits 3', async () => {
    // Two weights, one file removed after the sweep was checked (as a file can vanish during an hour-long sweep).
    const dir = tempFiles({
      'sweep.yaml': `scenario: ${SCENARIOS}/irmen-dual-cenn.yaml\naxes:\n  seed: [1, 2]\n  weights: [random, {file: gone.json}]\nrun: {images: 1}\nmetrics: [energy_j]\nout: results.jsonl\n`,
    });
    copyFileSync(path.join(SCENARIOS, 'weights', 'irmen-dual-cenn.json'), path.join(dir, 'gone.json'));
    const sweep = loadSweep(path.join(dir, 'sweep.yaml'));
    unlinkSync(path.join(dir, 'gone.json'));
    const outcome = await runSweep(sweep, { workers: 1 });
    expect(outcome.ran).toBe(4);
    expect(outcome.failed).toBe(2);
    const lines = linesOf(path.join(dir, 'results.jsonl'));
    expect(lines.map((l) => l.error === undefined)).toEqual([true, false, true, false]);
    expect(lines[1]!.error).toMatch(/gone\.json/);
    const io = { out: () => undefined, err: () => undefined, errIsTty: false };
    expect(reportError(new PointsFailedError(2, 4), io)).toBe(3);
    // Failed points stay failed on a rerun, unless asked.
    expect((await runSweep(sweep, { workers: 1 })).ran).toBe(0);
    expect((await runSweep(sweep, { workers: 1, retryFailed: true })).ran).toBe(2);
  });

  it('killed with SIGKILL in the middle and started again: every point exactly once, the same bytes as an uninterrupted run', async () => {
    const sweepText = (out: string): string => `scenario: ${SCENARIOS}/sot-mlp.yaml
axes:
  params.driver.clock_period: [1 ns, 1.2 ns, 1.4 ns, 1.6 ns, 1.8 ns, 2 ns]
run: {images: 800}
metrics: [energy_j, latency_ps]
out: ${out}
`;
    const dir = tempFiles({});
    writeFileSync(path.join(dir, 'killed.yaml'), sweepText('killed.jsonl'));
    writeFileSync(path.join(dir, 'whole.yaml'), sweepText('whole.jsonl'));
    const results = path.join(dir, 'killed.jsonl');
    const child = spawn(process.execPath, ['bin/spinarch.js', 'sweep', path.join(dir, 'killed.yaml'), '--workers', '2'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Wait for the first results, then kill the sweep and its worker threads at once.
    const deadline = Date.now() + 60_000;
    while ((!existsSync(results) || linesOf(results).length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    const survived = linesOf(results).length;
    expect(survived).toBeGreaterThanOrEqual(2);
    expect(survived).toBeLessThan(6);
    expect(existsSync(`${results}.lock`)).toBe(true);

    const resumed = await cli('sweep', path.join(dir, 'killed.yaml'), '--workers', '2');
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContain(`${survived} already in`);
    expect(resumed.err).toContain(`${6 - survived} run`);
    const lines = linesOf(results);
    expect(lines).toHaveLength(6);
    expect(new Set(lines.map((l) => l.key)).size).toBe(6);
    expect(existsSync(`${results}.lock`)).toBe(false);

    expect((await cli('sweep', path.join(dir, 'whole.yaml'), '--workers', '1')).code).toBe(0);
    expect(readFileSync(results, 'utf8')).toBe(readFileSync(path.join(dir, 'whole.jsonl'), 'utf8'));
    expect(statSync(results).size).toBeGreaterThan(0);
    expect(readResults(results).lines).toHaveLength(6);
  }, 120_000);
});
