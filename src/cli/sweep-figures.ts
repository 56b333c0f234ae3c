import { readdirSync } from 'node:fs';
import path from 'node:path';
import { chartData } from '../plot/chart.js';
import { fieldWords } from '../plot/quantity.js';
import { projectRoot } from '../data/project.js';
import { loadSweep, type Sweep } from '../sweep/load.js';
import type { ResultLine } from '../sweep/measure.js';
import { readResults } from '../sweep/results-file.js';

/** The bundled sweep files (`sweeps/*.yaml`), in name order. */
export function bundledSweeps(): string[] {
  const dir = path.join(projectRoot(), 'sweeps');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Three significant digits, as a figure is read. */
const shown = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3))));

/** What a plot shows, in words: each series' points as x: y, in the units of its axes. */
function plotSummary(sweep: Sweep, lines: readonly ResultLine[], plotIndex: number): string {
  const plot = sweep.plots[plotIndex]!;
  const c = chartData(lines, plot);
  const unit = (title: string): string => /\(([^)]*)\)$/.exec(title)?.[1] ?? '';
  // The y title as the plot file gives it (chartData adds what the error bars are).
  const [xu, yu] = [unit(c.xTitle), unit(plot.y_title ?? c.yTitle)];
  const chips = sweep.eval?.chips !== undefined && sweep.eval.chips > 1;
  const value = (v: number): string => `${shown(v)}${yu === '' ? '' : yu === '%' ? ' %' : ` ${yu}`}`;
  // Over several chips the value is their mean, with the range the plot's bars show.
  const point = (x: number | string, y: number, lo: number | undefined, hi: number | undefined): string =>
    `${typeof x === 'number' ? shown(x) : x}${xu === '' || xu === '%' ? '' : ` ${xu}`}: ${value(y)}${chips && lo !== undefined && hi !== undefined ? ` (chips ${shown(lo)}-${shown(hi)})` : ''}`;
  const missing = sweep.points.length - lines.length;
  const series = c.series.map((s) => {
    const pts = c.data.filter((d) => d.series === s).map((d) => point(d.x, d.y, d.lo, d.hi));
    const named = plot.series === undefined || plot.series === 'scenario' ? s : `${fieldWords(plot.series)} ${s}`;
    return s === '' ? pts.join(', ') : `${named}: ${pts.join(', ')}`;
  });
  return `${series.join('; ')}${missing > 0 ? ` (${missing} of ${sweep.points.length} points not run yet)` : ''}`;
}

/**
 * The README's figures section: each bundled sweep's plot, what the paper's figure shows, what
 * spinarch computes (read from the committed results, which `npm run figures` writes), and the
 * command that redraws it.
 */
export function sweepFiguresMarkdown(): string {
  const root = projectRoot();
  const out: string[] = [];
  for (const file of bundledSweeps()) {
    const sweep = loadSweep(file);
    const rel = (f: string): string => path.relative(root, f).split(path.sep).join('/');
    const spec = sweep.spec;
    const keys = new Set(sweep.points.map((p) => p.key));
    const lines = readResults(sweep.out).lines.filter((l) => keys.has(l.key));
    out.push(`#### ${spec.figure ?? 'spinarch'}: ${spec.title ?? path.basename(file)}\n`);
    sweep.plots.forEach((plot, i) => {
      out.push(`![${plot.title ?? spec.title ?? ''}](${rel(plot.out)})\n`);
      out.push(`- **Paper:** ${spec.paper ?? 'not in the paper'}.`);
      out.push(`- **spinarch** (${pointsNote(rel(sweep.out), sweep)}): ${plotSummary(sweep, lines, i)}.`);
    });
    if (spec.note !== undefined) out.push(`- **Why they differ, or agree:** ${spec.note}`);
    out.push(`- \`spinarch sweep ${rel(file)}\` redraws it.\n`);
  }
  return `${out.join('\n')}`;
}

/** How many points the results hold, and over what. */
function pointsNote(results: string, sweep: Sweep): string {
  const what = [sweep.run === undefined ? undefined : `${sweep.run.images} event-level image${sweep.run.images === 1 ? '' : 's'}`, sweep.eval === undefined ? undefined : `accuracy over ${sweep.eval.chips === undefined || sweep.eval.chips === 1 ? '' : `${sweep.eval.chips} chips x `}${sweep.eval.images.toLocaleString('en-US')} MNIST test images`].filter((x) => x !== undefined);
  return `${sweep.points.length} points, ${what.join(' and ')} per point, \`${results}\``;
}
