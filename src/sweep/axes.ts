import type { AxisRange } from './spec.js';

/** A number with an optional unit as written: `17 nm`, `0.5`, `20mV`. */
const QUANTITY = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµΩ%][\w/µΩ%]*)?\s*$/u;

/** Splits `17 nm` into 17 and 'nm'; undefined for anything else. */
export function splitQuantity(v: unknown): { value: number; unit: string } | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? { value: v, unit: '' } : undefined;
  if (typeof v !== 'string') return undefined;
  const m = QUANTITY.exec(v);
  return m === null ? undefined : { value: Number(m[1]), unit: m[2] ?? '' };
}

/**
 * Points a sweep may have unless told otherwise (--max-points): at a second or more a point,
 * 10,000 is hours; 1e6 (two axes of 1,000) would take gigabytes just to build.
 */
export const MAX_SWEEP_POINTS = 10_000;

/** Points a range may hold: a sweep of more is almost surely a typo in the step. */
export const MAX_RANGE_POINTS = 10_000;

/**
 * The values of a range, both ends included: numbers, or quantities in the unit the ends are
 * written in. Each value is rounded to 12 significant digits so 0.1 steps do not drift.
 * Returns an error message for a range that cannot be read.
 */
export function expandRange(r: AxisRange): unknown[] | string {
  const from = splitQuantity(r.from);
  const to = splitQuantity(r.to);
  const step = splitQuantity(r.step);
  if (from === undefined || to === undefined || step === undefined) return `a range is written from, to and step as numbers or quantities, like {from: 17 nm, to: 60 nm, step: 1 nm}`;
  const units = new Set([from.unit, to.unit, step.unit]);
  if (units.size > 1) return `from, to and step must be in one unit, got '${from.unit}', '${to.unit}' and '${step.unit}'`;
  if (!(step.value > 0)) return `step must be > 0, got ${String(r.step)}`;
  if (to.value < from.value) return `to (${String(r.to)}) is below from (${String(r.from)})`;
  const span = (to.value - from.value) / step.value;
  const count = Math.floor(span + 1e-9) + 1;
  if (count > MAX_RANGE_POINTS) return `that range has ${count.toLocaleString('en-US')} points, more than ${MAX_RANGE_POINTS.toLocaleString('en-US')}: check the step`;
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const v = Number((from.value + i * step.value).toPrecision(12));
    values.push(from.unit === '' ? v : `${v} ${from.unit}`);
  }
  return values;
}

/** `A:B:STEP` (a range) as a mapping, or undefined if the text is not one. */
export function rangeText(text: string): AxisRange | undefined {
  const parts = text.split(':');
  if (parts.length !== 3 || parts.some((p) => splitQuantity(p) === undefined)) return undefined;
  return { from: parts[0]!.trim(), to: parts[1]!.trim(), step: parts[2]!.trim() };
}

/** Every combination of the axes' values, the first axis outermost: [[v0, w0], [v0, w1], ...]. */
export function combinations<T>(axes: readonly (readonly T[])[]): T[][] {
  let out: T[][] = [[]];
  for (const values of axes) out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
  return out;
}
