import path from 'node:path';
import type { ImageSource } from '../data/images.js';
import type { RunReport } from '../arch/report.js';
import { progressBar } from './progress.js';
import type { SimContext } from '../components/component.js';
import { runScenario } from '../arch/runner.js';
import { loadScenario } from '../arch/scenario.js';
import { parseQuantity } from '../scenario/units.js';
import { OpFollower, type OpEvent } from '../trace/follow.js';
import { PerfettoTrace } from '../trace/perfetto.js';
import { WHOLE_RUN, type TimeWindow } from '../trace/sink.js';
import { VcdTrace } from '../trace/vcd.js';
import { joules, render, seconds } from './format.js';
import { UsageError, type CliIo } from './io.js';

export interface TraceOptions {
  readonly perfetto?: string;
  readonly vcd?: string;
  readonly op?: string;
  readonly from?: string;
  readonly to?: string;
  readonly json?: boolean;
  readonly images: number;
  readonly set: readonly string[];
  readonly source?: ImageSource;
}

/** A time on the command line: with a unit (`12 ns`) or a bare number of picoseconds. */
export function parseTimeOption(name: string, text: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text);
  const r = parseQuantity(text, 'time');
  if (!r.ok) throw new UsageError(`${name}: ${r.error}`);
  return r.value;
}

function listing(events: readonly OpEvent[]): string {
  const show = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v));
  const rows = events.map((e) => [
    String(e.time_ps),
    e.duration_ps > 0 ? seconds(e.duration_ps) : '',
    e.op,
    e.component,
    e.what,
    e.energy_j > 0 ? joules(e.energy_j) : '',
    Object.entries(e.values)
      .map(([k, v]) => `${k}=${show(v)}`)
      .join(' '),
  ]);
  return render([['time (ps)', 'lasts', 'op', 'component', 'what', 'energy', 'values'], ...rows], [0, 1, 5], { 0: 10, rest: 0, last: 44 });
}

/** Runs a scenario with tracers attached; files stream as the simulation goes. */
export function traceScenario(file: string, o: TraceOptions, io: CliIo): void {
  if (o.perfetto === undefined && o.vcd === undefined && o.op === undefined) {
    throw new UsageError('trace needs at least one of --perfetto FILE, --vcd FILE, --op SELECTOR');
  }
  const window: TimeWindow = {
    from: o.from === undefined ? WHOLE_RUN.from : parseTimeOption('--from', o.from),
    to: o.to === undefined ? WHOLE_RUN.to : parseTimeOption('--to', o.to),
  };
  if (window.to < window.from) throw new UsageError(`--to (${window.to} ps) is before --from (${window.from} ps)`);
  if (o.perfetto !== undefined && o.vcd !== undefined && path.resolve(o.perfetto) === path.resolve(o.vcd)) {
    throw new UsageError(`--perfetto and --vcd name the same file, ${o.perfetto}: give each its own`);
  }
  const scenario = loadScenario(file, o.set);
  const title = `${scenario.design.title}: ${scenario.name}`;
  const perfetto = o.perfetto === undefined ? undefined : new PerfettoTrace(o.perfetto, title, window);
  let vcd: VcdTrace | undefined;
  try {
    vcd = o.vcd === undefined ? undefined : new VcdTrace(o.vcd, title, window);
  } catch (error) {
    closeAll([perfetto]);
    throw error;
  }
  let follower: OpFollower | undefined;
  let simulation: SimContext | undefined;
  const bar = progressBar(io, `tracing ${scenario.name}`, o.images, 'images');
  let report: RunReport;
  try {
    report = runScenario(scenario, {
      images: o.images,
      tracing: true,
      onProgress: (done) => bar.update(done),
      ...(o.source === undefined ? {} : { source: o.source }),
      attach: (sim) => {
        simulation = sim;
        perfetto?.attach(sim);
        vcd?.attach(sim);
      },
      // The design resolves the selector once it is built, before anything runs.
      ...(o.op === undefined
        ? {}
        : {
            follow: {
              selector: o.op,
              ops: (ops) => {
                follower = new OpFollower(o.op!, ops, window);
                follower.attach(simulation!);
              },
            },
          }),
    });
  } catch (error) {
    // The run failed: close what was opened, but report the run's error, not a file's.
    try {
      closeAll([perfetto, vcd]);
    } catch {
      // ignored: the run's error is the one to see
    }
    throw error;
  } finally {
    bar.stop();
  }
  // Only files that closed whole are reported as written.
  closeAll([perfetto, vcd]);
  if (follower !== undefined) {
    if (follower.events.length === 0) throw new UsageError(`--op ${o.op!}: no operation of ${scenario.name} matched it (ops look like ${examples(scenario.design.name)})`);
    io.out(o.json === true ? `${JSON.stringify({ op: o.op, events: follower.events }, null, 2)}\n` : listing(follower.events));
  }
  const wrote = [
    ...(perfetto === undefined ? [] : [`${perfetto.path} (Perfetto, ${perfetto.events} events; open in ui.perfetto.dev)`]),
    ...(vcd === undefined ? [] : [`${vcd.path} (VCD, ${vcd.changes} changes; open in GTKWave)`]),
  ];
  if (wrote.length > 0) io.err(`${report.scenario}: ${seconds(report.latency_ps)} and ${joules(report.energy_j)} per image; wrote ${wrote.join(', ')}\n`);
}

/** Closes every trace; the first failure is thrown once all are closed. */
function closeAll(traces: readonly ({ close(): void } | undefined)[]): void {
  let failure: unknown;
  for (const t of traces) {
    try {
      t?.close();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

function examples(design: string): string {
  switch (design) {
    case 'maap-cnn':
      return "'L2/out[17]' or 'L1/in[40]'";
    case 'sot-mlp':
    case 'mtj-mlp':
      return "'L0/row[3]' or 'image[0]'";
    default:
      return "'stage[5]' or 'stage[5]/v[0,3,4]'";
  }
}
