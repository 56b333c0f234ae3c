import { beyondWarnings } from '../device-table/beyond.js';
import { accuracy, scorePredictions, type Accuracy } from '../arch/accuracy.js';
import type { RunReport } from '../arch/report.js';
import { runScenario } from '../arch/runner.js';
import { functionalModel, scenarioFromRaw, type Scenario } from '../arch/scenario.js';
import { mnistImages } from '../data/images.js';
import { loadMnist, type MnistSetName } from '../data/mnist.js';
import { displayPath } from '../scenario/load.js';
import { plainModel } from './plain.js';
import { evaluateImages, type EvalOutcome } from './pool.js';
import type { AreaFigures, AreaReport } from '../arch/area-report.js';

/** What `spinarch eval` reports: accuracy over a data set, and the cost of one image. */
export interface EvalReport {
  /** 'hardware': the design's functional model; 'plain': the trained network in plain arithmetic. */
  readonly model: 'hardware' | 'plain';
  readonly scenario: string;
  readonly design: string;
  readonly title: string;
  readonly seed: string | number;
  readonly data: string;
  readonly images: number;
  readonly accuracy?: Accuracy;
  readonly confusion?: readonly (readonly number[])[];
  /** Figures the functional model sums over the images (an IRMEN design's transfer_error_mean). */
  readonly figures: Readonly<Record<string, number>>;
  /** The event-level figures of the first image: what each image costs. */
  readonly first_image: Pick<RunReport, 'latency_ps' | 'energy_j' | 'energy_breakdown' | 'counts' | 'traffic' | 'power' | 'events' | 'classifier_energy_j' | 'classifier_latency_ps' | 'classifier_counted'> & Partial<AreaReport & AreaFigures> & { readonly source: string };
  readonly per_image?: readonly { readonly image: string; readonly label: number | null; readonly predicted: number; readonly correct: boolean | null }[];
  /** With --chips N: each chip's accuracy, and their spread (accuracy above is pooled over the chips). */
  readonly chips?: ChipSpread;
  /** What must not go unseen: reads beyond a measured device table's range. */
  readonly warnings?: readonly string[];
}


/** Accuracy over several dies of one design: each chip's, their mean, sample sd and range. */
export interface ChipSpread {
  /** The chips evaluated: `first` to `first + count - 1` (the scenario's `chip` key). */
  readonly first: number;
  readonly count: number;
  readonly accuracy: readonly number[];
  readonly mean: number;
  readonly sd: number;
  readonly min: number;
  readonly max: number;
}

/** The mean, sample standard deviation and range of per-chip accuracies. */
export function chipSpread(first: number, rates: readonly number[]): ChipSpread {
  const n = rates.length;
  const mean = rates.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1)) : 0;
  return { first, count: n, accuracy: rates, mean, sd, min: Math.min(...rates), max: Math.max(...rates) };
}

/** The same scenario on another die: its `chip` key set (the devices' variation streams follow it). */
export function onChip(scenario: Scenario, chip: number): Scenario {
  if ((scenario.value.chip ?? 0) === chip) return scenario;
  return scenarioFromRaw({ ...scenario.raw, data: { ...scenario.raw.data, chip } });
}

export interface EvaluateOptions {
  readonly dir: string;
  readonly set: MnistSetName;
  readonly from: number;
  /** Images to evaluate (default: all from `from`). */
  readonly count?: number;
  readonly workers: number;
  readonly perImage?: boolean;
  /** The network in plain arithmetic instead of the hardware (see plainModel). */
  readonly plain?: boolean;
  /** Dies to evaluate, from the scenario's own (default 1). */
  readonly chips?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export class ModelMismatchError extends Error {
  override name = 'ModelMismatchError';
}

/** The event-level run of one image and the functional outcome for it must give the same scores. */
function checkAgreement(first: RunReport, outcome: EvalOutcome): void {
  const event = first.per_image[0]?.outputs;
  if (event === undefined) return;
  const functional = outcome.outputs.subarray(0, outcome.classes);
  if (event.length !== functional.length || event.some((v, i) => v !== functional[i])) {
    throw new ModelMismatchError(`the functional and event-level models disagree on ${first.per_image[0]!.source}: [${[...functional].join(', ')}] against [${event.join(', ')}] (a bug in spinarch)`);
  }
}

/**
 * Evaluates a scenario on MNIST images with its functional model (all cores), and runs the
 * first image at event level for its cost figures; both must agree on that image's scores.
 */
export async function evaluateScenario(scenario: Scenario, o: EvaluateOptions): Promise<EvalReport> {
  // Built here first, so a scenario or weights problem is reported plainly, not from a worker.
  if (o.plain === true) plainModel(scenario);
  else functionalModel(scenario);
  const data = loadMnist(o.dir, o.set);
  const source = mnistImages(o.dir, o.from, o.set, o.count, '--from');
  const count = o.count ?? source.count;
  const first = runScenario(scenario, { images: 1, source });
  const chips = o.plain === true ? 1 : (o.chips ?? 1);
  const firstChip = scenario.value.chip ?? 0;
  const labels = data.labels;
  const outcomes: EvalOutcome[] = [];
  for (let c = 0; c < chips; c++) {
    const die = onChip(scenario, firstChip + c);
    const progress = o.onProgress;
    const outcome = await evaluateImages(die, { dir: o.dir, set: o.set, from: o.from, count, workers: o.workers, ...(o.plain === true ? { plain: true } : {}), ...(progress === undefined ? {} : { onProgress: (done: number) => progress(c * count + done, chips * count) }) });
    // Every die's first image, event level against functional: one model on every chip.
    if (o.plain !== true) checkAgreement(c === 0 ? first : runScenario(die, { images: 1, source }), outcome);
    outcomes.push(outcome);
  }
  const outcome = outcomes[0]!;
  const predictions = outcomes.flatMap((x) => Array.from(x.predicted, (predicted, k) => ({ label: labels?.[o.from + k], predicted })));
  const scored = scorePredictions(predictions, outcome.classes);
  const perChip = labels === undefined ? undefined : outcomes.map((x) => scorePredictions(Array.from(x.predicted, (predicted, k) => ({ label: labels[o.from + k], predicted })), x.classes)!.accuracy.rate);
  const tally: Record<string, [number, number]> = {};
  for (const x of outcomes) {
    for (const [k, [sum, n]] of Object.entries(x.tally)) {
      const t = (tally[k] ??= [0, 0]);
      t[0] += sum;
      t[1] += n;
    }
  }
  const figures = Object.fromEntries(Object.entries(tally).map(([k, [sum, n]]) => [k, n > 0 ? sum / n : 0]));
  const warnings = beyondWarnings(tally);
  return {
    model: o.plain === true ? 'plain' : 'hardware',
    scenario: scenario.name,
    design: scenario.design.name,
    title: scenario.design.title,
    seed: scenario.value.seed,
    data: `MNIST ${o.set} images ${o.from} to ${o.from + count - 1} (${displayPath(o.dir)})${chips > 1 ? ` on ${chips} chips (${firstChip} to ${firstChip + chips - 1})` : ''}`,
    images: count,
    ...(scored === undefined ? {} : { accuracy: scored.accuracy, confusion: scored.confusion }),
    figures,
    first_image: {
      source: first.per_image[0]?.source ?? '',
      latency_ps: first.latency_ps,
      energy_j: first.energy_j,
      ...(first.classifier_energy_j === undefined ? {} : { classifier_energy_j: first.classifier_energy_j, classifier_latency_ps: first.classifier_latency_ps!, classifier_counted: first.classifier_counted! }),
      power: first.power,
      traffic: first.traffic,
      counts: first.counts,
      events: first.events,
      energy_breakdown: first.energy_breakdown,
      // The chip's area and the figures per area, as the run report has them.
      ...(first.area_m2 === undefined
        ? {}
        : {
            area_m2: first.area_m2,
            area_breakdown: first.area_breakdown!,
            area_by_class: first.area_by_class!,
            ...(first.classifier_area_m2 === undefined ? {} : { classifier_area_m2: first.classifier_area_m2 }),
            energy_delay_area_product: first.energy_delay_area_product!,
            images_per_s_per_mm2: first.images_per_s_per_mm2!,
            energy_per_image_per_mm2_j: first.energy_per_image_per_mm2_j!,
          }),
    },
    ...(o.perImage === true
      ? { per_image: predictions.slice(0, count).map((p, k) => ({ image: `${o.set}/${o.from + k}`, label: p.label ?? null, predicted: p.predicted, correct: p.label === undefined ? null : p.label === p.predicted })) }
      : {}),
    ...(chips > 1 && perChip !== undefined ? { chips: chipSpread(firstChip, perChip) } : {}),
    ...(warnings.length === 0 ? {} : { warnings }),
  };
}

/**
 * The accuracy of a scenario's functional model over `count` images of a data set, or
 * undefined when its design has no functional model yet or the images have no labels.
 */
export async function functionalAccuracy(scenario: Scenario, o: Omit<EvaluateOptions, 'perImage' | 'count'> & { readonly count: number }): Promise<Accuracy | undefined> {
  if (scenario.design.functional === undefined) return undefined;
  const data = loadMnist(o.dir, o.set);
  mnistImages(o.dir, o.from, o.set, o.count, '--from');
  const outcome = await evaluateImages(scenario, { dir: o.dir, set: o.set, from: o.from, count: o.count, workers: o.workers, ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }) });
  const labels = data.labels;
  return scorePredictions(Array.from(outcome.predicted, (predicted, k) => ({ label: labels?.[o.from + k], predicted })), outcome.classes)?.accuracy;
}

/**
 * The accuracy of a scenario's functional model on `chips` dies (from the scenario's `chip`
 * on, as `eval --chips`), pooled over them, and its spread over the chips; undefined when
 * the design has no functional model or the images have no labels.
 */
export async function functionalChipAccuracy(scenario: Scenario, o: Omit<EvaluateOptions, 'perImage' | 'count' | 'chips' | 'plain'> & { readonly count: number; readonly chips: number }): Promise<{ readonly accuracy: Accuracy; readonly chips: ChipSpread } | undefined> {
  if (scenario.design.functional === undefined) return undefined;
  const labels = loadMnist(o.dir, o.set).labels;
  mnistImages(o.dir, o.from, o.set, o.count, '--from');
  if (labels === undefined) return undefined;
  const firstChip = scenario.value.chip ?? 0;
  const rates: number[] = [];
  let correct = 0;
  let images = 0;
  for (let c = 0; c < o.chips; c++) {
    const progress = o.onProgress;
    const outcome = await evaluateImages(onChip(scenario, firstChip + c), { dir: o.dir, set: o.set, from: o.from, count: o.count, workers: o.workers, ...(progress === undefined ? {} : { onProgress: (done: number) => progress(c * o.count + done, o.chips * o.count) }) });
    const scored = scorePredictions(Array.from(outcome.predicted, (predicted, k) => ({ label: labels[o.from + k], predicted })), outcome.classes)!;
    correct += scored.accuracy.correct;
    images += scored.accuracy.images;
    rates.push(scored.accuracy.rate);
  }
  return { accuracy: accuracy(correct, images), chips: chipSpread(firstChip, rates) };
}
