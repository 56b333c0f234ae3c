import { compareRuns, type Comparison } from '../arch/compare.js';
import type { ImageSource } from '../data/images.js';
import type { RunReport } from '../arch/report.js';
import { loadScenario } from '../arch/scenario.js';
import { comparisonCsv, comparisonMarkdown, formatComparison } from './compare-format.js';
import { UsageError, type CliIo } from './io.js';
import type { Accuracy } from '../arch/accuracy.js';
import { functionalAccuracy, functionalChipAccuracy, type ChipSpread } from '../eval/evaluate.js';
import { defaultWorkers } from '../workers/threads.js';
import { runSpread } from '../workers/run-images.js';
import { mnistDir } from './input.js';
import { spreadClock } from './options.js';
import { progressBar } from './progress.js';

export interface CompareOptions {
  readonly baseline?: string;
  readonly format: 'table' | 'json' | 'csv' | 'markdown';
  readonly images: number;
  readonly set: readonly string[];
  readonly source?: ImageSource;
  /** Accuracy from the functional model over this many MNIST test images (from `mnist`), instead of the images run. */
  readonly accuracyImages?: number;
  /** With accuracyImages: evaluate on this many chips, and show their mean, sd and range. */
  readonly chips?: number;
  readonly mnist?: string | true;
  /** Threads for the event-level images and the accuracy images (default: one per core). */
  readonly workers?: number;
}

/** Runs each scenario (the same --set applied to all) and prints them side by side. */
export async function compareScenarios(files: readonly string[], o: CompareOptions, io: CliIo): Promise<Comparison> {
  if (files.length === 0) throw new UsageError('compare needs at least one scenario');
  const scenarios = files.map((f) => loadScenario(f, o.set));
  const names = scenarios.map((s) => s.name);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) {
    const first = names.indexOf(names[twice]!);
    const [a, b] = [scenarios[first]!.raw.file, scenarios[twice]!.raw.file];
    throw new UsageError(a === b ? `${a} is given twice: compare each scenario once` : `${a} and ${b} are both named '${names[twice]!}': give one another name with a name: key (or --set name=...)`);
  }
  const baseline = o.baseline ?? names[0]!;
  if (!names.includes(baseline)) throw new UsageError(`--baseline ${baseline} is not one of the scenarios compared (${names.join(', ')})`);
  if (o.chips !== undefined && o.accuracyImages === undefined) throw new UsageError(`--chips ${o.chips} evaluates accuracy on several chips: give --accuracy-images N as well (the images each chip classifies)`);
  const workers = o.workers ?? defaultWorkers();
  const bar = progressBar(io, 'comparing', scenarios.length, 'scenarios');
  const reports: RunReport[] = [];
  const accuracies: (Accuracy | undefined)[] = [];
  const spreads: (ChipSpread | undefined)[] = [];
  try {
    for (const s of scenarios) {
      reports.push(await runSpread(s, { images: o.images, workers, ...spreadClock, ...(o.source === undefined ? {} : { source: o.source }) }));
      if (o.accuracyImages !== undefined && o.chips !== undefined) {
        const r = await functionalChipAccuracy(s, { dir: mnistDir(o.mnist), set: 'test', from: 0, count: o.accuracyImages, chips: o.chips, workers });
        accuracies.push(r?.accuracy);
        spreads.push(r?.chips);
      } else if (o.accuracyImages !== undefined) {
        accuracies.push(await functionalAccuracy(s, { dir: mnistDir(o.mnist), set: 'test', from: 0, count: o.accuracyImages, workers }));
      }
      bar.update(reports.length, s.name);
    }
  } finally {
    bar.stop();
  }
  // Accuracy is MNIST's: from the functional model, or from the event-level run of MNIST images; a synthetic digit's class is no accuracy.
  const compared =
    o.accuracyImages !== undefined
      ? { over: `MNIST test images from the first, by the functional model${o.chips === undefined ? '' : `, pooled over ${o.chips} chips`}`, of: accuracies, ...(o.chips === undefined ? {} : { chips: { count: o.chips, of: spreads } }) }
      : o.source !== undefined && o.source.spec?.kind !== 'synthetic'
        ? { over: `${o.source.description.replace(/ \(.*?\)/, '')}, run at event level`, of: reports.map((r) => r.accuracy) }
        : undefined;
  const c = compareRuns(reports, baseline, compared);
  switch (o.format) {
    case 'json':
      io.out(`${JSON.stringify(c, null, 2)}\n`);
      break;
    case 'csv':
      io.out(comparisonCsv(c));
      break;
    case 'markdown':
      io.out(comparisonMarkdown(c));
      break;
    case 'table':
      io.out(formatComparison(c, Math.max(60, io.columns ?? 100)));
  }
  return c;
}
