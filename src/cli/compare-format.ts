import type { Comparison, Metric } from '../arch/compare.js';
import { formatSI } from '../scenario/units.js';
import { count, formatArea, render } from './format.js';

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
/** A chip-to-chip sd in percentage points. */
const points = (x: number): string => (100 * x).toFixed(2);

/** What the accuracy row is over, in a sentence: "accuracy over 1,000 images (...)", or that there is none. */
export function accuracyLine(c: Comparison): string {
  if (!c.accuracy.evaluated) return `accuracy: ${c.accuracy.note}`;
  const counts = [...new Set(c.accuracy.images.map((n) => (n === null ? 'no' : count(n))))];
  return `accuracy over ${counts.join(' / ')} image${counts.length === 1 && counts[0] === '1' ? '' : 's'} (${c.accuracy.over})`;
}

export function formatValue(v: number, unit: Metric['unit']): string {
  if (Number.isNaN(v)) return '-';
  if (unit === 'ratio') return pct(v);
  if (unit === 'count') return count(Math.round(v * 100) / 100);
  if (unit === 'b') return v === 0 ? '0 b' : formatSI(v, 'b');
  if (unit === 'm²') return formatArea(v);
  return v === 0 ? `0 ${unit}` : formatSI(v, unit);
}

/** A ratio to the baseline as people say it: "x2.3" (more), "/114" (less), "=" (same). */
export function formatRatio(r: number | null): string {
  if (r === null) return '';
  if (r === 0) return 'x0';
  if (Math.abs(r - 1) < 5e-4) return '=';
  const digits = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  return r > 1 ? `x${digits(r)}` : `/${digits(1 / r)}`;
}

/**
 * The comparison as terminal tables no wider than `width`: scenarios are columns (split
 * over several tables when they do not fit), each cell the value over its ratio to the baseline.
 */
export function formatComparison(c: Comparison, width = 100): string {
  const label = Math.max(...c.metrics.map((m) => m.metric.length));
  // Wide enough for whole scenario names (and the baseline's '*'), up to a point.
  const cell = Math.min(16, Math.max(9, ...c.scenarios.map((s) => s.name.length + 1)));
  // Each column costs its width plus 3 for the border and padding.
  const perTable = Math.max(1, Math.floor((width - label - 4) / (cell + 3)));
  const chips = c.accuracy.evaluated ? c.accuracy.chips : undefined;
  const overChips = chips === undefined ? '' : `;\naccuracy over chips: the mean of the ${chips} chips ± their sd (points), under it their min-max`;
  const out: string[] = [`Per image. Under each value, its ratio to the baseline, ${c.baseline}* (x more, / less).\n${accuracyLine(c)}${c.accuracy.evaluated ? ';\nunder it, its 95 % interval' : ''}${overChips}.\n`];
  for (let from = 0; from < c.scenarios.length; from += perTable) {
    const cols = c.scenarios.slice(from, from + perTable);
    const header = ['', ...cols.map((s) => (s.name === c.baseline ? `${s.name}*` : s.name))];
    const under = (m: Metric, i: number): string => {
      // An estimate shows its 95 % interval under it; a spread over chips, its range; any other figure, its ratio to the baseline.
      if (m.spread !== undefined) {
        const s = m.spread[i];
        return s === null || s === undefined ? '' : `${(100 * s.min).toFixed(1)}-${pct(s.max)}`;
      }
      const ci = m.intervals?.[i];
      if (m.intervals !== undefined) return ci === null || ci === undefined ? '' : `${(100 * ci[0]).toFixed(1)}-${pct(ci[1])}`;
      return m.values[i] === 0 && m.ratios[i] === 0 ? '' : formatRatio(m.ratios[i]!);
    };
    const value = (m: Metric, i: number): string => {
      const s = m.spread?.[i];
      return `${formatValue(m.values[i]!, m.unit)}${s === null || s === undefined ? '' : ` ±${points(s.sd)}`}`;
    };
    const rows = c.metrics.map((m) => [m.metric, ...cols.map((_, i) => `${value(m, from + i)}\n${under(m, from + i)}`)]);
    out.push(render([header, ...rows], cols.map((_, i) => i + 1), { 0: label, rest: cell }));
  }
  return out.join('');
}

export function comparisonCsv(c: Comparison): string {
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['metric', 'unit', ...c.scenarios.map((s) => s.name)].map(quote).join(',')];
  const cell = (v: number): string => (Number.isNaN(v) ? '' : String(v));
  for (const m of c.metrics) {
    lines.push([m.metric, m.unit, ...m.values.map(cell)].map(quote).join(','));
    if (m.spread !== undefined) {
      for (const f of ['sd', 'min', 'max'] as const) lines.push([`${m.metric} ${f}`, m.unit, ...m.spread.map((s) => (s === null ? '' : String(s[f])))].map(quote).join(','));
    }
    if (m.intervals !== undefined) {
      lines.push([`${m.metric} 95 % CI low`, m.unit, ...m.intervals.map((ci) => (ci === null ? '' : String(ci[0])))].map(quote).join(','));
      lines.push([`${m.metric} 95 % CI high`, m.unit, ...m.intervals.map((ci) => (ci === null ? '' : String(ci[1])))].map(quote).join(','));
    }
  }
  if (c.accuracy.evaluated) lines.push(['accuracy images', 'count', ...c.accuracy.images.map((n) => (n === null ? '' : String(n)))].map(quote).join(','));
  for (const m of c.metrics) lines.push([`${m.metric} / ${c.baseline}`, 'ratio', ...m.ratios.map((r) => (r === null ? '' : String(r)))].map(quote).join(','));
  return `${lines.join('\n')}\n`;
}

export function comparisonMarkdown(c: Comparison): string {
  const head = `| per image | ${c.scenarios.map((s) => (s.name === c.baseline ? `${s.name} (baseline)` : s.name)).join(' | ')} |`;
  const sep = `| --- | ${c.scenarios.map(() => '---').join(' | ')} |`;
  const note = (m: Metric, i: number): string => {
    if (m.spread !== undefined) {
      const s = m.spread[i];
      return s === null || s === undefined ? '' : ` ± ${points(s.sd)} (${(100 * s.min).toFixed(1)}-${pct(s.max)} over ${s.count} chips)`;
    }
    const ci = m.intervals?.[i];
    if (m.intervals !== undefined) return ci === null || ci === undefined ? '' : ` (95 % CI ${(100 * ci[0]).toFixed(1)}-${pct(ci[1])})`;
    return m.ratios[i] === null || c.scenarios[i]!.name === c.baseline ? '' : ` (${formatRatio(m.ratios[i]!)})`;
  };
  const rows = c.metrics.map((m) => `| ${m.metric} | ${m.values.map((v, i) => `${formatValue(v, m.unit)}${note(m, i)}`).join(' | ')} |`);
  return `${[head, sep, ...rows].join('\n')}\n\n${accuracyLine(c).replace(/^a/, 'A')}.\n`;
}
