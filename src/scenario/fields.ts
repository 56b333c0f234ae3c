import { z } from 'zod';
import { QUANTITY_KINDS, article, formatQuantity, kindLabel, parseQuantity, type QuantityKind } from './units.js';

export interface QuantityBounds {
  /** Smallest allowed value, in SI units (ps for time). */
  readonly min?: number;
  readonly max?: number;
  /** Value must be > 0. */
  readonly positive?: boolean;
}

const VALUE_PATTERN = String.raw`^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*\S.*$`;

/**
 * A physical parameter written with its unit (`'1.5 ns'`), parsed to SI (time to integer ps).
 * A bare number is refused with "missing unit"; a wrong dimension names what was expected.
 */
export function quantity(kind: QuantityKind, bounds: QuantityBounds = {}) {
  const spec = QUANTITY_KINDS[kind];
  const expected = `${article(kindLabel(kind))} with its unit, like '${spec.example}'`;
  return z
    .string({
      error: (issue) =>
        typeof issue.input === 'number'
          ? `missing unit: expected ${expected}, got the bare number ${issue.input}`
          : issue.input === undefined
            ? `required key is missing: expected ${expected}`
            : `expected ${expected}`,
    })
    .transform((text, ctx) => {
      const r = parseQuantity(text, kind);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.error });
        return z.NEVER;
      }
      const v = r.value;
      const show = (x: number): string => formatQuantity(x, kind, 4);
      if (bounds.positive === true && !(v > 0)) ctx.addIssue({ code: 'custom', message: `must be greater than 0, got '${text}'` });
      // A bound written as a quantity ('200 nm') parses to a float a hair off it (2.0000000000000002e-7): allow that hair.
      const slack = (b: number): number => Math.abs(b) * 1e-12;
      if (bounds.min !== undefined && v < bounds.min - slack(bounds.min)) ctx.addIssue({ code: 'custom', message: `must be at least ${show(bounds.min)}, got '${text}'` });
      if (bounds.max !== undefined && v > bounds.max + slack(bounds.max)) ctx.addIssue({ code: 'custom', message: `must be at most ${show(bounds.max)}, got '${text}'` });
      return v;
    })
    .meta({ description: `${kindLabel(kind)} with unit, e.g. '${spec.example}'`, pattern: VALUE_PATTERN });
}

/** A whole number in [min, max]. */
export function wholeNumber(min = 0, max = Number.MAX_SAFE_INTEGER) {
  return z.number().int().min(min).max(max);
}

/** A plain (dimensionless) number, finite. */
export function ratio(min = -Infinity, max = Infinity) {
  let s = z.number();
  if (Number.isFinite(min)) s = s.min(min);
  if (Number.isFinite(max)) s = s.max(max);
  return s;
}
