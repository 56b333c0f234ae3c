import { COMPONENT_CLASSES, type ComponentClass } from '../components/records.js';
import type { Accuracy } from './accuracy.js';
import type { ChipSpread } from '../eval/evaluate.js';
import type { RunReport } from './report.js';

/** Unit of a compared figure, for formatting ('ratio': a fraction, shown as a percentage). */
export type MetricUnit = 's' | 'J' | 'J·s' | 'W' | 'b' | 'count' | 'ratio' | 'm²' | 'J·s·mm²' | '/s/mm²' | 'J/mm²';

export interface Metric {
  readonly metric: string;
  readonly unit: MetricUnit;
  /** One value per scenario, per image (NaN where a scenario has none, such as no accuracy). */
  readonly values: readonly number[];
  /** value / baseline value; null where the baseline's value is 0 or missing. */
  readonly ratios: readonly (number | null)[];
  /** 95 % intervals of the values, where they are estimates (accuracy). */
  readonly intervals?: readonly (readonly [number, number] | null)[];
  /** The spread over chips of an accuracy evaluated on several (values: their mean). */
  readonly spread?: readonly (ChipSpread | null)[];
}

/** What the accuracy row was measured over, or why there is none. */
export type AccuracyBasis =
  | { readonly evaluated: true; /** Images per scenario (pooled over the chips, with chips). */ readonly images: readonly (number | null)[]; readonly over: string; /** Chips each scenario was evaluated on (compare --chips). */ readonly chips?: number }
  | { readonly evaluated: false; readonly note: string };

/** Accuracies to compare and what they are over ("the first 1,000 MNIST test images, functional model"). */
export interface ComparedAccuracy {
  readonly over: string;
  readonly of: readonly (Accuracy | undefined)[];
  /** With several chips: each scenario's spread over them (its accuracy above is pooled). */
  readonly chips?: { readonly count: number; readonly of: readonly (ChipSpread | undefined)[] };
}

export const ACCURACY_NOT_EVALUATED = 'not evaluated (use --accuracy-images N)';

export interface Comparison {
  readonly baseline: string;
  readonly scenarios: readonly { readonly name: string; readonly design: string; readonly title: string }[];
  /** The accuracy row's basis; without one, the row is left out (a synthetic digit's class says nothing of accuracy). */
  readonly accuracy: AccuracyBasis;
  readonly metrics: readonly Metric[];
}

const CLASS_LABEL: Readonly<Record<ComponentClass, string>> = {
  memory: 'energy: memory',
  'adc-dac': 'energy: ADC/DAC',
  digital: 'energy: digital',
  analog: 'energy: analog compute',
  spintronic: 'energy: spintronic devices',
  driver: 'energy: drivers',
  classifier: 'energy: classifier head',
};

const AREA_LABEL: Readonly<Record<ComponentClass, string>> = {
  memory: 'area: memory',
  'adc-dac': 'area: ADC/DAC',
  digital: 'area: digital',
  analog: 'area: analog compute',
  spintronic: 'area: spintronic devices',
  driver: 'area: drivers',
  classifier: 'area: classifier head',
};

// The head's area whether it counts or not, as its energy row does.
const classArea = (r: RunReport, c: ComponentClass): number => (c === 'classifier' ? (r.classifier_area_m2 ?? 0) : (r.area_by_class?.[c] ?? Number.NaN));
const classEnergy = (r: RunReport, c: ComponentClass): number => r.energy_breakdown.filter((l) => l.class === c).reduce((a, l) => a + l.energy_j, 0);
const conversions = (r: RunReport): number => r.counts['adc_conversions'] ?? r.counts['adc_conversion'] ?? 0;

/** The accuracy over chips: each scenario's mean over its chips, with their sd and range. */
function chipRow(spreads: readonly (ChipSpread | undefined)[], base: number): Metric {
  const b = spreads[base]?.mean;
  return {
    metric: 'accuracy over chips',
    unit: 'ratio',
    values: spreads.map((s) => s?.mean ?? Number.NaN),
    ratios: spreads.map((s) => (s === undefined || b === undefined || b === 0 ? null : s.mean / b)),
    spread: spreads.map((s) => s ?? null),
  };
}

/**
 * Puts runs side by side, per image, with each figure's ratio to the baseline run. Accuracy
 * is the one given, over what it says; without it there is no accuracy row.
 */
export function compareRuns(reports: readonly RunReport[], baseline: string, compared?: ComparedAccuracy): Comparison {
  const base = reports.findIndex((r) => r.scenario === baseline);
  if (base < 0) throw new RangeError(`no scenario named '${baseline}' among ${reports.map((r) => r.scenario).join(', ')}`);
  const accuracy = reports.map((_, i) => compared?.of[i]);
  const b = accuracy[base]?.rate;
  const accuracyRows: Metric[] =
    compared === undefined
      ? []
      : [
          {
            metric: 'accuracy',
            unit: 'ratio',
            values: accuracy.map((a) => a?.rate ?? Number.NaN),
            ratios: accuracy.map((a) => (a === undefined || b === undefined || b === 0 ? null : a.rate / b)),
            intervals: accuracy.map((a) => a?.ci95 ?? null),
          },
          ...(compared.chips === undefined ? [] : [chipRow(compared.chips.of, base)]),
        ];
  const rows: [string, MetricUnit, (r: RunReport) => number][] = [
    ['latency per image', 's', (r) => r.latency_ps * 1e-12],
    ['energy per image', 'J', (r) => r.energy_j],
    ['energy-delay product', 'J·s', (r) => r.energy_j * r.latency_ps * 1e-12],
    ...COMPONENT_CLASSES.map((c): [string, MetricUnit, (r: RunReport) => number] => [CLASS_LABEL[c], 'J', (r) => classEnergy(r, c)]),
    ['area', 'm²', (r) => r.area_m2 ?? Number.NaN],
    ...COMPONENT_CLASSES.map((c): [string, MetricUnit, (r: RunReport) => number] => [AREA_LABEL[c], 'm²', (r) => classArea(r, c)]),
    ['energy-delay-area product', 'J·s·mm²', (r) => (r.energy_delay_area_product ?? Number.NaN) * 1e6],
    ['images per second per mm²', '/s/mm²', (r) => r.images_per_s_per_mm2 ?? Number.NaN],
    ['energy per image per mm²', 'J/mm²', (r) => r.energy_per_image_per_mm2_j ?? Number.NaN],
    ['classifier head latency', 's', (r) => (r.classifier_latency_ps ?? 0) * 1e-12],
    ['memory traffic', 'b', (r) => r.traffic.bits_read + r.traffic.bits_written],
    ['ADC conversions', 'count', conversions],
    ['peak power', 'W', (r) => r.power.peak_w],
    ['average power', 'W', (r) => r.power.average_w],
    ['events simulated', 'count', (r) => r.events],
  ];
  return {
    baseline,
    scenarios: reports.map((r) => ({ name: r.scenario, design: r.design, title: r.title })),
    accuracy: compared === undefined ? { evaluated: false, note: ACCURACY_NOT_EVALUATED } : { evaluated: true, images: accuracy.map((a) => a?.images ?? null), over: compared.over, ...(compared.chips === undefined ? {} : { chips: compared.chips.count }) },
    metrics: [
      ...accuracyRows,
      ...rows.map(([metric, unit, f]): Metric => {
        const values = reports.map(f);
        const b = values[base]!;
        return { metric, unit, values, ratios: values.map((v) => (b === 0 || Number.isNaN(b) || Number.isNaN(v) ? null : v / b)) };
      }),
    ],
  };
}
