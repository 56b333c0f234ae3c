import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { ResultLine } from '../sweep/measure.js';
import { describe } from '../sweep/load.js';
import { chipSpreadOf, intervalOf } from '../sweep/metric-path.js';
import type { PlotSpec } from '../sweep/spec.js';
import { axisQuantity, fieldWords } from './quantity.js';

/** A plot as data: what `spinarch plot` and a sweep's `plots:` draw. */
export type ChartSpec = Pick<PlotSpec, 'x' | 'y' | 'mark' | 'log_x' | 'log_y'> & Partial<Pick<PlotSpec, 'title' | 'series' | 'labels' | 'x_title' | 'y_title' | 'where'>>;

/** One drawn point. */
export interface Datum {
  x: number | string;
  y: number;
  series: string;
  lo?: number;
  hi?: number;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A value read from a line: an axis value or a metric. */
const valueOf = (line: ResultLine, key: string): unknown => (Object.hasOwn(line.point, key) ? line.point[key] : line.metrics?.[key]);

/** A series' name in the legend: a scenario file by its name, anything else as written. */
const seriesLabel = (key: string, v: unknown): string => (key === 'scenario' && typeof v === 'string' ? path.basename(v).replace(/\.ya?ml$/i, '') : describe(v));

/** A plot's points in the units of its axes, with its axis titles. */
export interface ChartData {
  readonly data: readonly Datum[];
  readonly xTitle: string;
  readonly yTitle: string;
  readonly numericX: boolean;
  readonly series: readonly string[];
  /** Points left out: failed, filtered out by `where`, or without the fields. */
  readonly skipped: number;
}

/**
 * What a plot of results draws: each point scaled to its axis' unit, its series, and the
 * interval of a rate where the results hold it: the range over the chips for a point
 * evaluated on several (eval.chips), else the pooled 95 % interval.
 */
export function chartData(lines: readonly ResultLine[], plot: ChartSpec): ChartData {
  const ys = Array.isArray(plot.y) ? plot.y : [plot.y];
  const usable = lines.filter((l) => l.error === undefined && Object.entries(plot.where ?? {}).every(([k, v]) => same(l.point[k], v)));
  const x = axisQuantity(plot.x, usable.map((l) => valueOf(l, plot.x)), plot.x_title);
  const yValues = ys.flatMap((y) => usable.map((l) => valueOf(l, y)));
  const y = axisQuantity(ys[0]!, yValues);
  const yTitle = plot.y_title ?? (ys.length > 1 ? y.title.replace(fieldWords(ys[0]!), ys.map(fieldWords).join(', ')) : y.title);
  const numericX = usable.every((l) => x.read(valueOf(l, plot.x)) !== undefined);
  const data: Datum[] = [];
  // Chip counts of the points drawn with chip-to-chip bars (for the axis title).
  const chipCounts = new Set<number>();
  let skipped = lines.length - usable.length;
  for (const l of usable) {
    for (const key of ys) {
      const xv = valueOf(l, plot.x);
      const yv = y.read(valueOf(l, key));
      if (xv === undefined || yv === undefined) {
        skipped++;
        continue;
      }
      const d: Datum = { x: numericX ? x.read(xv)! * x.scale : seriesLabel(plot.x, xv), y: yv * y.scale, series: ys.length > 1 ? (plot.labels?.[ys.indexOf(key)] ?? fieldWords(key)) : plot.series === undefined ? '' : seriesLabel(plot.series, valueOf(l, plot.series)) };
      const ci = intervalOf(key);
      const interval = ci === undefined ? undefined : l.metrics?.[ci];
      // Evaluated on several chips: the bars are the range over the chips, not the pooled interval.
      const chips = chipSpreadOf(key);
      const [min, max] = chips === undefined ? [] : [l.metrics?.[chips.min], l.metrics?.[chips.max]];
      if (chips !== undefined && typeof min === 'number' && typeof max === 'number') {
        d.lo = min * y.scale;
        d.hi = max * y.scale;
        const perChip = l.metrics?.[chips.accuracy];
        if (Array.isArray(perChip)) chipCounts.add(perChip.length);
        else chipCounts.add(0);
      } else if (Array.isArray(interval) && typeof interval[0] === 'number' && typeof interval[1] === 'number') {
        d.lo = interval[0] * y.scale;
        d.hi = interval[1] * y.scale;
      }
      data.push(d);
    }
  }
  const counts = [...chipCounts].filter((n) => n > 0).sort((a, b) => a - b);
  const bars = chipCounts.size === 0 ? yTitle : `${yTitle}; error bars: min–max over ${counts.length === 0 || chipCounts.has(0) ? 'the' : counts.join(' / ')} chips`;
  return { data, xTitle: x.title, yTitle: bars, numericX, series: [...new Set(data.map((d) => d.series))], skipped };
}

/**
 * The vega-lite specification of a plot of results: one line (or set of points) per series,
 * error bars where a rate has its 95 % interval, units in the axis titles, log axes on request.
 */
export function chartSpec(lines: readonly ResultLine[], plot: ChartSpec): { spec: TopLevelSpec; drawn: number; skipped: number; series: readonly string[] } {
  const ys = Array.isArray(plot.y) ? plot.y : [plot.y];
  const { data, xTitle, yTitle, numericX, series, skipped } = chartData(lines, plot);
  const colored = ys.length > 1 || plot.series !== undefined;
  const color = colored ? { color: { field: 'series', type: 'nominal' as const, sort: series, title: ys.length > 1 ? '' : fieldWords(plot.series!) } } : {};
  const xEnc = { field: 'x', type: numericX ? ('quantitative' as const) : ('ordinal' as const), title: xTitle, ...(numericX ? { scale: plot.log_x ? { type: 'log' as const, nice: false, padding: 14 } : { type: 'linear' as const, zero: false } } : { sort: null }) };
  const yEnc = { field: 'y', type: 'quantitative' as const, title: yTitle, scale: plot.log_y ? { type: 'log' as const, nice: false, padding: 14 } : { type: 'linear' as const, zero: false } };
  const main = plot.mark === 'line' ? { type: 'line' as const, point: true } : { type: 'point' as const, filled: true, size: 70 };
  const withBars = data.some((d) => d.lo !== undefined);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(plot.title === undefined ? {} : { title: plot.title }),
    width: 440,
    height: 280,
    data: { values: data },
    config: { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 } },
    layer: [
      { mark: main, encoding: { x: xEnc, y: yEnc, ...color, ...(plot.mark === 'point' && colored ? { shape: { field: 'series', type: 'nominal', sort: series, title: color.color?.title ?? '' } } : {}) } },
      ...(withBars ? [{ mark: { type: 'errorbar', ticks: true }, encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative', title: yTitle, scale: yEnc.scale }, y2: { field: 'hi' }, ...color } }] : []),
    ],
  } as TopLevelSpec;
  return { spec, drawn: data.length, skipped, series };
}
