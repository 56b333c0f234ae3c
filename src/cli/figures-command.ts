import { readFileSync } from 'node:fs';
import { displayPath } from '../scenario/load.js';
import { defaultWorkers } from '../workers/threads.js';
import { ACCURACY_CASES, accuracyBlocks, accuracyFilePath, evaluateAccuracyCases, readAccuracyFile, writeAccuracyFile } from './accuracy-figures.js';
import { figuresMarkdown, publishedFigures, readmeBlocks } from './figures.js';
import { UsageError, writeText, type CliIo } from './io.js';
import { progressBar } from './progress.js';

export interface FiguresOptions {
  readonly update?: string;
  readonly evaluate?: boolean;
  readonly workers?: number;
  readonly cases?: string;
}

/** `spinarch figures`: the published figures beside spinarch's, printed or written into the README. */
export async function figuresCommand(o: FiguresOptions, io: CliIo): Promise<void> {
  if (o.evaluate === true) {
    const bar = progressBar(io, 'evaluating', ACCURACY_CASES.length, 'cases');
    try {
      const only = o.cases === undefined ? [] : o.cases.split(',').map((c) => c.trim()).filter((c) => c !== '');
      writeAccuracyFile(await evaluateAccuracyCases(o.workers ?? defaultWorkers(), only, (done, _total, id) => bar.update(done, id)));
    } finally {
      bar.stop();
    }
    io.err(`wrote ${displayPath(accuracyFilePath())}\n`);
  }
  if (o.update === undefined) {
    io.out(figuresMarkdown(publishedFigures()));
    if (o.evaluate !== true) io.out(Object.values(accuracyBlocks(readAccuracyFile())).join('\n'));
    return;
  }
  let text: string;
  try {
    text = readFileSync(o.update, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${o.update}: ${(error as Error).message}`);
  }
  for (const [name, table] of Object.entries(readmeBlocks())) {
    const marked = new RegExp(`(<!-- ${name}:begin -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!marked.test(text)) throw new UsageError(`${o.update} has no <!-- ${name}:begin --> ... <!-- ${name}:end --> block`);
    text = text.replace(marked, (_m, begin: string, end: string) => `${begin}${table}${end}`);
  }
  writeText(o.update, text);
  io.out(`updated the generated tables in ${o.update}\n`);
}
