import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCURACY_CASES, loadCase, readAccuracyFile } from '../src/cli/accuracy-figures.js';
import { bundledSweeps } from '../src/cli/sweep-figures.js';
import { scenarioFromRaw } from '../src/arch/scenario.js';
import { plotSvg } from '../src/plot/draw.js';
import { loadSweep } from '../src/sweep/load.js';
import { measurePoint } from '../src/sweep/measure.js';
import { canonicalJson } from '../src/sweep/point-key.js';
import { readResults, resultText } from '../src/sweep/results-file.js';
import { pointTask } from '../src/sweep/run-sweep.js';

/**
 * The bundled sweeps' results and plots are committed (npm run figures writes them); these
 * tests check they are what the code computes today, so the README's figures cannot go stale.
 */
describe('the bundled sweeps (sweeps/, docs/figures/)', () => {
  const sweeps = bundledSweeps().map((f) => loadSweep(f));
  const resultsOf = (s: (typeof sweeps)[number]) => {
    const byKey = new Map(readResults(s.out).lines.map((l) => [l.key, l]));
    return s.points.map((p) => byKey.get(p.key));
  };

  it('has a result for every point, none failed, and each results file holds only its sweeps\' points, in order', () => {
    expect(sweeps.length).toBeGreaterThanOrEqual(12);
    for (const s of sweeps) {
      const lines = resultsOf(s);
      expect(lines.every((l) => l !== undefined && l.error === undefined), s.source).toBe(true);
      const file = readResults(s.out);
      expect(file.partialTail || file.damaged.length > 0 || file.repeated.length > 0).toBe(false);
      expect(readFileSync(s.out, 'utf8')).toBe(lines.map((l) => resultText(l!)).join(''));
    }
  });

  it('its plots are what spinarch plot draws from those results, byte for byte', async () => {
    for (const s of sweeps) {
      const lines = resultsOf(s).filter((l) => l !== undefined);
      for (const plot of s.plots) expect((await plotSvg(lines, plot)).svg, plot.out).toBe(readFileSync(plot.out, 'utf8'));
    }
  });

  it('its cost figures are what an event-level run gives today', async () => {
    for (const s of sweeps) {
      if (s.run === undefined) continue;
      const lines = resultsOf(s);
      for (const [i, p] of s.points.entries()) {
        // The run alone; the figures that come from eval are checked below.
        const metrics = s.spec.metrics.filter((m) => !m.startsWith('accuracy') && m !== 'transfer_error_mean');
        const { eval: _skipped, ...task } = pointTask(s, p);
        const again = await measurePoint({ ...task, metrics });
        for (const m of metrics) expect(again.line.metrics?.[m], `${s.source} ${JSON.stringify(p.values)} ${m}`).toEqual(lines[i]!.metrics![m]);
      }
    }
  }, 120_000);

  it("the accuracies its notes quote by case (`case` NN.N %) are docs/accuracy.json's", () => {
    const file = readAccuracyFile()!;
    let quoted = 0;
    for (const s of sweeps) {
      for (const [, id, value] of (s.spec.note ?? '').matchAll(/`([a-z0-9][\w/.-]*)` (\d+(?:\.\d+)?) %/g)) {
        const result = file.results.find((r) => r.id === id);
        expect(result, `${s.source}: case ${id}`).toBeDefined();
        expect((100 * result!.accuracy.rate).toFixed(value!.split('.')[1]?.length ?? 0), `${s.source}: ${id}`).toBe(value);
        quoted++;
      }
    }
    expect(quoted).toBeGreaterThanOrEqual(3);
  });

  it('its accuracies over the 10,000 test images are those of docs/accuracy.json where both evaluate the same configuration (whose stored classes readme.test.ts re-evaluates)', () => {
    const file = readAccuracyFile()!;
    const cases = ACCURACY_CASES.filter((c) => c.plain !== true).map((c) => ({ id: c.id, value: canonicalJson(loadCase(c).value), result: file.results.find((r) => r.id === c.id)! }));
    let matched = 0;
    for (const s of sweeps) {
      if (s.eval === undefined || s.eval.images !== 10_000 || s.eval.from !== 0 || s.eval.plain) continue;
      const lines = resultsOf(s);
      for (const [i, p] of s.points.entries()) {
        const value = canonicalJson(scenarioFromRaw(p.raw).value);
        const same = cases.find((c) => c.value === value);
        if (same === undefined) continue;
        matched++;
        const m = lines[i]!.metrics!;
        if (s.eval.chips === undefined) {
          expect(m['accuracy.rate'], `${s.source} ${JSON.stringify(p.values)} = ${same.id}`).toBe(same.result.accuracy.rate);
          expect(m['accuracy.ci95']).toEqual(same.result.accuracy.ci95);
        } else {
          // Over chips: the first is the scenario's own (chip 0), which the case evaluates.
          expect((m['chips.accuracy'] as number[])[0], `${s.source} ${JSON.stringify(p.values)} chip 0 = ${same.id}`).toBe(same.result.accuracy.rate);
          expect((m['chips.accuracy'] as number[]).length).toBe(s.eval.chips);
        }
      }
    }
    // Fig. 7 and 8 of seed 000, 6a, 6b, 7 and 8 of seed 003, 6c of seed 002.
    expect(matched).toBeGreaterThanOrEqual(30);
  });
});
