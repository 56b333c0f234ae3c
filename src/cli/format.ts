import { table, type ColumnUserConfig, type TableUserConfig } from 'table';
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

/** The one-off setup (weights written before the first image), when the design has one. */
function setupRows(r: RunReport): string[][] {
  const setup = r['setup'] as SetupReport | undefined;
  if (setup === undefined) return [];
  return [
    ['setup: writing weights', `${seconds(setup.latency_ps)}, ${joules(setup.energy_j)}`],
    ...setup.energy_breakdown.filter((l) => l.energy_j > 0).map((l) => [`  ${l.component} ${l.action}`, `${count(l.count)} x, ${joules(l.energy_j)}`]),
  ];
}

/** The readable form of `spinarch run`: summary, energy breakdown, counts and traffic. */
export function formatRun(r: RunReport): string {
  const out: string[] = [];
  out.push(`${r.title}: ${r.scenario} (${r.images} image${r.images === 1 ? '' : 's'}, ${r.input}; seed ${r.seed})\n`);
  out.push(
    render(
      [
        ['per image', 'value'],
        ['latency', seconds(r.latency_ps)],
        ['energy', joules(r.energy_j)],
        ['energy-delay product', formatSI(r.energy_j * r.latency_ps * 1e-12, 'J·s')],
        ['peak power', watts(r.power.peak_w)],
        ['average power', watts(r.power.average_w)],
        ['powered time', seconds(r.power.powered_ps)],
        ['memory traffic', `${count(r.traffic.reads)} reads (${bits(r.traffic.bits_read)}), ${count(r.traffic.writes)} writes (${bits(r.traffic.bits_written)})`],
        ['events simulated', count(r.events)],
        ...setupRows(r),
      ],
      [1],
    ),
  );
  const total = r.energy_j;
  out.push(
    render(
      [
        ['component', 'class', 'action', 'count', 'energy', 'share'],
        ...r.energy_breakdown
          .filter((l) => l.energy_j > 0)
          .map((l) => [l.component, l.class, l.action, count(l.count), joules(l.energy_j), total > 0 ? `${((100 * l.energy_j) / total).toFixed(1)} %` : '-']),
      ],
      [3, 4, 5],
    ),
  );
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
