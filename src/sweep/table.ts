import type { ResultLine } from './measure.js';
import { isRecord } from '../scenario/is-record.js';

/** The columns of a results table: the axes, then the metrics, then the error if any point failed. */
export interface ResultsTable {
  readonly axes: readonly string[];
  readonly metrics: readonly string[];
  readonly hasErrors: boolean;
  readonly lines: readonly ResultLine[];
}

export function resultsTable(lines: readonly ResultLine[]): ResultsTable {
  const axes = new Set<string>();
  const metrics = new Set<string>();
  for (const l of lines) {
    for (const k of Object.keys(l.point)) axes.add(k);
    for (const k of Object.keys(l.metrics ?? {})) metrics.add(k);
  }
  return { axes: [...axes], metrics: [...metrics], hasErrors: lines.some((l) => l.error !== undefined), lines };
}

/** A metric that is one value per chip (`chips.accuracy`): a list, not an interval, even of two. */
const perChip = (key: string): boolean => /(^|\.)chips\.accuracy$/.test(key);

/** A value for reading: 4 significant digits, intervals as lo-hi, mappings as JSON; a per-chip list (`key` chips.accuracy) as values with spaces. */
export function shownValue(v: unknown, key = ''): string {
  if (v === undefined || v === null) return '';
  if (perChip(key) && Array.isArray(v)) return v.map((x) => shownValue(x)).join(' ');
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : v.toPrecision(4);
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return `${shownValue(v[0])}-${shownValue(v[1])}`;
  if (isRecord(v) || Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}

/** Header and rows for reading (text or Markdown). */
export function shownRows(t: ResultsTable): string[][] {
  const header = [...t.axes, ...t.metrics, ...(t.hasErrors ? ['error'] : [])];
  const rows = t.lines.map((l) => [...t.axes.map((a) => shownValue(l.point[a])), ...t.metrics.map((m) => shownValue(l.metrics?.[m], m)), ...(t.hasErrors ? [l.error ?? ''] : [])]);
  return [header, ...rows];
}

const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * CSV with every digit kept; a pair (an interval) is two columns, `name[0]` and `name[1]`,
 * and a per-chip list one column per chip, `chips.accuracy[0]` to the most chips of any point.
 */
export function resultsCsv(t: ResultsTable): string {
  const lengthOf = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
  const width = (m: string): number => (perChip(m) ? Math.max(0, ...t.lines.map((l) => lengthOf(l.metrics?.[m]))) : 2);
  const pairs = new Map(t.metrics.filter((m) => t.lines.some((l) => Array.isArray(l.metrics?.[m]))).map((m) => [m, width(m)]));
  const header = [...t.axes, ...t.metrics.flatMap((m) => Array.from({ length: pairs.get(m) ?? 1 }, (_, k) => (pairs.has(m) ? `${m}[${k}]` : m))), ...(t.hasErrors ? ['error'] : [])];
  const raw = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const rows = t.lines.map((l) => [
    ...t.axes.map((a) => raw(l.point[a])),
    ...t.metrics.flatMap((m) => {
      const v = l.metrics?.[m];
      const n = pairs.get(m);
      return n === undefined ? [raw(v)] : Array.from({ length: n }, (_, k) => raw(Array.isArray(v) ? v[k] : undefined));
    }),
    ...(t.hasErrors ? [l.error ?? ''] : []),
  ]);
  return `${[header, ...rows].map((r) => r.map(quote).join(',')).join('\n')}\n`;
}

/** A Markdown table. */
export function resultsMarkdown(t: ResultsTable): string {
  const [header, ...rows] = shownRows(t);
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  return `${[`| ${header!.map(cell).join(' | ')} |`, `| ${header!.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n')}\n`;
}
