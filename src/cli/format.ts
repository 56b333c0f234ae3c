import { table, type ColumnUserConfig, type TableUserConfig } from 'table';
import type { Accuracy } from '../arch/accuracy.js';
import type { RunReport, SetupReport } from '../arch/report.js';
import { formatSI } from '../scenario/units.js';

const plain: TableUserConfig = {
  border: {
    topBody: '─', topJoin: '┬', topLeft: '┌', topRight: '┐',
    bottomBody: '─', bottomJoin: '┴', bottomLeft: '└', bottomRight: '┘',
    bodyLeft: '│', bodyRight: '│', bodyJoin: '│',
    joinBody: '─', joinLeft: '├', joinRight: '┤', joinJoin: '┼',
  },
  drawHorizontalLine: (i, rows) => i === 0 || i === 1 || i === rows,
};

export const seconds = (ps: number): string => formatSI(ps * 1e-12, 's');
export const joules = (j: number): string => formatSI(j, 'J');
export const watts = (w: number): string => formatSI(w, 'W');
export const count = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));
/** An area in mm² (a chip), or um² below a thousandth of a mm² (a block, a cell); SI prefixes on m² would mislead. */
export const formatArea = (m2: number): string => {
  if (m2 === 0) return '0 mm²';
  const mm2 = m2 * 1e6;
  const digits = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));
  return Math.abs(mm2) >= 1e-3 ? `${digits(mm2)} mm²` : `${digits(m2 * 1e12)} µm²`;
};
export const bits = (b: number): string => (b >= 1e3 ? formatSI(b, 'b') : `${b} b`);

/**
 * A table; `widths` fixes column widths (cells wrap inside them): the first column, the
 * rest (0 leaves them to fit their content), and optionally the last.
 */
export function render(rows: string[][], alignRight: readonly number[] = [], widths?: { readonly 0: number; readonly rest: number; readonly last?: number }): string {
  const columns: Record<number, ColumnUserConfig> = {};
  const n = rows[0]?.length ?? 0;
  for (let c = 0; c < n; c++) {
    const fixed = widths === undefined ? undefined : c === 0 ? widths[0] : c === n - 1 && widths.last !== undefined ? widths.last : widths.rest;
    const width = fixed === 0 ? undefined : fixed;
    columns[c] = { ...(alignRight.includes(c) ? { alignment: 'right' } : {}), ...(width === undefined ? {} : { width, wrapWord: true }) };
  }
  return table(rows, { ...plain, columns });
}

/** "97.1 % (9,712 of 10,000; 95 % CI 96.8 to 97.4 %)". */
export function formatAccuracy(a: Accuracy): string {
  const pct = (x: number): string => (100 * x).toFixed(1);
  return `${pct(a.rate)} % (${count(a.correct)} of ${count(a.images)}; 95 % CI ${pct(a.ci95[0])} to ${pct(a.ci95[1])} %)`;
}

/** A confusion matrix as a table: rows are true labels, columns predicted classes. */
export function formatConfusion(confusion: readonly (readonly number[])[]): string {
  const classes = confusion.length;
  const header = ['label \\ predicted', ...Array.from({ length: classes }, (_, c) => String(c))];
  return render([header, ...confusion.map((row, l) => [String(l), ...row.map((n) => (n === 0 ? '.' : String(n)))])], Array.from({ length: classes }, (_, c) => c + 1));
}

/** The head's line: its cost per image, and whether the totals count it. */
function headRows(r: RunReport): string[][] {
  if (r.classifier_energy_j === undefined) return [];
  const scope = r.classifier_counted === true ? 'included above' : "not in the totals above (the seeds' scope)";
  return [['classifier head', `${joules(r.classifier_energy_j)}, ${seconds(r.classifier_latency_ps ?? 0)}: ${scope}`]];
}

/** Accuracy and, for a single image, its class. */
function classRows(r: RunReport): string[][] {
  const rows: string[][] = [];
  if (r.images === 1 && r.per_image[0]?.predicted !== undefined) {
    const p = r.per_image[0];
    rows.push(['class', `${p.predicted}${p.label === null ? '' : ` (label ${p.label}${p.correct === true ? ', correct' : ', wrong'})`}`]);
  }
  if (r.accuracy !== undefined && r.images > 1) rows.push(['accuracy', formatAccuracy(r.accuracy)]);
  return rows;
}

/** The one-off setup before the first image (weights written, sets calibrated), when the design has one; its actions say what it was. */
function setupRows(r: RunReport): string[][] {
  const setup = r['setup'] as SetupReport | undefined;
  if (setup === undefined) return [];
  return [
    ['setup (once, before the images)', `${seconds(setup.latency_ps)}, ${joules(setup.energy_j)}`],
    ...setup.energy_breakdown.filter((l) => l.energy_j > 0).map((l) => [`  ${l.component} ${l.action}`, `${count(l.count)} x, ${joules(l.energy_j)}`]),
  ];
}

/** The chip's area and the figures per area, when the report has them. */
function areaRows(r: RunReport): string[][] {
  if (r.area_m2 === undefined) return [];
  const head = r.classifier_area_m2 === undefined ? '' : r.classifier_counted === true ? ' (classifier head included)' : `; classifier head ${formatArea(r.classifier_area_m2)} apart`;
  return [
    ['chip area', `${formatArea(r.area_m2)}${head}`],
    ['energy-delay-area product', formatSI((r.energy_delay_area_product ?? 0) * 1e6, 'J·s·mm²')],
    ['images per second per mm²', formatSI(r.images_per_s_per_mm2 ?? 0, '/s/mm²')],
    ['energy per image per mm²', formatSI(r.energy_per_image_per_mm2_j ?? 0, 'J/mm²')],
  ];
}

/** The chip's area by block, largest first (how each was worked out in its basis). */
function areaTableOf(r: RunReport): string {
  const lines = r.area_breakdown;
  if (lines === undefined || r.area_m2 === undefined) return '';
  const total = r.area_m2;
  const apart = (c: string): boolean => c === 'classifier' && r.classifier_counted !== true;
  return render(
    [['component', 'class', 'count', 'area', 'share', 'how'], ...lines.map((l) => [l.component, l.class, count(l.count), formatArea(l.area_m2), apart(l.class) ? 'not in it' : total > 0 ? `${((100 * l.area_m2) / total).toFixed(1)} %` : '-', l.basis])],
    [2, 3, 4],
    { 0: 0, rest: 0, last: 26 },
  );
}

/** The readable form of `spinarch run`: summary, energy breakdown, counts and traffic. */
export function formatRun(r: RunReport): string {
  const out: string[] = [];
  const warnings: readonly string[] = r.warnings ?? [];
  for (const w of warnings) out.push(`WARNING: ${w}\n`);
  out.push(`${r.title}: ${r.scenario} (${r.images} image${r.images === 1 ? '' : 's'}, ${r.input}; seed ${r.seed})\n`);
  out.push(
    render(
      [
        ['per image', 'value'],
        ['latency', seconds(r.latency_ps)],
        ['energy', joules(r.energy_j)],
        ['energy-delay product', formatSI(r.energy_j * r.latency_ps * 1e-12, 'J·s')],
        ...areaRows(r),
        ['peak power', watts(r.power.peak_w)],
        ['average power', watts(r.power.average_w)],
        ['powered time', seconds(r.power.powered_ps)],
        ['memory traffic', `${count(r.traffic.reads)} reads (${bits(r.traffic.bits_read)}), ${count(r.traffic.writes)} writes (${bits(r.traffic.bits_written)})`],
        ['events simulated', count(r.events)],
        ...classRows(r),
        ...headRows(r),
        ...setupRows(r),
      ],
      [1],
    ),
  );
  // Shares are of the energy stated above; a head outside the totals is listed, not shared.
  const apart = (l: RunReport['energy_breakdown'][number]): boolean => l.class === 'classifier' && r.classifier_counted === false;
  out.push(
    render(
      [
        ['component', 'class', 'action', 'count', 'energy', `share of ${joules(r.energy_j)}`],
        ...r.energy_breakdown
          .filter((l) => l.energy_j > 0)
          .map((l) => [l.component, l.class, l.action, count(l.count), joules(l.energy_j), apart(l) ? 'not in it' : r.energy_j > 0 ? `${((100 * l.energy_j) / r.energy_j).toFixed(1)} %` : '-']),
      ],
      [3, 4, 5],
    ),
  );
  out.push(areaTableOf(r));
  if (r.confusion !== undefined && r.images > 20) out.push(formatConfusion(r.confusion));
  out.push(render([['operation', 'count per image'], ...Object.entries(r.counts).map(([k, v]) => [k, count(v)])], [1]));
  const sequences = r['sequences'];
  if (Array.isArray(sequences)) {
    out.push(
      render(
        [['layers', 'stages', 'latency'], ...sequences.map((s: { layers: number[]; stages: number; latency_ps: number }) => [s.layers.join(', '), String(s.stages), seconds(s.latency_ps)])],
        [1, 2],
      ),
    );
  }
  const utilization = r['utilization'];
  if (typeof utilization === 'object' && utilization !== null) {
    const busiest = r['busiest'];
    out.push(
      render(
        [['shared resource', 'utilization'], ...Object.entries(utilization as Record<string, number>).map(([k, v]) => [k === busiest ? `${k} (busiest)` : k, `${(100 * v).toFixed(1)} %`])],
        [1],
      ),
    );
  }
  return out.join('');
}
