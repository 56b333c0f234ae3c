import type { Sweep, SweepPoint } from './load.js';
import type { ResultLine } from './measure.js';
import { readResults, resultText } from './results-file.js';

export interface Merged {
  /** The sweep's points found, in its order. */
  readonly lines: readonly ResultLine[];
  readonly missing: readonly SweepPoint[];
  /** Points in more than one part with different results (the same result twice is harmless). */
  readonly conflicting: readonly { readonly key: string; readonly files: readonly string[] }[];
  /** Lines of points the sweep does not have. */
  readonly foreign: number;
  readonly notes: readonly string[];
}

/** Joins the parts of a sharded sweep, checking that each point is there exactly once. */
export function mergeParts(sweep: Sweep, parts: readonly string[]): Merged {
  const found = new Map<string, { line: ResultLine; file: string }>();
  const conflicts = new Map<string, Set<string>>();
  const notes: string[] = [];
  let foreign = 0;
  const inSweep = new Set(sweep.points.map((p) => p.key));
  for (const file of parts) {
    const r = readResults(file);
    if (r.partialTail) notes.push(`${file}: its last line is half-written (that shard was killed): run it again`);
    if (r.damaged.length > 0) notes.push(`${file}: lines ${r.damaged.join(', ')} are not results, left out`);
    for (const line of r.lines) {
      if (!inSweep.has(line.key)) {
        foreign++;
        continue;
      }
      const before = found.get(line.key);
      if (before === undefined) found.set(line.key, { line, file });
      else if (resultText(before.line) !== resultText(line)) conflicts.set(line.key, (conflicts.get(line.key) ?? new Set([before.file])).add(file));
    }
  }
  return {
    lines: sweep.points.flatMap((p) => {
      const f = found.get(p.key);
      return f === undefined ? [] : [f.line];
    }),
    missing: sweep.points.filter((p) => !found.has(p.key)),
    conflicting: [...conflicts].map(([key, files]) => ({ key, files: [...files] })),
    foreign,
    notes,
  };
}
