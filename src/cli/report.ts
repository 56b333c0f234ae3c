import { loadScenario, type Scenario } from '../arch/scenario.js';
import { writeFileAtomic } from '../data/output-file.js';
import { runDesign, type DesignFigures } from '../report/design-run.js';
import { designPage } from '../report/page.js';
import { mnistProvenance, provenance } from '../report/provenance.js';
import { sweepPage } from '../report/sweep-page.js';
import { displayPath } from '../scenario/load.js';
import { defaultWorkers } from '../workers/threads.js';
import { mnistDir } from './input.js';
import { UsageError, type CliIo } from './io.js';
import { checkOutputs, scenarioInputs } from './outputs.js';

export interface ReportOptions {
  readonly out: string;
  readonly results?: string;
  readonly evalImages: number;
  readonly chips: number;
  readonly workers?: number;
  readonly mnist?: string | true;
  readonly set: readonly string[];
  readonly force?: boolean;
}

/** The command line as a user would type it again (arguments with spaces or quotes quoted). */
export const commandLine = (argv: readonly string[]): string => ['spinarch', ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');

/** `spinarch report`: scenarios (or a sweep's results) as one self-contained HTML page. */
export async function reportCommand(files: readonly string[], o: ReportOptions, argv: readonly string[], io: CliIo): Promise<void> {
  if (!/\.html?$/i.test(o.out)) throw new UsageError(`--out ${o.out}: a report is an HTML page; name the file .html`);
  const command = commandLine(argv);
  if (o.results !== undefined) {
    if (files.length > 0) throw new UsageError('give scenarios or --results FILE, not both (a sweep\'s results file already says what was run)');
    checkOutputs([{ flag: '--out', file: o.out, kind: 'html' }], [o.results], o.force === true);
    const html = await sweepPage(o.results, command);
    writeFileAtomic(o.out, html);
    io.err(`wrote ${o.out} (the sweep in ${displayPath(o.results)}; open it in a browser)\n`);
    return;
  }
  if (files.length === 0) throw new UsageError('report needs scenario files, or --results FILE for a sweep');
  checkOutputs([{ flag: '--out', file: o.out, kind: 'html' }], files, o.force === true);
  const scenarios: Scenario[] = files.map((f) => loadScenario(f, o.set));
  const names = scenarios.map((s) => s.name);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) throw new UsageError(`${files[twice]!} is named '${names[twice]!}' like an earlier scenario: report each once (or rename one with --set name=...)`);
  checkOutputs([{ flag: '--out', file: o.out, kind: 'html' }], scenarios.flatMap((s) => scenarioInputs(s.raw, s)), o.force === true);
  const dir = mnistDir(o.mnist);
  const data = mnistProvenance(dir);
  if (o.evalImages > data.images) throw new UsageError(`--eval-images ${o.evalImages}: the MNIST test set in ${data.dir} has ${data.images} images`);
  const designs: DesignFigures[] = [];
  for (const s of scenarios) {
    io.err(`report: ${s.name}: accuracy over ${o.evalImages.toLocaleString('en-US')} MNIST test images${o.chips > 1 ? ` on ${o.chips} chips` : ''}, and one image at event level\n`);
    designs.push(await runDesign(s, { mnist: dir, evalImages: o.evalImages, chips: o.chips, workers: o.workers ?? defaultWorkers() }));
  }
  const html = await designPage({ kind: 'spinarch-report/designs', provenance: provenance(command, scenarios, data), warnings: designs.flatMap((d) => d.warnings.map((w) => (w.startsWith(`${d.scenario}:`) ? w : `${d.scenario}: ${w}`))), baseline: designs[0]!.scenario, designs });
  writeFileAtomic(o.out, html);
  io.err(`wrote ${o.out} (${designs.length} design${designs.length === 1 ? '' : 's'}; open it in a browser)\n`);
}
