import type { Accuracy } from '../arch/accuracy.js';
import type { RunReport } from '../arch/report.js';
import { Simulation } from '../arch/runner.js';
import type { Scenario } from '../arch/scenario.js';
import { groupName } from '../components/ledger.js';
import type { ComponentClass } from '../components/records.js';
import { mnistImages } from '../data/images.js';
import { evaluateScenario, type ChipSpread } from '../eval/evaluate.js';
import { deviceTransfer, type DeviceTransfer } from './device-transfer.js';
import { PowerProfile, type PowerCurve } from './power-profile.js';

/** One design's figures in a report. */
export interface DesignFigures {
  readonly scenario: string;
  readonly design: string;
  readonly title: string;
  readonly accuracy?: Accuracy;
  /** What the accuracy is over. */
  readonly accuracy_over: string;
  readonly confusion?: readonly (readonly number[])[];
  readonly chips?: ChipSpread;
  /** The event-level cost of the first image. */
  readonly image: string;
  readonly latency_ps: number;
  readonly energy_j: number;
  /** Energy over latency: the image's mean power. */
  readonly power_w: number;
  readonly peak_power_w: number;
  readonly area_m2?: number;
  readonly area_breakdown?: unknown;
  readonly classifier?: { readonly energy_j: number; readonly latency_ps: number; readonly counted: boolean };
  readonly energy_by_class: readonly { readonly class: ComponentClass; readonly energy_j: number }[];
  readonly energy_by_component: readonly { readonly component: string; readonly class: ComponentClass; readonly energy_j: number }[];
  /** Per layer, per stage sequence, and what limits latency, as the run report has them. */
  readonly timing: {
    readonly rows: readonly { readonly what: string; readonly stages?: number; readonly latency_ps?: number }[];
    readonly utilization?: Readonly<Record<string, number>>;
    readonly limiting?: string;
  };
  readonly power_curve?: PowerCurve;
  readonly transfer?: DeviceTransfer;
  /** Device figures of a design without a transfer function to draw (MAAP's analog error). */
  readonly device_errors?: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

export interface DesignRunOptions {
  readonly mnist: string;
  readonly evalImages: number;
  readonly chips: number;
  readonly workers: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rows of the timing table from whatever the design's report says about its layers and stages. */
function timingOf(r: RunReport): DesignFigures['timing'] {
  const rows: { what: string; stages?: number; latency_ps?: number }[] = [];
  const sequences = r['sequences'];
  const layers = r['layers'];
  if (Array.isArray(layers)) {
    for (const l of layers) if (isRecord(l) && typeof l['description'] === 'string') rows.push({ what: `layer ${String(l['layer'])}: ${l['description']}${l['mapped'] === false ? ' (digital head)' : ''}`, ...(typeof l['stages'] === 'number' ? { stages: l['stages'] } : {}) });
  }
  if (Array.isArray(sequences)) {
    for (const s of sequences) if (isRecord(s) && Array.isArray(s['layers'])) rows.push({ what: `stage sequence of layers ${(s['layers'] as unknown[]).join(', ')}`, ...(typeof s['stages'] === 'number' ? { stages: s['stages'] } : {}), ...(typeof s['latency_ps'] === 'number' ? { latency_ps: s['latency_ps'] } : {}) });
  }
  const maap = r['maap_layers'];
  if (Array.isArray(maap)) for (const [i, d] of maap.entries()) rows.push({ what: `MAAP layer ${i + 1}: ${String(d)}` });
  const utilization = isRecord(r['utilization']) ? (Object.fromEntries(Object.entries(r['utilization']).filter(([, v]) => typeof v === 'number')) as Record<string, number>) : undefined;
  const limiting = typeof r['busiest'] === 'string' ? r['busiest'] : Array.isArray(sequences) ? 'the stage sequence: every stage waits for the one before (stage delay x stages)' : undefined;
  return { rows, ...(utilization === undefined ? {} : { utilization }), ...(limiting === undefined ? {} : { limiting }) };
}

/** Evaluates one design for a report: accuracy over MNIST test images (over chips), and the first image at event level with its power over time. */
export async function runDesign(scenario: Scenario, o: DesignRunOptions): Promise<DesignFigures> {
  const source = mnistImages(o.mnist, 0, 'test', 1);
  const profile = new PowerProfile();
  const sim = new Simulation(scenario, { tracing: true, attach: (s) => profile.attach(s) });
  const run = sim.runImages(source, 0, 1);
  const report = sim.report(run, source.description);
  const warnings = [...(report.warnings ?? [])];
  let evaluated: Awaited<ReturnType<typeof evaluateScenario>> | undefined;
  if (scenario.design.functional !== undefined) evaluated = await evaluateScenario(scenario, { dir: o.mnist, set: 'test', from: 0, count: o.evalImages, workers: o.workers, chips: o.chips });
  else warnings.push(`${scenario.name}: the design has no functional model, so no accuracy over MNIST images (the first image's class only)`);
  const byClass = new Map<ComponentClass, number>();
  const byComponent = new Map<string, { component: string; class: ComponentClass; energy_j: number }>();
  // The classifier head's lines only where the design counts it (else they are outside energy_j).
  for (const l of report.energy_breakdown.filter((x) => x.class !== 'classifier' || report.classifier_counted !== false)) {
    byClass.set(l.class, (byClass.get(l.class) ?? 0) + l.energy_j);
    const g = groupName(l.component);
    const key = `${g}\u0000${l.class}`;
    const e = byComponent.get(key) ?? { component: g, class: l.class, energy_j: 0 };
    e.energy_j += l.energy_j;
    byComponent.set(key, e);
  }
  const transfer = deviceTransfer(scenario);
  const errors = report['errors'];
  const curve = profile.curve(200, report.classifier_counted !== false);
  return {
    scenario: scenario.name,
    design: scenario.design.name,
    title: scenario.design.title,
    ...(evaluated?.accuracy === undefined ? {} : { accuracy: evaluated.accuracy }),
    accuracy_over: evaluated === undefined ? 'not evaluated' : evaluated.data,
    ...(evaluated?.confusion === undefined ? {} : { confusion: evaluated.confusion }),
    ...(evaluated?.chips === undefined ? {} : { chips: evaluated.chips }),
    image: report.per_image[0]?.source ?? source.description,
    latency_ps: report.latency_ps,
    energy_j: report.energy_j,
    power_w: report.energy_j / (report.latency_ps * 1e-12),
    peak_power_w: report.power.peak_w,
    ...(typeof report['area_m2'] === 'number' ? { area_m2: report['area_m2'] } : {}),
    ...(report['area_breakdown'] === undefined ? {} : { area_breakdown: report['area_breakdown'] }),
    ...(report.classifier_energy_j === undefined ? {} : { classifier: { energy_j: report.classifier_energy_j, latency_ps: report.classifier_latency_ps!, counted: report.classifier_counted! } }),
    energy_by_class: [...byClass].map(([c, energy_j]) => ({ class: c, energy_j })).sort((a, b) => b.energy_j - a.energy_j),
    energy_by_component: [...byComponent.values()].sort((a, b) => b.energy_j - a.energy_j || a.component.localeCompare(b.component)),
    timing: timingOf(report),
    ...(curve === undefined ? {} : { power_curve: curve }),
    ...(transfer === undefined ? {} : { transfer }),
    ...(isRecord(errors) ? { device_errors: Object.fromEntries(Object.entries(errors).filter(([, v]) => typeof v === 'number')) as Record<string, number> } : {}),
    warnings,
  };
}
