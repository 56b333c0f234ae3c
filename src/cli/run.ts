import type { RunReport } from '../arch/report.js';
import { loadScenario } from '../arch/scenario.js';
import { runSpread } from '../workers/run-images.js';
import { formatRun } from './format.js';
import { imageSource } from './input.js';
import type { CliIo } from './io.js';
import { spreadClock, type InputOptions } from './options.js';
import { progressBar } from './progress.js';

export interface RunCommandOptions extends InputOptions {
  readonly json?: boolean;
  readonly images: number;
  readonly workers: number;
  readonly set: readonly string[];
}

/** `spinarch run`: one scenario's images, spread over threads, reported as tables or JSON. */
export async function runCommand(file: string, o: RunCommandOptions, io: CliIo): Promise<RunReport> {
  const scenario = loadScenario(file, o.set);
  const source = imageSource(o, o.images);
  const bar = progressBar(io, `running ${scenario.name}`, o.images, 'images');
  let report: RunReport;
  try {
    report = await runSpread(scenario, { images: o.images, workers: o.workers, ...spreadClock, ...(source === undefined ? {} : { source }), onProgress: (done) => bar.update(done) });
  } finally {
    bar.stop();
  }
  io.out(o.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatRun(report));
  return report;
}
