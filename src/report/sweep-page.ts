import { displayPath } from '../scenario/load.js';
import { plotSvg } from '../plot/draw.js';
import { readResults } from '../sweep/results-file.js';
import { resultsTable, shownRows } from '../sweep/table.js';
import { STYLE, embeddedJson, escapeHtml, table } from './html.js';
import { sha256Of } from './provenance.js';
import { spinarchVersion } from '../data/project.js';

/** Plots drawn at most: one per metric. */
const MAX_PLOTS = 12;

/** Whether a metric can be drawn: a number (or an accuracy's rate) at some point. */
const drawable = (v: unknown): boolean => typeof v === 'number' || (typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)['rate'] === 'number');

/**
 * A sweep's results file as one HTML page: each metric drawn against the first axis (a
 * line per value of the second, if any), and the table of its points.
 */
export async function sweepPage(file: string, command: string): Promise<string> {
  const read = readResults(file);
  const t = resultsTable(read.lines);
  const warnings = [
    ...(read.damaged.length > 0 ? [`lines ${read.damaged.join(', ')} are not results and were left out`] : []),
    ...(read.partialTail ? ['the file ends in a half-written line (a sweep still running, or stopped), left out'] : []),
    ...(read.lines.some((l) => l.error !== undefined) ? [`${read.lines.filter((l) => l.error !== undefined).length} points failed (their errors are in the table)`] : []),
  ];
  const x = t.axes[0];
  const series = t.axes[1];
  const plots: string[] = [];
  if (x !== undefined) {
    for (const m of t.metrics.filter((k) => read.lines.some((l) => drawable(l.metrics?.[k]))).slice(0, MAX_PLOTS)) {
      const y = read.lines.some((l) => typeof l.metrics?.[m] === 'object') ? `${m}.rate` : m;
      const drawn = await plotSvg(read.lines, { x, y, mark: 'line', log_x: false, log_y: false, ...(series === undefined ? {} : { series }) });
      if (drawn.drawn > 0) plots.push(drawn.svg);
    }
  }
  const [header, ...rows] = shownRows(t);
  const data = { kind: 'spinarch-report/sweep', spinarch: spinarchVersion(), command, results: { file: displayPath(file), sha256: sha256Of(file), points: read.lines.length }, axes: t.axes, metrics: t.metrics, points: read.lines.map((l) => ({ point: l.point, ...(l.metrics === undefined ? {} : { metrics: l.metrics }), ...(l.error === undefined ? {} : { error: l.error }) })) };
  const title = `spinarch report: ${displayPath(file)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
${warnings.length === 0 ? '' : `<div class="warnings" id="warnings"><b>Warnings</b><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>`}
<p>${read.lines.length} points over ${t.axes.map((a) => `<code>${escapeHtml(a)}</code>`).join(', ') || 'no axes'}; results file sha256 <code>${data.results.sha256}</code>; spinarch ${escapeHtml(data.spinarch)}: <code>${escapeHtml(command)}</code></p>
<div class="figs">${plots.join('')}</div>
<h2>Points</h2>
${table(header ?? [], rows.map((r) => r.map(escapeHtml)), 'points')}
<script type="application/json" id="spinarch-data">${embeddedJson(data)}</script>
</body></html>
`;
}
