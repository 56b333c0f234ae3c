import type { z } from 'zod';

/** The parts of zod's schema definitions this walk reads. */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly element?: z.core.$ZodType;
  readonly innerType?: z.core.$ZodType;
  readonly options?: readonly z.core.$ZodType[];
  readonly in?: z.core.$ZodType;
  readonly getter?: () => z.core.$ZodType;
}

const defOf = (s: z.core.$ZodType): Def => s._zod.def as unknown as Def;

/** Unwraps optional/default/pipe/lazy layers; picks the union member the data matches best. */
function resolve(schema: z.core.$ZodType, data: unknown): z.core.$ZodType {
  let s = schema;
  for (let guard = 0; guard < 32; guard++) {
    const d = defOf(s);
    if (d.innerType !== undefined) s = d.innerType;
    else if (d.type === 'pipe' && d.in !== undefined) s = d.in;
    else if (d.type === 'lazy' && d.getter !== undefined) s = d.getter();
    else if (d.type === 'union' && d.options !== undefined) {
      // A discriminated union: the member whose literal keys match the data.
      const member = d.options.find((o) => {
        const od = defOf(o);
        if (od.type !== 'object' || od.shape === undefined || typeof data !== 'object' || data === null) return false;
        return Object.entries(od.shape).some(([k, v]) => {
          const vd = defOf(v) as Def & { values?: unknown[] };
          return vd.type === 'literal' && Array.isArray(vd.values) && vd.values.includes((data as Record<string, unknown>)[k]);
        });
      });
      if (member === undefined) return s;
      s = member;
    } else return s;
  }
  return s;
}

/** The keys a mapping at `path` may have, if the schema there is an object. */
export function knownKeysAt(schema: z.core.$ZodType, data: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let s = resolve(schema, data);
  let node = data;
  for (const seg of path) {
    const d = defOf(s);
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[String(seg)] : undefined;
    if (d.type === 'object' && d.shape !== undefined && typeof seg === 'string') {
      const next = d.shape[seg];
      if (next === undefined) return undefined;
      s = resolve(next, node);
    } else if (d.type === 'array' && d.element !== undefined) {
      s = resolve(d.element, node);
    } else return undefined;
  }
  const d = defOf(s);
  return d.type === 'object' && d.shape !== undefined ? Object.keys(d.shape) : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** " (did you mean 'x'?)" for a close candidate, else the list of what is allowed. */
export function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 4))) return ` (did you mean '${best}'?)`;
  const lower = word.toLowerCase();
  const partial = lower.length >= 3 ? candidates.filter((c) => c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase())) : [];
  if (partial.length === 1) return ` (did you mean '${partial[0]!}'?)`;
  return candidates.length > 0 && candidates.length <= 12 ? ` (allowed: ${candidates.join(', ')})` : '';
}
