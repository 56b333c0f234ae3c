import type { TopLevelSpec } from 'vega-lite';
import { engineeringPrefix } from '../scenario/units.js';
import { renderSvg } from '../plot/svg.js';
import type { DesignFigures } from './design-run.js';

/** SI scaling for a set of values in `unit`: the factor that puts the largest between 1 and 1000, and the unit's name with its prefix. */
export function siUnit(values: readonly number[], unit: string): { scale: number; unit: string } {
  const largest = Math.max(0, ...values.map(Math.abs));
  if (largest === 0) return { scale: 1, unit };
  const [factor, prefix] = engineeringPrefix(largest);
  return { scale: 1 / factor, unit: `${prefix === 'u' ? 'µ' : prefix}${unit}` };
}

const CONFIG = { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 }, view: { stroke: null } };
const base = (width: number, height: number): Record<string, unknown> => ({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width, height, config: CONFIG });

/** Energy per image of each design, stacked by component class. */
export function energyByClassSpec(designs: readonly DesignFigures[]): TopLevelSpec {
  const u = siUnit(designs.map((d) => d.energy_j), 'J');
  const values = designs.flatMap((d) => d.energy_by_class.map((c) => ({ design: d.scenario, class: c.class, energy: c.energy_j * u.scale })));
  return {
    ...base(Math.max(160, 90 * designs.length), 260),
    title: 'Energy per image by component class',
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'design', type: 'nominal', sort: designs.map((d) => d.scenario), title: null, axis: { labelAngle: 0 } },
      y: { field: 'energy', type: 'quantitative', title: `energy per image (${u.unit})` },
      color: { field: 'class', type: 'nominal', title: 'class' },
      tooltip: [{ field: 'class' }, { field: 'energy', format: '.4~g' }],
    },
  } as TopLevelSpec;
}

/** Energy per image by component (indices merged), largest first; the small ones as "other". */
export function energyByComponentSpec(designs: readonly DesignFigures[], shown = 10): TopLevelSpec {
  const totals = new Map<string, number>();
  for (const d of designs) for (const c of d.energy_by_component) totals.set(c.component, (totals.get(c.component) ?? 0) + c.energy_j / d.energy_j);
  const kept = new Set([...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, shown).map(([c]) => c));
  const u = siUnit(designs.map((d) => d.energy_j), 'J');
  const values = designs.flatMap((d) => d.energy_by_component.map((c) => ({ design: d.scenario, component: kept.has(c.component) ? c.component : 'other', energy: c.energy_j * u.scale })));
  return {
    ...base(420, Math.max(60, 34 * designs.length)),
    title: 'Energy per image by component',
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'design', type: 'nominal', sort: designs.map((d) => d.scenario), title: null },
      x: { field: 'energy', type: 'quantitative', title: `energy per image (${u.unit})`, aggregate: 'sum' },
      color: { field: 'component', type: 'nominal', title: 'component', sort: [...kept, 'other'], scale: { scheme: 'tableau20' } },
    },
  } as TopLevelSpec;
}

/** The first image's power over time. */
export function powerCurveSpec(d: DesignFigures): TopLevelSpec | undefined {
  const c = d.power_curve;
  if (c === undefined) return undefined;
  const t = siUnit([c.bin_ps * c.watts.length * 1e-12], 's');
  const p = siUnit(c.watts, 'W');
  const values = c.watts.map((w, k) => ({ t: k * c.bin_ps * 1e-12 * t.scale, p: w * p.scale }));
  return {
    ...base(420, 180),
    title: `${d.scenario}: power over its first image`,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: { x: { field: 't', type: 'quantitative', title: `time from the image's start (${t.unit})` }, y: { field: 'p', type: 'quantitative', title: `power (${p.unit}, mean over ${(c.bin_ps / 1000).toPrecision(3)} ns)` } },
  } as TopLevelSpec;
}

/** The confusion matrix as a heat map: rows the true digit, columns the class given. */
export function confusionSpec(d: DesignFigures): TopLevelSpec | undefined {
  if (d.confusion === undefined) return undefined;
  const values = d.confusion.flatMap((row, label) => row.map((n, predicted) => ({ label, predicted, n })));
  return {
    ...base(230, 230),
    title: `${d.scenario}: confusion`,
    data: { values },
    layer: [
      { mark: 'rect', encoding: { x: { field: 'predicted', type: 'ordinal', title: 'class given' }, y: { field: 'label', type: 'ordinal', title: 'true digit' }, color: { field: 'n', type: 'quantitative', scale: { type: 'symlog', scheme: 'blues' }, legend: null } } },
      { mark: { type: 'text', fontSize: 8 }, encoding: { x: { field: 'predicted', type: 'ordinal' }, y: { field: 'label', type: 'ordinal' }, text: { field: 'n', type: 'quantitative' }, color: { condition: { test: `datum.n > ${Math.max(1, ...values.map((v) => v.n)) / 4}`, value: 'white' }, value: 'black' } } },
    ],
  } as TopLevelSpec;
}

/** The device's transfer function: mean read against drive, with a band of two standard deviations, and the ideal saturated-linear curve. */
export function transferSpec(d: DesignFigures): TopLevelSpec | undefined {
  const tr = d.transfer;
  if (tr === undefined) return undefined;
  const values = tr.points.map((p) => ({ drive: p.drive, mean: p.mean, lo: p.mean - 2 * p.sd, hi: p.mean + 2 * p.sd, ideal: Math.max(-1, Math.min(1, p.drive)) }));
  const x = { field: 'drive', type: 'quantitative', title: 'drive u (field over saturation field)' };
  return {
    ...base(320, 200),
    title: `${d.scenario}: cell transfer function (band: ±2 sd)`,
    data: { values },
    layer: [
      { mark: { type: 'area', opacity: 0.3, color: '#4c78a8' }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'what the next stage reads' }, y2: { field: 'hi' } } },
      { mark: { type: 'line', color: '#4c78a8' }, encoding: { x, y: { field: 'mean', type: 'quantitative' } } },
      { mark: { type: 'line', strokeDash: [4, 3], color: '#888' }, encoding: { x, y: { field: 'ideal', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Each spec drawn as SVG, in order (undefined stays undefined). */
export async function drawAll(specs: readonly (TopLevelSpec | undefined)[]): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  for (const s of specs) out.push(s === undefined ? undefined : await renderSvg(s));
  return out;
}
