import type { ChipSpread } from '../eval/evaluate.js';
import { formatSI } from '../scenario/units.js';
import type { DesignFigures } from './design-run.js';
import { confusionSpec, drawAll, energyByClassSpec, energyByComponentSpec, powerCurveSpec, transferSpec } from './figures.js';
import { STYLE, embeddedJson, escapeHtml, table } from './html.js';
import type { Provenance } from './provenance.js';
import type { AreaBreakdownLine } from '../arch/area-report.js';

/** Everything a design report holds: the same figures the page shows, as the page embeds them. */
export interface DesignReportData {
  readonly kind: 'spinarch-report/designs';
  readonly provenance: Provenance;
  readonly warnings: readonly string[];
  readonly baseline: string;
  readonly designs: readonly DesignFigures[];
}

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
const num = (html: string, attrs = ''): string => `<span class="num"${attrs}>${html}</span>`;
const ratio = (x: number, base: number): string => (base > 0 ? `${(x / base).toPrecision(3)}x` : '');

function chips(c: ChipSpread | undefined): string {
  if (c === undefined) return '<span class="muted">one chip</span>';
  return `${c.count} chips: mean ${pct(c.mean)}, sd ${pct(c.sd)}, ${pct(c.min)} to ${pct(c.max)}`;
}

/** The summary table: one row per design, each cell marked with its scenario and metric so a tool (or a test) can read the page back. */
function summary(designs: readonly DesignFigures[]): string {
  const b = designs[0]!;
  const cell = (d: DesignFigures, metric: string, value: number | undefined, shown: string): string => (value === undefined ? '<span class="muted">-</span>' : num(escapeHtml(shown), ` data-scenario="${escapeHtml(d.scenario)}" data-metric="${metric}" data-value="${value}"`));
  const rows = designs.map((d) => [
    `<b>${escapeHtml(d.scenario)}</b><br><span class="muted">${escapeHtml(d.title)}</span>`,
    d.accuracy === undefined ? '<span class="muted">not evaluated</span>' : `${cell(d, 'accuracy', d.accuracy.rate, pct(d.accuracy.rate))}<br><span class="muted">95 % ${pct(d.accuracy.ci95[0])} to ${pct(d.accuracy.ci95[1])}, ${d.accuracy.images.toLocaleString('en-US')} images</span>`,
    chips(d.chips),
    `${cell(d, 'latency_ps', d.latency_ps, formatSI(d.latency_ps * 1e-12, 's'))}${d === b ? '' : `<br><span class="muted">${ratio(d.latency_ps, b.latency_ps)}</span>`}`,
    `${cell(d, 'energy_j', d.energy_j, formatSI(d.energy_j, 'J'))}${d === b ? '' : `<br><span class="muted">${ratio(d.energy_j, b.energy_j)}</span>`}`,
    `${cell(d, 'power_w', d.power_w, formatSI(d.power_w, 'W'))}<br><span class="muted">peak ${formatSI(d.peak_power_w, 'W')}</span>`,
    d.area_m2 === undefined ? '<span class="muted">not in the run report</span>' : `${cell(d, 'area_m2', d.area_m2, `${(d.area_m2 * 1e6).toPrecision(3)} mm²`)}${d === b || b.area_m2 === undefined ? '' : `<br><span class="muted">${ratio(d.area_m2, b.area_m2)}</span>`}`,
  ]);
  return table(['design', 'accuracy', 'chip to chip', 'latency per image', 'energy per image', 'power', 'area'], rows, 'summary');
}

function provenanceSection(p: Provenance): string {
  const rows = p.scenarios.flatMap((s) => [
    ...s.files.map((f) => [escapeHtml(s.scenario), `<code>${escapeHtml(f.file)}</code>`, `<code>${f.sha256}</code>`]),
    [escapeHtml(s.scenario), `seed ${escapeHtml(String(s.seed))}, chip ${s.chip}`, s.weights.kind === 'random' ? 'weights: random (from the seed)' : `weights <code>${escapeHtml(s.weights.file.file)}</code> <code>${s.weights.file.sha256}</code><br><span class="muted">${escapeHtml(Object.entries(s.weights.provenance).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}: ${String(v)}`).join('; '))}</span>`],
  ]);
  const data = p.data === undefined ? '' : `<p>MNIST ${p.data.set} set, ${p.data.images.toLocaleString('en-US')} images, from <code>${escapeHtml(p.data.dir)}</code>: images sha256 <code>${p.data.sha256.images}</code>, labels sha256 <code>${p.data.sha256.labels ?? 'none'}</code> (of the uncompressed IDX files).</p>`;
  return `<h2>What was run</h2><p>spinarch ${escapeHtml(p.spinarch)}: <code>${escapeHtml(p.command)}</code></p>${table(['scenario', 'file or setting', 'sha256 or value'], rows)}${data}`;
}

function timingSection(d: DesignFigures): string {
  const t = d.timing;
  const rows = t.rows.map((r) => [escapeHtml(r.what), r.stages === undefined ? '' : num(String(r.stages)), r.latency_ps === undefined ? '' : num(formatSI(r.latency_ps * 1e-12, 's'))]);
  const util = t.utilization === undefined ? '' : table(['shared resource', 'busy over the image'], Object.entries(t.utilization).map(([k, v]) => [escapeHtml(k.replace(/_/g, ' ')), num(pct(v))]));
  const limit = t.limiting === undefined ? '' : `<p>What limits latency: <b>${escapeHtml(t.limiting.replace(/_/g, ' '))}</b>.</p>`;
  return `${rows.length > 0 ? table(['layer or stage sequence', 'stages', 'latency'], rows) : ''}${util}${limit}`;
}

function deviceSection(d: DesignFigures, svg: string | undefined): string {
  if (d.transfer !== undefined) return `<p>Transfer function used: ${escapeHtml(d.transfer.model)}.</p>${svg ?? ''}`;
  if (d.device_errors !== undefined) return `<p>No magnet transfer function to draw (${escapeHtml(d.design)}); the analog error of its devices over the image: ${Object.entries(d.device_errors).map(([k, v]) => `${escapeHtml(k.replace(/_/g, ' '))} ${v.toPrecision(3)}`).join(', ')}.</p>`;
  return `<p class="muted">None: ${escapeHtml(d.design)} reads no spintronic cell through a transfer function.</p>`;
}

/** A design's area by block (the run report's area_breakdown), with how each was worked out. */
function areaSection(d: DesignFigures): string {
  const lines = Array.isArray(d.area_breakdown) ? (d.area_breakdown as readonly AreaBreakdownLine[]) : [];
  if (lines.length === 0 || d.area_m2 === undefined) return '<p class="muted">No area in the run report.</p>';
  const total = d.area_m2;
  const apart = (l: AreaBreakdownLine): boolean => l.class === 'classifier' && d.classifier?.counted !== true;
  const mm2 = (m2: number): string => `${(m2 * 1e6).toPrecision(3)} mm²`;
  return table(
    ['component', 'class', 'count', 'area', 'share', 'how'],
    lines.map((l) => [escapeHtml(l.component), escapeHtml(l.class), num(String(l.count)), num(mm2(l.area_m2)), num(apart(l) ? 'not in the total' : pct(l.area_m2 / total)), escapeHtml(l.basis)]),
  );
}

/** The design report as one self-contained HTML page: styles and SVG inline, nothing fetched. */
export async function designPage(data: DesignReportData): Promise<string> {
  const { designs } = data;
  const [byClass, byComponent] = await drawAll([energyByClassSpec(designs), energyByComponentSpec(designs)]);
  const sections: string[] = [];
  for (const d of designs) {
    const [confusion, power, transfer] = await drawAll([confusionSpec(d), powerCurveSpec(d), transferSpec(d)]);
    const energy = table(['component', 'class', 'energy per image', 'share'], d.energy_by_component.map((c) => [escapeHtml(c.component), escapeHtml(c.class), num(formatSI(c.energy_j, 'J')), num(pct(c.energy_j / d.energy_j))]));
    const area = areaSection(d);
    const head = d.classifier === undefined ? '' : `<p class="muted">Digital classifier head: ${formatSI(d.classifier.energy_j, 'J')} and ${formatSI(d.classifier.latency_ps * 1e-12, 's')} per image, ${d.classifier.counted ? 'counted in' : 'not counted in'} the figures above.</p>`;
    sections.push(
      `<section id="design-${escapeHtml(d.scenario)}"><h2>${escapeHtml(d.scenario)}: ${escapeHtml(d.title)}</h2>` +
        `<p class="muted">Accuracy over ${escapeHtml(d.accuracy_over)}; cost of one image at event level (${escapeHtml(d.image)}).</p>${head}` +
        `<div class="figs">${confusion ?? ''}${power ?? ''}</div>` +
        `<h3>Timing</h3>${timingSection(d)}<h3>Device</h3>${deviceSection(d, transfer)}<h3>Energy by component</h3>${energy}<h3>Area by component</h3>${area}</section>`,
    );
  }
  const warnings = data.warnings.length === 0 ? '' : `<div class="warnings" id="warnings"><b>Warnings</b><ul>${data.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>`;
  const title = `spinarch report: ${designs.map((d) => d.scenario).join(', ')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
${warnings}
${summary(designs)}
<p class="muted">Ratios are to ${escapeHtml(data.baseline)}, the first scenario. Power is the image's energy over its latency.</p>
<div class="figs">${byClass ?? ''}${byComponent ?? ''}</div>
${sections.join('\n')}
${provenanceSection(data.provenance)}
<script type="application/json" id="spinarch-data">${embeddedJson(data)}</script>
</body></html>
`;
}
