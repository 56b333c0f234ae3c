import { planTotal, type AreaPlan } from '../components/area.js';
import { COMPONENT_CLASSES, type ComponentClass } from '../components/records.js';
import { asScenarioError, type Scenario } from './scenario.js';

/** One block's area in a report (all its instances). */
export interface AreaBreakdownLine {
  readonly component: string;
  readonly class: ComponentClass;
  readonly count: number;
  readonly area_m2: number;
  /** How the block's area function worked it out. */
  readonly basis: string;
}

/** What every report says of the chip's area (from the scenario: no simulation). */
export interface AreaReport {
  /** In the same scope as energy_j: the classifier head only when it counts. */
  readonly area_m2: number;
  /** Largest first; a head outside the totals is listed, with its class. */
  readonly area_breakdown: readonly AreaBreakdownLine[];
  /** By class (the classes of the energy breakdown), in scope. */
  readonly area_by_class: Readonly<Record<ComponentClass, number>>;
  /** The classifier head's area, counted in area_m2 or not (designs with one). */
  readonly classifier_area_m2?: number;
}

/** The area a report states, from a design's plan. */
export function areaReport(plan: AreaPlan): AreaReport {
  const total = planTotal(plan);
  const inScope = (c: ComponentClass): boolean => c !== 'classifier' || plan.head === true;
  const byClass = Object.fromEntries(COMPONENT_CLASSES.map((c) => [c, inScope(c) ? plan.lines.filter((l) => l.kind === c).reduce((a, l) => a + l.area, 0) : 0])) as Record<ComponentClass, number>;
  const head = plan.lines.filter((l) => l.kind === 'classifier');
  return {
    area_m2: total,
    area_breakdown: plan.lines
      .map((l) => ({ component: l.component, class: l.kind, count: l.count, area_m2: l.area, basis: l.basis }))
      .sort((a, b) => b.area_m2 - a.area_m2 || a.component.localeCompare(b.component)),
    area_by_class: byClass,
    ...(head.length === 0 ? {} : { classifier_area_m2: head.reduce((a, l) => a + l.area, 0) }),
  };
}

/** The scenario's area (its design's area functions over its area table); a mapping problem as a scenario error. */
export function scenarioArea(scenario: Scenario): AreaReport {
  try {
    return areaReport(scenario.design.area(scenario.value, scenario.layers));
  } catch (error) {
    throw asScenarioError(scenario.raw, error);
  }
}

/** Figures a user compares designs on, per image, from energy, latency and area. */
export interface AreaFigures {
  /** Energy x latency x area, J s m^2. */
  readonly energy_delay_area_product: number;
  /** Images per second (one after another, at the latency per image) per mm^2 of chip. */
  readonly images_per_s_per_mm2: number;
  /** Energy per image per mm^2 of chip, J/mm^2. */
  readonly energy_per_image_per_mm2_j: number;
}

export function areaFigures(energy_j: number, latency_ps: number, area_m2: number): AreaFigures {
  const mm2 = area_m2 * 1e6;
  const latency = latency_ps * 1e-12;
  return {
    energy_delay_area_product: energy_j * latency * area_m2,
    images_per_s_per_mm2: latency > 0 && mm2 > 0 ? 1 / latency / mm2 : 0,
    energy_per_image_per_mm2_j: mm2 > 0 ? energy_j / mm2 : 0,
  };
}
