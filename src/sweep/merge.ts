import type { Sweep, SweepPoint } from './load.js';
import type { ResultLine } from './measure.js';
import { resultText, type ResultsRead } from './results-file.js';
import { sweepFingerprint, type PartStamp } from './shard.js';
import { SweepMergeError } from './sweep-error.js';

/** A part file as read. */
export interface PartRead {
  readonly file: string;
  readonly read: ResultsRead;
}

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

/** The settings a command line can change, which change every point's key. */
const SETTINGS = [
  { field: 'eval_images', name: '--eval-images' },
  { field: 'eval_chips', name: '--eval-chips' },
  { field: 'run_images', name: 'run images (run.images, --images)' },
] as const;

/** What the parts were run with, if they say; undefined for a setting none of them records. */
export interface PartSettings {
  readonly evalImages?: number;
  readonly evalChips?: number;
  readonly runImages?: number;
}

const stampsOf = (p: PartRead): PartStamp[] => [...new Map(p.read.lines.flatMap((l) => (l.part === undefined ? [] : [[JSON.stringify(l.part), l.part] as const]))).values()];

/**
 * What the parts were all run with. Parts run with different settings cannot be one sweep's:
 * said setting by setting, with the parts of each value.
 */
export function partSettings(sweep: Sweep, parts: readonly PartRead[]): PartSettings {
  const asked: Record<(typeof SETTINGS)[number]['field'], number | undefined> = { eval_images: sweep.eval?.images, eval_chips: sweep.eval?.chips, run_images: sweep.run?.images };
  const out: { evalImages?: number; evalChips?: number; runImages?: number } = {};
  const setting = { eval_images: 'evalImages', eval_chips: 'evalChips', run_images: 'runImages' } as const;
  for (const { field, name } of SETTINGS) {
    const files = new Map<number, string[]>();
    for (const p of parts) for (const s of stampsOf(p)) {
      const v = s[field];
      if (v !== undefined && !(files.get(v) ?? []).includes(p.file)) files.set(v, [...(files.get(v) ?? []), p.file]);
    }
    if (files.size > 1) {
      throw new SweepMergeError(`the parts were run with different ${name}: ${[...files].map(([v, f]) => `${v} in ${f.join(', ')}`).join('; ')}${asked[field] === undefined ? '' : ` (the sweep file asks ${asked[field]})`}: they are slices of different sweeps; run the shards again with one`);
    }
    const [only] = files.keys();
    if (only !== undefined) out[setting[field]] = only;
  }
  return out;
}

/** A part of another sweep, or of this one as it was, or from another spinarch: said for the first such part. */
export function checkPartsBelong(sweep: Sweep, parts: readonly PartRead[]): void {
  const fingerprint = sweepFingerprint(sweep);
  for (const p of parts) {
    const other = p.read.lines.find((l) => l.spinarch !== sweep.version);
    if (other !== undefined) {
      // The file is read, not trusted: its version may be missing or not a string.
      const by = typeof other.spinarch === 'string' ? `was run by spinarch ${other.spinarch}` : `does not say which spinarch ran it (its line of ${other.key} has spinarch: ${JSON.stringify(other.spinarch) ?? 'nothing'})`;
      throw new SweepMergeError(`${p.file} ${by}, and this is ${sweep.version}: every point's result depends on the version; run its shard again with this one`);
    }
    const foreign = stampsOf(p).find((s) => s.sweep !== fingerprint);
    if (foreign === undefined) continue;
    const mine = sweep.source.split('/').pop();
    throw new SweepMergeError(
      foreign.of === mine
        ? `${p.file} is shard ${foreign.shard} of ${foreign.of} as it was when the shard ran, with other points: the sweep file or its scenarios changed since; run that shard again`
        : `${p.file} is shard ${foreign.shard} of another sweep, ${foreign.of}, not of ${mine}: give the parts of this sweep (or --sweep ${foreign.of})`,
    );
  }
}

/** A merged line is a line of the whole sweep: a part's stamp is left behind. */
const unstamped = ({ part: _part, ...line }: ResultLine): ResultLine => line;

/** Joins the parts of a sharded sweep, checking that each point is there exactly once. */
export function mergeParts(sweep: Sweep, parts: readonly PartRead[]): Merged {
  const found = new Map<string, { line: ResultLine; file: string }>();
  const conflicts = new Map<string, Set<string>>();
  const notes: string[] = [];
  let foreign = 0;
  const inSweep = new Set(sweep.points.map((p) => p.key));
  for (const { file, read: r } of parts) {
    if (r.partialTail) notes.push(`${file}: its last line is half-written (that shard was killed): run it again`);
    if (r.damaged.length > 0) notes.push(`${file}: lines ${r.damaged.join(', ')} are not results, left out`);
    for (const stampedLine of r.lines) {
      const line = unstamped(stampedLine);
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
