import { isRecord } from '../scenario/is-record.js';

/**
 * Key paths into a report: `energy_j`, `accuracy.rate`, `counts.adc_conversions`,
 * `per_image[0].predicted`, and `energy_breakdown[action=sram_read].energy_j` (the rows of a
 * list whose field has that value; numbers read through them are summed).
 */
type Segment = { readonly key: string } | { readonly index: number } | { readonly field: string; readonly equals: string };

const SEGMENT = /^(?:\.?([A-Za-z_][\w-]*)|\[(\d+)\]|\[([A-Za-z_][\w-]*)=([^\]]*)\])/;

/** The segments of a metric path, or undefined if it cannot be read. */
export function parseMetricPath(text: string): Segment[] | undefined {
  const out: Segment[] = [];
  let rest = text;
  while (rest !== '') {
    const m = SEGMENT.exec(rest);
    if (m === null || (out.length === 0 && rest.startsWith('.'))) return undefined;
    if (m[1] !== undefined) out.push({ key: m[1] });
    else if (m[2] !== undefined) out.push({ index: Number(m[2]) });
    else out.push({ field: m[3]!, equals: m[4]! });
    rest = rest.slice(m[0].length);
  }
  return out.length === 0 ? undefined : out;
}

export type MetricRead = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly at: string; readonly known: readonly string[] };

/** The value at `text` in `report`, or where the path stops and the keys that were there. */
export function readMetric(report: unknown, text: string): MetricRead {
  const segments = parseMetricPath(text);
  if (segments === undefined) return { found: false, at: text, known: [] };
  return walk(report, segments, 0, '');
}

function walk(node: unknown, segments: readonly Segment[], i: number, shown: string): MetricRead {
  if (i === segments.length) return { found: true, value: node };
  const seg = segments[i]!;
  if ('key' in seg) {
    const here = shown === '' ? seg.key : `${shown}.${seg.key}`;
    if (!isRecord(node) || !Object.hasOwn(node, seg.key)) return { found: false, at: here, known: isRecord(node) ? Object.keys(node) : [] };
    return walk(node[seg.key], segments, i + 1, here);
  }
  if ('index' in seg) {
    const here = `${shown}[${seg.index}]`;
    if (!Array.isArray(node) || seg.index >= node.length) return { found: false, at: here, known: Array.isArray(node) ? [`[0] to [${node.length - 1}]`] : [] };
    return walk(node[seg.index], segments, i + 1, here);
  }
  const here = `${shown}[${seg.field}=${seg.equals}]`;
  if (!Array.isArray(node)) return { found: false, at: here, known: [] };
  const rows = node.filter((row) => isRecord(row) && String(row[seg.field]) === seg.equals);
  if (rows.length === 0) {
    const values = [...new Set(node.filter(isRecord).map((row) => String(row[seg.field])))];
    return { found: false, at: here, known: values.map((v) => `[${seg.field}=${v}]`) };
  }
  const reads = rows.map((row) => walk(row, segments, i + 1, here));
  const missing = reads.find((r) => !r.found);
  if (missing !== undefined) return missing;
  const values = reads.map((r) => (r as { value: unknown }).value);
  // Several rows (one action on several components): numbers add up, anything else is listed.
  return { found: true, value: values.length === 1 ? values[0] : values.every((v) => typeof v === 'number') ? values.reduce((a, b) => a + b, 0) : values };
}

/** The key of a metric's 95 % interval, if it has one: `accuracy.rate` -> `accuracy.ci95`. */
export const intervalOf = (metric: string): string | undefined => (/(^|\.)accuracy\.rate$/.test(metric) ? metric.replace(/rate$/, 'ci95') : undefined);

/** What a point evaluated on several chips keeps of their spread (the eval report's `chips`): each chip's accuracy, their mean, sd and range. */
export const CHIP_METRICS = ['chips.accuracy', 'chips.mean', 'chips.sd', 'chips.min', 'chips.max'] as const;

/**
 * The keys of a metric's chip-to-chip spread, if it has one: `accuracy.rate` (pooled over the
 * chips) and `chips.mean` -> `chips.min`, `chips.max`, `chips.sd` and `chips.accuracy`.
 */
export function chipSpreadOf(metric: string): { readonly min: string; readonly max: string; readonly sd: string; readonly accuracy: string } | undefined {
  const m = /^(.*?)(?:accuracy\.rate|chips\.mean)$/.exec(metric);
  if (m === null || (m[1] !== '' && !m[1]!.endsWith('.'))) return undefined;
  const at = `${m[1]}chips.`;
  return { min: `${at}min`, max: `${at}max`, sd: `${at}sd`, accuracy: `${at}accuracy` };
}

/**
 * The metrics a sweep keeps: those it names, and the interval of each that has one; with an
 * eval on several chips (`chips`), their spread as well.
 */
export function keptMetrics(metrics: readonly string[], chips = false): string[] {
  const intervals = metrics.map(intervalOf).filter((m): m is string => m !== undefined && !metrics.includes(m));
  const spread = chips ? CHIP_METRICS.filter((m) => !metrics.includes(m)) : [];
  return [...metrics, ...intervals, ...spread];
}
