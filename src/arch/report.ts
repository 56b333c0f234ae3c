import type { ImageTotals } from '../components/ledger.js';
import type { Classification, ComponentClass } from '../components/records.js';
import { scorePredictions, type Accuracy } from './accuracy.js';
import { areaFigures, type AreaFigures, type AreaReport } from './area-report.js';

export interface BreakdownLine {
  readonly component: string;
  readonly class: ComponentClass;
  readonly action: string;
  readonly count: number;
  readonly energy_j: number;
}

/** What `spinarch run --json` prints: figures per image (the mean over the images run). */
export interface RunReport extends Partial<AreaReport>, Partial<AreaFigures> {
  readonly scenario: string;
  readonly design: string;
  readonly title: string;
  readonly seed: string | number;
  readonly input: string;
  readonly images: number;
  readonly latency_ps: number;
  readonly energy_j: number;
  readonly energy_breakdown: readonly BreakdownLine[];
  readonly counts: Readonly<Record<string, number>>;
  readonly traffic: { readonly reads: number; readonly writes: number; readonly bits_read: number; readonly bits_written: number };
  readonly power: { readonly peak_w: number; readonly average_w: number; readonly powered_ps: number };
  readonly events: number;
  readonly per_image: readonly PerImage[];
  /** Over the images with labels (absent when none has one). */
  readonly accuracy?: Accuracy;
  /** Rows: true label; columns: predicted class. */
  readonly confusion?: readonly (readonly number[])[];
  /** The classifier head's cost per image (designs with one), counted in energy_j and latency_ps only if classifier_counted. */
  readonly classifier_energy_j?: number;
  readonly classifier_latency_ps?: number;
  readonly classifier_counted?: boolean;
  /** Over all the images of the run (setup excluded). */
  readonly total: { readonly latency_ps: number; readonly energy_j: number; readonly events: number; readonly bits_moved: number };
  /** Problems that did not stop the run but change what it means (absent when none). */
  readonly warnings?: readonly string[];
  readonly [design: string]: unknown;
}

/** One image of a run. */
export interface PerImage {
  readonly image: number;
  readonly source: string;
  readonly label: number | null;
  readonly latency_ps: number;
  readonly energy_j: number;
  /** The class the hardware gave it, whether that is its label, and the output scores (designs that classify). */
  readonly predicted?: number;
  readonly correct?: boolean | null;
  readonly outputs?: readonly number[];
}

/** The setup window's figures (weights written before the first image). */
export interface SetupReport {
  readonly latency_ps: number;
  readonly energy_j: number;
  readonly energy_breakdown: readonly BreakdownLine[];
  readonly counts: Readonly<Record<string, number>>;
  readonly traffic: RunReport['traffic'];
}

export interface ReportInput {
  readonly scenario: string;
  readonly design: string;
  readonly title: string;
  readonly seed: string | number;
  readonly input: string;
  readonly images: readonly ImageTotals[];
  readonly setup?: ImageTotals | undefined;
  readonly sources: readonly { source: string; label: number | undefined }[];
  /** The class of each image (by its index in the run), from designs that classify. */
  readonly classified: ReadonlyMap<number, Classification>;
  /** Whether the design's classifier head counts in the totals; undefined if it has none. */
  readonly head: boolean | undefined;
  readonly events: number;
  readonly warnings: readonly string[];
  readonly extraCounts: (counts: Readonly<Record<string, number>>) => Record<string, number>;
  readonly summary: Record<string, unknown>;
  /** The chip's area (the design's area functions over the scenario's area table). */
  readonly area?: AreaReport;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Energy lines and counts averaged over images, largest energy first. */
function averaged(images: readonly ImageTotals[]): { breakdown: BreakdownLine[]; counts: Record<string, number> } {
  const n = images.length;
  const lines = new Map<string, { component: string; class: ComponentClass; action: string; count: number; energy_j: number }>();
  const counts = new Map<string, number>();
  for (const img of images) {
    for (const l of img.lines) {
      const key = `${l.component}\u0000${l.action}`;
      const acc = lines.get(key) ?? { component: l.component, class: l.kind, action: l.action, count: 0, energy_j: 0 };
      acc.count += l.count / n;
      acc.energy_j += l.energy / n;
      lines.set(key, acc);
    }
    for (const [k, v] of Object.entries(img.counts)) counts.set(k, (counts.get(k) ?? 0) + v / n);
  }
  return {
    breakdown: [...lines.values()].sort((a, b) => b.energy_j - a.energy_j || a.component.localeCompare(b.component) || a.action.localeCompare(b.action)),
    counts: Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b))),
  };
}

function setupReport(s: ImageTotals): SetupReport {
  const { breakdown, counts } = averaged([s]);
  return {
    latency_ps: s.latency,
    energy_j: s.energy,
    energy_breakdown: breakdown,
    counts,
    traffic: { reads: s.traffic.reads, writes: s.traffic.writes, bits_read: s.traffic.bitsRead, bits_written: s.traffic.bitsWritten },
  };
}

/** Averages the ledger's images into the per-image figures of the report. */
export function buildReport(input: ReportInput): RunReport {
  const n = input.images.length;
  const { breakdown, counts: baseCounts } = averaged(input.images);
  const allCounts = { ...baseCounts, ...input.extraCounts(baseCounts) };
  const perImage: PerImage[] = input.images.map((img, k) => {
    const label = input.sources[k]?.label;
    const c = input.classified.get(img.image);
    return {
      image: img.image,
      source: input.sources[k]?.source ?? '',
      label: label ?? null,
      latency_ps: img.latency,
      energy_j: img.energy,
      ...(c === undefined ? {} : { predicted: c.predicted, correct: label === undefined ? null : c.predicted === label, outputs: [...c.outputs] }),
    };
  });
  const classes = input.classified.values().next().value?.outputs.length ?? 0;
  const predictions = perImage.flatMap((p) => (p.predicted === undefined ? [] : [{ label: p.label ?? undefined, predicted: p.predicted }]));
  const scored = predictions.length === perImage.length && classes > 0 ? scorePredictions(predictions, classes) : undefined;
  return {
    scenario: input.scenario,
    design: input.design,
    title: input.title,
    seed: input.seed,
    input: input.input,
    images: n,
    latency_ps: mean(input.images.map((i) => i.latency)),
    energy_j: mean(input.images.map((i) => i.energy)),
    energy_breakdown: breakdown,
    counts: allCounts,
    traffic: {
      reads: mean(input.images.map((i) => i.traffic.reads)),
      writes: mean(input.images.map((i) => i.traffic.writes)),
      bits_read: mean(input.images.map((i) => i.traffic.bitsRead)),
      bits_written: mean(input.images.map((i) => i.traffic.bitsWritten)),
    },
    power: {
      peak_w: Math.max(0, ...input.images.map((i) => i.power.peakW)),
      average_w: mean(input.images.map((i) => i.power.averageW)),
      powered_ps: mean(input.images.map((i) => i.power.poweredPs)),
    },
    events: Math.round(input.events / Math.max(1, n)),
    per_image: perImage,
    ...(scored === undefined ? {} : { accuracy: scored.accuracy, confusion: scored.confusion }),
    ...(input.head === undefined
      ? {}
      : {
          classifier_energy_j: mean(input.images.map((i) => i.headEnergy)),
          classifier_latency_ps: mean(input.images.map((i) => i.headLatency)),
          classifier_counted: input.head,
        }),
    total: {
      latency_ps: input.images.reduce((a, i) => a + i.latency, 0),
      energy_j: input.images.reduce((a, i) => a + i.energy, 0),
      events: input.events,
      bits_moved: input.images.reduce((a, i) => a + i.traffic.bitsRead + i.traffic.bitsWritten, 0),
    },
    ...(input.area === undefined ? {} : { ...input.area, ...areaFigures(mean(input.images.map((i) => i.energy)), mean(input.images.map((i) => i.latency)), input.area.area_m2) }),
    ...(input.setup === undefined ? {} : { setup: setupReport(input.setup) }),
    ...(input.warnings.length === 0 ? {} : { warnings: input.warnings }),
    ...input.summary,
  };
}
