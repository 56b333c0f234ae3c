import { compareRuns, type Comparison } from '../arch/compare.js';
import type { ImageSource } from '../data/images.js';
import type { RunReport } from '../arch/report.js';
import { runScenario } from '../arch/runner.js';
import { loadScenario } from '../arch/scenario.js';
import { comparisonCsv, comparisonMarkdown, formatComparison } from './compare-format.js';
import { UsageError, type CliIo } from './io.js';

export interface CompareOptions {
  readonly baseline?: string;
  readonly format: 'table' | 'json' | 'csv' | 'markdown';
  readonly images: number;
  readonly set: readonly string[];
  readonly source?: ImageSource;
}

/** Runs each scenario (the same --set applied to all) and prints them side by side. */
export function compareScenarios(files: readonly string[], o: CompareOptions, io: CliIo): Comparison {
  if (files.length === 0) throw new UsageError('compare needs at least one scenario');
  const scenarios = files.map((f) => loadScenario(f, o.set));
  const names = scenarios.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new UsageError(`two scenarios are named '${duplicate}'; give one a different name: key`);
  const baseline = o.baseline ?? names[0]!;
  if (!names.includes(baseline)) throw new UsageError(`--baseline ${baseline} is not one of the scenarios compared (${names.join(', ')})`);
  const reports: RunReport[] = scenarios.map((s, i) => {
    if (io.errIsTty) io.err(`\rrunning ${i + 1}/${scenarios.length}: ${s.name}\u001b[K`);
    return runScenario(s, { images: o.images, ...(o.source === undefined ? {} : { source: o.source }) });
  });
  if (io.errIsTty) io.err('\r\u001b[K');
  const c = compareRuns(reports, baseline);
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
