import type { ImageSource } from '../data/images.js';
import type { RunReport } from '../arch/report.js';
import { progressBar } from './progress.js';
import type { SimContext } from '../components/component.js';
import { Simulation, checkInputFits, defaultSource, joinRuns, type ImagesRun } from '../arch/runner.js';
import { loadScenario } from '../arch/scenario.js';
import { abandonOutputs } from '../data/output-file.js';
import { yieldToEvents } from '../workers/threads.js';
import { checkOutputs, scenarioInputs, type Output } from './outputs.js';
import { parseQuantity } from '../scenario/units.js';
import { OpFollower, type OpEvent } from '../trace/follow.js';
import { PerfettoTrace } from '../trace/perfetto.js';
import { PerfettoProtoTrace } from '../trace/perfetto-proto.js';
import { TraceBudget, TraceFileError, WHOLE_RUN, formatBytes, type TimeWindow } from '../trace/sink.js';
import { VcdTrace } from '../trace/vcd.js';
import { joules, render, seconds } from './format.js';
import { InterruptedError, UsageError, type CliIo } from './io.js';

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
  /** Bytes the trace files may take together. */
  readonly maxTraceSize?: number;
  readonly force?: boolean;
}

/** What the trace files may take together by default: a few GB, well under a disk, over any trace a viewer opens. */
export const DEFAULT_MAX_TRACE_SIZE = 4e9;

/** Which Perfetto format a --perfetto file name asks for, by its extension. */
export function perfettoFormat(file: string): 'json' | 'protobuf' {
  if (/\.json$/i.test(file)) return 'json';
  if (/\.(pftrace|perfetto-trace|pb)$/i.test(file)) return 'protobuf';
  throw new UsageError(`--perfetto ${file}: the extension picks the format: .pftrace (or .perfetto-trace, .pb) for Perfetto's protobuf, .json for trace-event JSON`);
}

/** A time on the command line: with a unit (`12 ns`) or a bare number of picoseconds; never before the run starts. */
export function parseTimeOption(name: string, text: string): number {
  const expected = "a time >= 0: with its unit ('12 ns') or a whole number of picoseconds";
  if (/^\s*[-+]?\d+(\.\d*)?\s*$/.test(text)) {
    const ps = Number(text);
    if (ps < 0) throw new UsageError(`${name} must be ${expected}, got '${text}' (the run starts at 0)`);
    if (!Number.isInteger(ps)) throw new UsageError(`${name} must be ${expected}, got '${text}' (a bare number is picoseconds, which are whole; write '${text} ps' as '${Math.round(ps)}', or use ns)`);
    return ps;
  }
  const r = parseQuantity(text, 'time');
  if (!r.ok) throw new UsageError(`${name}: ${r.error}`);
  if (r.value < 0) throw new UsageError(`${name} must be ${expected}, got '${text}' (the run starts at 0)`);
  return r.value;
}

/** A size on the command line: bytes, or with kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB. */
export function parseSizeOption(name: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/.exec(text);
  const scale: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };
  const bytes = m === null ? NaN : Number(m[1]) * scale[m[2] ?? 'B']!;
  if (!Number.isFinite(bytes) || bytes < 1) throw new UsageError(`${name} must be a size > 0, like '2 GB', '500 MB' or a number of bytes, got '${text}'`);
  return Math.floor(bytes);
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
export async function traceScenario(file: string, o: TraceOptions, io: CliIo): Promise<void> {
  if (o.perfetto === undefined && o.vcd === undefined && o.op === undefined) {
    throw new UsageError('trace needs at least one of --perfetto FILE, --vcd FILE, --op SELECTOR');
  }
  if (o.json === true && o.op === undefined) throw new UsageError('--json prints the --op listing: give --op SELECTOR too (the trace files are already machine-readable)');
  const window: TimeWindow = {
    from: o.from === undefined ? WHOLE_RUN.from : parseTimeOption('--from', o.from),
    to: o.to === undefined ? WHOLE_RUN.to : parseTimeOption('--to', o.to),
  };
  if (window.to < window.from) throw new UsageError(`--to (${window.to} ps) is before --from (${window.from} ps)`);
  const outputs: Output[] = [
    ...(o.perfetto === undefined ? [] : [{ flag: '--perfetto', file: o.perfetto, kind: o.perfetto.toLowerCase().endsWith('.json') ? ('perfetto' as const) : ('perfetto-proto' as const) }]),
    ...(o.vcd === undefined ? [] : [{ flag: '--vcd', file: o.vcd, kind: 'vcd' as const }]),
  ];
  checkOutputs(outputs, [file], o.force === true);
  const format = o.perfetto === undefined ? undefined : perfettoFormat(o.perfetto);
  const scenario = loadScenario(file, o.set);
  checkOutputs(outputs, scenarioInputs(scenario.raw, scenario), o.force === true);
  const source = o.source ?? defaultSource(scenario);
  checkInputFits(scenario, source);
  const title = `${scenario.design.title}: ${scenario.name}`;
  const limit = o.maxTraceSize ?? DEFAULT_MAX_TRACE_SIZE;
  const budget = new TraceBudget(limit, (text) => io.err(`warning: ${text}\n`));
  const perfetto = o.perfetto === undefined ? undefined : format === 'protobuf' ? new PerfettoProtoTrace(o.perfetto, title, window, budget) : new PerfettoTrace(o.perfetto, title, window, budget);
  let vcd: VcdTrace | undefined;
  try {
    vcd = o.vcd === undefined ? undefined : new VcdTrace(o.vcd, title, window, budget);
  } catch (error) {
    perfetto?.abort();
    throw error;
  }
  const traces = [perfetto, vcd];
  // Ctrl-C or a SIGTERM between two images: nothing half-written is left, and the user is told.
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted !== undefined) {
      abandonOutputs();
      process.exit(130);
    }
    interrupted = signal;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let follower: OpFollower | undefined;
  let simulation: SimContext | undefined;
  const bar = progressBar(io, `tracing ${scenario.name}`, o.images, 'images');
  let report: RunReport;
  try {
    const sim = new Simulation(scenario, {
      tracing: true,
      attach: (s) => {
        simulation = s;
        perfetto?.attach(s);
        vcd?.attach(s);
      },
      // The design resolves the selector once it is built, before anything runs.
      ...(o.op === undefined
        ? {}
        : {
            follow: {
              selector: o.op,
              ops: (ops, probe) => {
                if (ops === undefined || ops.size === 0) throw new UsageError(`--op ${o.op!}: no operation of ${scenario.name} matches it; ${existing(scenario.design.name, probe)}`);
                follower = new OpFollower(o.op!, ops, window);
                follower.attach(simulation!);
              },
            },
          }),
    });
    const runs: ImagesRun[] = [];
    for (let k = 0; k < o.images; k++) {
      runs.push(sim.runImages(source, k, 1));
      bar.update(k + 1);
      await yieldToEvents();
      if (interrupted !== undefined) break;
    }
    if (interrupted !== undefined) {
      for (const t of traces) t?.abort();
      const removed = outputs.map((x) => x.file);
      throw new InterruptedError(`interrupted (${interrupted}) after ${runs.length} of ${o.images} images: removed what was being written to ${removed.join(' and ')}${removed.length > 0 ? ' (any file there before is as it was)' : ''}`);
    }
    report = sim.report(joinRuns(runs), source.description);
    // Only files that closed whole are reported as written (the last flush may pass the budget).
    closeAll(traces);
  } catch (error) {
    // The run failed: remove what was being written, and report the run's error, not a file's.
    for (const t of traces) t?.abort();
    if (error instanceof TraceFileError && outputs.length > 0) throw new TraceFileError(`${error.message}; removed what was being written to ${outputs.map((x) => x.file).join(' and ')}`);
    throw error;
  } finally {
    bar.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (follower !== undefined) {
    if (follower.events.length === 0) io.err(`note: --op ${o.op!}: it names an operation of ${scenario.name}, but none of its events fell in the traced window\n`);
    io.out(o.json === true ? `${JSON.stringify({ op: o.op, events: follower.events }, null, 2)}\n` : listing(follower.events));
  }
  const wrote = [
    ...(perfetto === undefined ? [] : [`${perfetto.path} (Perfetto ${format === 'protobuf' ? 'protobuf' : 'JSON'}, ${perfetto.events} events; open in ui.perfetto.dev)`]),
    ...(vcd === undefined ? [] : [`${vcd.path} (VCD, ${vcd.changes} changes; open in GTKWave)`]),
  ];
  if (wrote.length > 0) io.err(`${report.scenario}: ${seconds(report.latency_ps)} and ${joules(report.energy_j)} per image; wrote ${wrote.join(', ')} (${formatBytes(budget.used)} of --max-trace-size ${formatBytes(limit)})\n`);
}

/** The selectors a design has, found by asking it (whole stages, rows and outputs only: asking for those changes nothing). */
function existing(design: string, probe: (selector: string) => ReadonlySet<string> | undefined): string {
  const has = (s: string): boolean => (probe(s)?.size ?? 0) > 0;
  // The largest n for which has(f(n)) holds, if has(f(0)) does (binary search: indices run up to millions).
  const last = (f: (n: number) => string): number => {
    if (!has(f(0))) return -1;
    let lo = 0;
    let hi = 1;
    while (hi < 1e8 && has(f(hi))) [lo, hi] = [hi, hi * 2];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (has(f(mid))) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  const layers = (kind: string): string[] => {
    const found: string[] = [];
    for (let l = 0; l < 64; l++) {
      const n = last((i) => `L${l}/${kind}[${i}]`);
      if (n >= 0) found.push(`L${l}/${kind}[0..${n}]`);
    }
    return found;
  };
  switch (design) {
    case 'maap-cnn':
      return `it has ${[...layers('out'), ...layers('in')].join(', ')}`;
    case 'sot-mlp':
    case 'mtj-mlp':
      return `it has ${layers('row').join(', ')} and image[K] for an inference`;
    default: {
      const n = last((i) => `stage[${i}]`);
      return n < 0 ? `ops look like ${examples(design)}` : `it has stage[0..${n}], and stage[S]/v[k,y,x] for one cell of a stage's output plane`;
    }
  }
}

/** Closes every trace; at the first that fails, the others are removed too and its error thrown. */
function closeAll(traces: readonly ({ close(): void; abort(): void } | undefined)[]): void {
  for (const [i, t] of traces.entries()) {
    try {
      t?.close();
    } catch (error) {
      for (const rest of traces.slice(i + 1)) rest?.abort();
      throw error;
    }
  }
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
