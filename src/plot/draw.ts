import type { ResultLine } from '../sweep/measure.js';
import { chartSpec, type ChartSpec } from './chart.js';
import { renderSvg } from './svg.js';

export interface DrawnPlot {
  readonly svg: string;
  /** Points drawn, and those left out (failed, or without the fields). */
  readonly drawn: number;
  readonly skipped: number;
  readonly series: readonly string[];
}

/** A plot of results as SVG text. */
export async function plotSvg(lines: readonly ResultLine[], plot: ChartSpec): Promise<DrawnPlot> {
  const { spec, drawn, skipped, series } = chartSpec(lines, plot);
  return { svg: await renderSvg(spec), drawn, skipped, series };
}
