import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledSweeps } from '../src/cli/sweep-figures.js';
import { loadSweep } from '../src/sweep/load.js';
import type { ResultLine } from '../src/sweep/measure.js';
import { plotSvg } from '../src/plot/draw.js';
import { readResults } from '../src/sweep/results-file.js';
import { cli, tempFiles } from './helpers.js';

const SOT = path.resolve('scenarios/sot-mlp.yaml');
const IMAGES = 100;

/** A sweep of the SOT MLP over the first chip, each point evaluated on two chips. */
const sweepText = (chips: string): string => `scenario: ${SOT}
axes:
  chip: [0, 1]
eval: {images: ${IMAGES}${chips}}
metrics: [accuracy.rate]
out: results.jsonl
plots:
  - {out: accuracy.svg, x: chip, y: accuracy.rate}
`;

interface ChipsReport {
  readonly accuracy: { readonly rate: number; readonly ci95: readonly [number, number] };
  readonly chips: { readonly accuracy: readonly number[]; readonly mean: number; readonly sd: number; readonly min: number; readonly max: number };
}

describe('chips in sweeps, plots, results and compare', () => {
  it('a sweep with eval.chips reports at each point what eval --chips reports, the same bytes for any number of workers', async () => {
    const dir = tempFiles({ 'sweep.yaml': sweepText(', chips: 2'), 'again.yaml': sweepText(', chips: 2').replace('results.jsonl', 'again.jsonl').replace('accuracy.svg', 'again.svg') });
    const one = await cli('sweep', path.join(dir, 'sweep.yaml'), '--workers', '1');
    expect(one.code, one.err).toBe(0);
    const two = await cli('sweep', path.join(dir, 'again.yaml'), '--workers', '2');
    expect(two.code, two.err).toBe(0);
    const text = readFileSync(path.join(dir, 'results.jsonl'), 'utf8');
    expect(readFileSync(path.join(dir, 'again.jsonl'), 'utf8')).toBe(text);
    const lines = readResults(path.join(dir, 'results.jsonl')).lines;
    expect(lines).toHaveLength(2);

    for (const [i, chip] of [0, 1].entries()) {
      const e = await cli('eval', SOT, '--images', String(IMAGES), '--chips', '2', '--json', '--workers', '1', '--set', `chip=${chip}`);
      expect(e.code, e.err).toBe(0);
      const r = JSON.parse(e.out) as ChipsReport;
      const m = lines[i]!.metrics!;
      expect(m['chips.accuracy']).toEqual(r.chips.accuracy);
      expect(m['chips.mean']).toBe(r.chips.mean);
      expect(m['chips.sd']).toBe(r.chips.sd);
      expect(m['chips.min']).toBe(r.chips.min);
      expect(m['chips.max']).toBe(r.chips.max);
      expect(m['accuracy.rate']).toBe(r.accuracy.rate);
      expect(m['accuracy.ci95']).toEqual(r.accuracy.ci95);
    }
    // The SOT crossbars differ from die to die: two chips, two accuracies (so the spread is real).
    const [a, b] = lines.map((l) => l.metrics!['chips.accuracy'] as number[]);
    expect(a![0]).not.toBe(a![1]);
    // Point chip=0 is chips 0 and 1, point chip=1 chips 1 and 2: they share chip 1.
    expect(b![0]).toBe(a![1]);
    expect(lines[0]!.metrics!['chips.sd']).toBeGreaterThan(0);

    // Its plot draws min-max bars over the chips and says so; the pooled interval is not drawn.
    const svg = readFileSync(path.join(dir, 'accuracy.svg'), 'utf8');
    expect(svg).toContain('error bars: min–max over 2 chips');
    const m0 = lines[0]!.metrics!;
    // Vega's labels give values in percent to a few digits.
    const pc = (x: unknown): string => String(Number((Number(x) * 100).toPrecision(12)));
    expect(svg).toContain(`hi: ${pc(m0['chips.max'])}; lo: ${pc(m0['chips.min'])}`);
    expect((svg.match(/aria-roledescription="errorbar"/g) ?? []).length).toBe(2);

    // The same results without the chip spread are drawn as before: the pooled 95 % interval, no word of chips.
    const noChips: ResultLine[] = lines.map((l) => ({ ...l, metrics: { 'accuracy.rate': l.metrics!['accuracy.rate'], 'accuracy.ci95': l.metrics!['accuracy.ci95'] } }));
    const plain = (await plotSvg(noChips, { x: 'chip', y: 'accuracy.rate', mark: 'line', log_x: false, log_y: false })).svg;
    expect(plain).not.toContain('chips');
    const ci = m0['accuracy.ci95'] as number[];
    expect(plain).toContain(`hi: ${pc(ci[1])}; lo: ${pc(ci[0])}`);
    expect(plain).not.toContain(`lo: ${pc(m0['chips.min'])}`);

    // Results tables: a column per chip in CSV, the list in the text table.
    const csv = await cli('results', path.join(dir, 'results.jsonl'), '--csv');
    const [header, row] = csv.out.split('\n');
    expect(header).toBe('chip,accuracy.rate,accuracy.ci95[0],accuracy.ci95[1],chips.accuracy[0],chips.accuracy[1],chips.mean,chips.sd,chips.min,chips.max');
    expect(row!.split(',').slice(4, 6).map(Number)).toEqual(a);
    const md = await cli('results', path.join(dir, 'results.jsonl'), '--markdown');
    expect(md.out).toContain(`| ${a!.map((x) => x.toPrecision(4)).join(' ')} |`);
  }, 120_000);

  it('the point key has the chips in it, and a sweep without chips keeps its keys (the committed results are found)', () => {
    const dir = tempFiles({ 'none.yaml': sweepText(''), 'one.yaml': sweepText(', chips: 1'), 'two.yaml': sweepText(', chips: 2') });
    const keys = (f: string, o = {}): string[] => loadSweep(path.join(dir, f), o).points.map((p) => p.key);
    const [none, one, two] = [keys('none.yaml'), keys('one.yaml'), keys('two.yaml')];
    expect(new Set([...none, ...one, ...two]).size).toBe(6);
    // --eval-chips is the sweep file's chips.
    expect(keys('none.yaml', { evalChips: 2 })).toEqual(two);
    // Bundled sweeps (no chips) still find every point in their committed results by key.
    const fig6c = bundledSweeps().find((f) => f.includes('mtj-fig6c'))!;
    const s = loadSweep(fig6c);
    expect(s.eval?.chips).toBeUndefined();
    const committed = new Set(readResults(s.out).lines.map((l) => l.key));
    expect(s.points.every((p) => committed.has(p.key))).toBe(true);
    expect(loadSweep(fig6c, { evalChips: 5 }).points.some((p) => committed.has(p.key))).toBe(false);
  }, 60_000);

  it('--eval-chips: the short form adds an eval on chips; a sweep without eval, or a plain one, refuses it', async () => {
    const dir = tempFiles({ 'cost.yaml': `scenario: ${SOT}\naxes:\n  chip: [0, 1]\nrun: {images: 1}\nmetrics: [energy_j]\n`, 'plain.yaml': sweepText(', chips: 2, plain: true') });
    const short = await cli('sweep', SOT, '--vary', 'chip=0,2', '--eval-images', '50', '--eval-chips', '3', '--out', path.join(dir, 'short.jsonl'), '--json', '--workers', '1');
    expect(short.code, short.err).toBe(0);
    const lines = JSON.parse(short.out) as ResultLine[];
    expect((lines[0]!.metrics!['chips.accuracy'] as number[]).length).toBe(3);
    // chips 0-2 and 2-4 share chip 2.
    expect((lines[1]!.metrics!['chips.accuracy'] as number[])[0]).toBe((lines[0]!.metrics!['chips.accuracy'] as number[])[2]);
    const noEval = await cli('sweep', path.join(dir, 'cost.yaml'), '--eval-chips', '2', '--out', path.join(dir, 'x.jsonl'));
    expect(noEval.code).toBe(2);
    expect(noEval.err).toMatch(/--eval-chips 2 .* no eval step/);
    const plain = await cli('sweep', path.join(dir, 'plain.yaml'), '--out', path.join(dir, 'y.jsonl'));
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(/plain network .* no chips/);
  }, 120_000);

  it('shards run with --eval-chips merge as they were run', async () => {
    const dir = tempFiles({ 'sweep.yaml': sweepText('') });
    const file = path.join(dir, 'sweep.yaml');
    for (const i of [1, 2]) expect((await cli('sweep', file, '--shard', `${i}/2`, '--eval-chips', '2', '--workers', '1')).code).toBe(0);
    const merged = await cli('merge', path.join(dir, 'results.part-1-of-2.jsonl'), path.join(dir, 'results.part-2-of-2.jsonl'), '--sweep', file, '--csv');
    expect(merged.code, merged.err).toBe(0);
    expect(merged.err).toMatch(/run with --eval-chips 2 \(the sweep file asks none\)/);
    expect(merged.out.split('\n')[0]).toContain('chips.accuracy[1]');
  }, 120_000);

  it('compare --chips shows each scenario\'s mean ± sd and min-max over the chips, those of eval --chips', async () => {
    const e = JSON.parse((await cli('eval', SOT, '--images', String(IMAGES), '--chips', '2', '--json', '--workers', '1')).out) as ChipsReport;
    const json = await cli('compare', SOT, 'scenarios/mtj-mlp.yaml', '--accuracy-images', String(IMAGES), '--chips', '2', '--json', '--workers', '1');
    expect(json.code, json.err).toBe(0);
    const c = JSON.parse(json.out) as { accuracy: { chips: number; images: number[] }; metrics: { metric: string; values: number[]; intervals?: number[][]; spread?: ChipsReport['chips'][] }[] };
    expect(c.accuracy.chips).toBe(2);
    expect(c.accuracy.images).toEqual([2 * IMAGES, 2 * IMAGES]);
    const pooled = c.metrics.find((m) => m.metric === 'accuracy')!;
    expect(pooled.values[0]).toBe(e.accuracy.rate);
    expect(pooled.intervals![0]).toEqual(e.accuracy.ci95);
    const row = c.metrics.find((m) => m.metric === 'accuracy over chips')!;
    expect(row.spread![0]!.accuracy).toEqual(e.chips.accuracy);
    expect(row.spread![0]!.sd).toBe(e.chips.sd);
    expect(row.values[0]).toBe(e.chips.mean);
    const table = await cli('compare', SOT, '--accuracy-images', String(IMAGES), '--chips', '2', '--workers', '1');
    expect(table.out).toContain(`±${(100 * e.chips.sd).toFixed(2)}`);
    expect(table.out).toContain(`${(100 * e.chips.min).toFixed(1)}-${(100 * e.chips.max).toFixed(1)}`);
    const md = await cli('compare', SOT, '--accuracy-images', String(IMAGES), '--chips', '2', '--workers', '1', '--markdown');
    expect(md.out).toContain(`± ${(100 * e.chips.sd).toFixed(2)} (${(100 * e.chips.min).toFixed(1)}-${(100 * e.chips.max).toFixed(1)} % over 2 chips)`);
    const bad = await cli('compare', SOT, '--chips', '2');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--accuracy-images/);
  }, 120_000);
});
