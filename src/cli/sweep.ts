import path from 'node:path';
import { plotSvg } from '../plot/draw.js';
import { displayPath } from '../scenario/load.js';
import { describe, loadSweep, shortSweep, type Sweep } from '../sweep/load.js';
import type { ResultLine } from '../sweep/measure.js';
import { readResults } from '../sweep/results-file.js';
import { runSweep } from '../sweep/run-sweep.js';
import { checkPartsBelong, mergeParts, partSettings } from '../sweep/merge.js';
import { queueAddress } from '../sweep/queue/connection.js';
import { parseShard, shardOf } from '../sweep/shard.js';
import { rewriteResults } from '../sweep/results-file.js';
import { PointsFailedError } from '../sweep/sweep-error.js';
import { resultsCsv, resultsMarkdown, resultsTable, shownRows } from '../sweep/table.js';
import { render } from './format.js';
import { UsageError, writeText, type CliIo } from './io.js';
import { progressBar } from './progress.js';
import { checkOutputName, checkOutputs, scenarioInputs, type Output } from './outputs.js';

export type TableFormat = 'table' | 'csv' | 'markdown' | 'json';

export interface SweepCommandOptions {
  readonly vary: readonly string[];
  readonly metric: readonly string[];
  readonly set: readonly string[];
  readonly images?: number;
  readonly evalImages?: number;
  /** Chips per eval point (eval.chips). */
  readonly evalChips?: number;
  readonly out?: string;
  readonly workers: number;
  readonly retryFailed?: boolean;
  readonly format: TableFormat;
  /** Points measured by workers through this Redis queue instead of threads here. */
  readonly queue?: string;
  readonly name?: string;
  /** `I/N`: only the I-th of N slices of the points. */
  readonly shard?: string;
  /** Replace an --out file (or plot) that is not of its kind. */
  readonly force?: boolean;
  readonly maxPoints?: number;
}

/** Every file a sweep reads: the sweep file (or the scenario of the short form) and each point's scenario files. */
function sweepInputs(sweep: Sweep, files: readonly string[]): string[] {
  const inputs = new Set(files.map((f) => path.resolve(f)));
  for (const p of sweep.points) for (const f of scenarioInputs(p.raw)) inputs.add(f);
  for (const p of sweep.points) {
    const w = p.raw.data['weights'];
    const where = p.raw.sources.get('weights.file')?.location.file;
    if (typeof w === 'object' && w !== null && typeof (w as Record<string, unknown>)['file'] === 'string' && where !== undefined && !where.startsWith('--')) inputs.add(path.resolve(path.dirname(where), String((w as Record<string, unknown>)['file'])));
  }
  return [...inputs];
}

/** A sweep's outputs: its results file and its plots. */
const sweepOutputs = (sweep: Sweep, flag: string): Output[] => [{ flag, file: sweep.out, kind: 'results' }, ...sweep.plots.map((p, i) => ({ flag: `plots[${i}].out`, file: p.out, kind: 'svg' as const }))];

/** Results as a table in the format asked for. */
export function formatResults(lines: readonly ResultLine[], format: TableFormat, columns = 100): string {
  const t = resultsTable(lines);
  if (format === 'csv') return resultsCsv(t);
  if (format === 'markdown') return resultsMarkdown(t);
  if (format === 'json') return `${JSON.stringify(lines, null, 2)}\n`;
  if (lines.length === 0) return 'no results\n';
  const rows = shownRows(t);
  // Lines whose point and metrics are both empty have nothing to put in a column.
  if (rows[0]!.length === 0) return `${lines.length} result${lines.length === 1 ? '' : 's'} with no axis value and no metric (empty point and metrics): nothing to show\n`;
  const width = Math.max(8, Math.floor(columns / Math.max(1, rows[0]!.length)) - 3);
  return render(rows, rows[0]!.map((_, i) => i).slice(t.axes.length), { 0: width, rest: width });
}

/** Draws a sweep's plots from its results. */
async function drawPlots(sweep: Sweep, lines: readonly ResultLine[], io: CliIo): Promise<void> {
  for (const plot of sweep.plots) {
    const drawn = await plotSvg(lines, plot);
    writeText(plot.out, drawn.svg);
    io.err(`wrote ${displayPath(plot.out)} (${drawn.drawn} points${drawn.series.length > 1 ? `, ${drawn.series.length} series` : ''}${drawn.skipped > 0 ? `; ${drawn.skipped} left out: failed or without the fields` : ''})\n`);
  }
}

/**
 * `spinarch sweep`: sweep files, or one scenario with --vary axes. Every point of every sweep
 * is built and checked before the first runs; results go to JSON lines as points finish.
 */
export async function sweepCommand(files: readonly string[], o: SweepCommandOptions, io: CliIo): Promise<void> {
  if (o.out !== undefined) checkOutputName('--out', o.out);
  let sweeps: Sweep[];
  if (o.vary.length > 0) {
    if (files.length !== 1) throw new UsageError('with --vary, give one scenario file (a sweep file lists its own axes)');
    sweeps = [
      shortSweep({
        scenario: files[0]!,
        vary: o.vary,
        metrics: o.metric,
        set: o.set,
        ...(o.images === undefined ? {} : { runImages: o.images }),
        ...(o.evalImages === undefined ? {} : { evalImages: o.evalImages }),
        ...(o.evalChips === undefined ? {} : { evalChips: o.evalChips }),
        out: o.out ?? `${path.basename(files[0]!).replace(/\.ya?ml$/i, '')}.sweep.jsonl`,
        ...(o.maxPoints === undefined ? {} : { maxPoints: o.maxPoints }),
      }),
    ];
  } else {
    if (o.metric.length > 0 || o.set.length > 0 || o.images !== undefined) throw new UsageError('--metric, --set and --images go with --vary (the short form); a sweep file says them itself');
    if (files.length > 1 && o.out !== undefined) throw new UsageError('--out names one results file: give one sweep file with it');
    sweeps = files.map((f) => loadSweep(f, { ...(o.out === undefined ? {} : { out: o.out }), ...(o.evalImages === undefined ? {} : { evalImages: o.evalImages }), ...(o.evalChips === undefined ? {} : { evalChips: o.evalChips }), ...(o.maxPoints === undefined ? {} : { maxPoints: o.maxPoints }) }));
  }
  if (o.name !== undefined && o.queue === undefined) throw new UsageError("--name names a Redis queue: it goes with --queue (a local sweep has no queue)");
  if (o.shard !== undefined) {
    if (sweeps.length > 1) throw new UsageError('--shard slices one sweep: give one sweep file with it');
    if (o.queue !== undefined) throw new UsageError('--shard and --queue are two ways to spread a sweep: give one');
    const shard = parseShard(o.shard, process.env);
    const whole = sweeps[0]!;
    sweeps = [{ ...shardOf(whole, shard), out: o.out === undefined ? whole.out.replace(/(\.jsonl)?$/, `.part-${shard.index}-of-${shard.count}.jsonl`) : whole.out }];
  }
  // Where results and plots go is checked before any point runs (a shard's out is its part file).
  for (const sweep of sweeps) checkOutputs(sweepOutputs(sweep, o.out === undefined ? 'out' : '--out'), sweepInputs(sweep, files), o.force === true);
  // BullMQ loads only for queue mode: a local sweep needs neither Redis nor its client.
  const engine = o.queue === undefined ? undefined : (await import('../sweep/queue/queue-engine.js')).queueEngine({ address: queueAddress(o.queue, o.name) });
  let failed = 0;
  let total = 0;
  for (const sweep of sweeps) {
    const bar = progressBar(io, `sweep ${path.basename(sweep.source)}`, sweep.points.length, 'points');
    let outcome;
    try {
      outcome = await runSweep(sweep, {
        workers: o.workers,
        ...(engine === undefined ? {} : { engine }),
        retryFailed: o.retryFailed === true,
        onProgress: (p) => bar.update(p.done, p.failed > 0 ? `${p.failed} failed` : ''),
        onNotice: (text) => io.err(`note: ${text}\n`),
      });
    } finally {
      bar.stop();
    }
    io.err(`${sweep.source}: ${sweep.points.length} points, ${outcome.kept} already in ${displayPath(sweep.out)}, ${outcome.ran} run${outcome.failed > 0 ? `, ${outcome.failed} failed` : ''}${outcome.foreign > 0 ? ` (${outcome.foreign} results of other points kept at its end)` : ''}\n`);
    await drawPlots(sweep, outcome.lines, io);
    io.out(formatResults(outcome.lines, o.format, io.columns));
    failed += outcome.failed;
    total += sweep.points.length;
  }
  if (failed > 0) throw new PointsFailedError(failed, total);
}

/** Reads a results file for the results and plot commands, saying what it had to leave out. */
export function resultsOf(file: string, io: CliIo): readonly ResultLine[] {
  const r = readResults(file);
  if (r.lines.length === 0 && r.damaged.length === 0 && !r.partialTail) {
    throw new UsageError(`${file} holds no results${r.goodBytes === 0 ? ' (empty or missing)' : ''}`);
  }
  if (r.partialTail) io.err(`note: ${file}: its last line is half-written (a sweep was killed); run the sweep again to redo that point\n`);
  if (r.damaged.length > 0) io.err(`note: ${file}: line${r.damaged.length === 1 ? '' : 's'} ${r.damaged.join(', ')} ${r.damaged.length === 1 ? 'is' : 'are'} not results, left out\n`);
  return r.lines;
}

/** `spinarch results`: a results file as a table. */
export function resultsCommand(file: string, format: TableFormat, io: CliIo): void {
  io.out(formatResults(resultsOf(file, io), format, io.columns));
}

export interface PlotCommandOptions {
  readonly x: string;
  readonly y: readonly string[];
  readonly series?: string;
  readonly mark: 'line' | 'point';
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly out: string;
  readonly force?: boolean;
}

/** `spinarch plot`: one plot from a results file. */
export async function plotCommand(file: string, o: PlotCommandOptions, io: CliIo): Promise<void> {
  if (o.y.length === 0) throw new UsageError('plot needs --y KEY: the metric along y (repeatable: each is a series)');
  if (!/\.svg$/i.test(o.out)) throw new UsageError(`--out ${o.out}: plots are written as SVG only; name the file .svg (a browser or rsvg-convert turns it into PNG)`);
  checkOutputs([{ flag: '--out', file: o.out, kind: 'svg' }], [file], o.force === true);
  const lines = resultsOf(file, io);
  const t = resultsTable(lines);
  const known = [...t.axes, ...t.metrics];
  for (const [flag, key] of [['--x', o.x], ...o.y.map((y) => ['--y', y]), ...(o.series === undefined ? [] : [['--series', o.series]])] as [string, string][]) {
    if (!known.includes(key)) throw new UsageError(`${flag} ${key}: ${file} has no such axis or metric; it has ${known.join(', ')}`);
  }
  if (o.series !== undefined && o.y.length > 1) throw new UsageError('with several --y, each metric is a series: leave --series out');
  const drawn = await plotSvg(lines, {
    x: o.x,
    y: o.y.length === 1 ? o.y[0]! : [...o.y],
    mark: o.mark,
    log_x: o.logX === true,
    log_y: o.logY === true,
    ...(o.series === undefined ? {} : { series: o.series }),
    ...(o.title === undefined ? {} : { title: o.title }),
    ...(o.xTitle === undefined ? {} : { x_title: o.xTitle }),
    ...(o.yTitle === undefined ? {} : { y_title: o.yTitle }),
  });
  if (drawn.drawn === 0) throw new UsageError(`nothing to draw: no point of ${file} has both ${o.x} and ${o.y.join(', ')}`);
  writeText(o.out, drawn.svg);
  io.err(`wrote ${o.out} (${drawn.drawn} points${drawn.series.length > 1 ? `, ${drawn.series.length} series` : ''})\n`);
}

export interface WorkerCommandOptions {
  readonly queue: string;
  readonly name?: string;
  readonly concurrency: number;
  readonly lockDuration: number;
}

/** `spinarch worker`: measures points from a queue until stopped (Ctrl-C, SIGTERM). */
export async function workerCommand(o: WorkerCommandOptions, io: CliIo): Promise<void> {
  const abort = new AbortController();
  const stop = (): void => {
    if (!abort.signal.aborted) io.err('stopping after the points in hand (again to quit at once)\n');
    else process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const { runPointWorker } = await import('../sweep/queue/point-worker.js');
    const r = await runPointWorker({ address: queueAddress(o.queue, o.name), concurrency: o.concurrency, lockMs: o.lockDuration, signal: abort.signal, onEvent: (t) => io.err(`${t}\n`) });
    io.err(`${r.done} point${r.done === 1 ? '' : 's'} measured${r.refused > 0 ? `, ${r.refused} refused` : ''}\n`);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `spinarch merge`: the parts of a sharded sweep joined into one results file, every point exactly once. */
export async function mergeCommand(parts: readonly string[], o: { sweep: string; out?: string; force?: boolean; format: TableFormat }, io: CliIo): Promise<void> {
  if (o.out !== undefined) checkOutputName('--out', o.out);
  const written = loadSweep(o.sweep, o.out === undefined ? {} : { out: o.out });
  checkOutputs(sweepOutputs(written, o.out === undefined ? 'out' : '--out'), [...parts, ...sweepInputs(written, [o.sweep])], o.force === true);
  const reads = parts.map((file) => ({ file, read: readResults(file) }));
  // Parts run with --eval-images (or other run images) are points of the sweep as it was run: merged as such.
  const ran = partSettings(written, reads);
  const changed = [
    ...(ran.evalImages !== undefined && written.eval !== undefined && ran.evalImages !== written.eval.images ? [`--eval-images ${ran.evalImages} (the sweep file asks ${written.eval.images})`] : []),
    ...(ran.evalChips !== undefined && written.eval !== undefined && ran.evalChips !== written.eval.chips ? [`--eval-chips ${ran.evalChips} (the sweep file asks ${written.eval.chips ?? 'none'})`] : []),
    ...(ran.runImages !== undefined && written.run !== undefined && ran.runImages !== written.run.images ? [`run images ${ran.runImages} (the sweep file asks ${written.run.images})`] : []),
  ];
  const sweep = changed.length === 0 ? written : loadSweep(o.sweep, { ...(o.out === undefined ? {} : { out: o.out }), ...(ran.evalImages === undefined ? {} : { evalImages: ran.evalImages }), ...(ran.evalChips === undefined ? {} : { evalChips: ran.evalChips }), ...(ran.runImages === undefined ? {} : { runImages: ran.runImages }) });
  if (changed.length > 0) io.err(`note: the parts were run with ${changed.join(' and ')}: merged as they were run (a sweep of ${o.sweep} without them would run every point again)\n`);
  checkPartsBelong(sweep, reads);
  const merged = mergeParts(sweep, reads);
  for (const note of merged.notes) io.err(`note: ${note}\n`);
  if (merged.conflicting.length > 0) {
    throw new UsageError(`${merged.conflicting.length} point${merged.conflicting.length === 1 ? ' has' : 's have'} different results in different parts: ${merged.conflicting.slice(0, 5).map((c) => `${c.key} in ${c.files.join(' and ')}`).join('; ')} (parts of different sweeps or spinarch versions?)`);
  }
  if (merged.missing.length > 0) {
    const shown = merged.missing.slice(0, 10).map((p) => Object.entries(p.values).map(([k, v]) => `${k}=${describe(v)}`).join(', '));
    throw new UsageError(`${merged.missing.length} of ${sweep.points.length} points are in no part, nothing written: ${shown.join('; ')}${merged.missing.length > 10 ? '; ...' : ''} (run the shards that hold them, or the sweep itself, which runs only what is missing)`);
  }
  rewriteResults(sweep.out, merged.lines);
  io.err(`${sweep.points.length} points from ${parts.length} part${parts.length === 1 ? '' : 's'} -> ${displayPath(sweep.out)}${merged.foreign > 0 ? ` (${merged.foreign} lines of other points left out)` : ''}\n`);
  await drawPlots(sweep, merged.lines, io);
  io.out(formatResults(merged.lines, o.format, io.columns));
  const failed = merged.lines.filter((l) => l.error !== undefined).length;
  if (failed > 0) throw new PointsFailedError(failed, sweep.points.length);
}
