import path from 'node:path';
import { functionalModel, hasClassifierHead, requireClassifierHead, scenarioFromRaw, weightsOf, weightsSourceFileOf, type Scenario } from '../arch/scenario.js';
import { IdxError } from '../data/idx.js';
import { bundledMnistDir, loadMnist } from '../data/mnist.js';
import { spinarchVersion } from '../data/project.js';
import { WeightsError } from '../data/weights-error.js';
import { ScenarioError, pathString, type Location, type ScenarioIssue } from '../scenario/errors.js';
import { applyOverride, displayPath, locate, parseKeyPath, parseSet, parseYamlFile, readScenario, validate, type Key, type RawScenario } from '../scenario/load.js';
import { MAX_SWEEP_POINTS, combinations, expandRange, rangeText } from './axes.js';
import { keptMetrics, parseMetricPath } from './metric-path.js';
import { pointKey, readsArea } from './point-key.js';
import type { PartStamp } from './shard.js';
import { sweepSchema, type EvalStep, type PlotSpec, type RunStep, type SweepSpec } from './spec.js';
import { isRecord } from '../scenario/is-record.js';

/** The axis whose values are scenario files (to compare designs, or variants that differ in several keys). */
export const SCENARIO_AXIS = 'scenario';

/** One axis: a scenario key and the values it takes, each with where it was written. */
export interface SweepAxis {
  readonly key: string;
  readonly path: readonly Key[];
  readonly values: readonly { readonly value: unknown; readonly location: Location }[];
}

/** One point of a sweep: its axis values, its scenario, and the key its result is filed under. */
export interface SweepPoint {
  readonly index: number;
  /** Axis key -> value as written. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly raw: RawScenario;
  readonly key: string;
}

/** A sweep ready to run: every point's scenario built and checked. */
export interface Sweep {
  /** The sweep file as the user named it, or a description of the short form. */
  readonly source: string;
  /** The sweep as written, with where each key was (for messages). */
  readonly written: RawScenario;
  readonly spec: SweepSpec;
  readonly axes: readonly SweepAxis[];
  readonly points: readonly SweepPoint[];
  /** Results file (JSON lines). */
  readonly out: string;
  /** Plots with their files resolved. */
  readonly plots: readonly PlotSpec[];
  readonly run?: RunStep;
  readonly eval?: EvalStep;
  /** Where eval reads MNIST; undefined: the bundled copy. */
  readonly mnistDir?: string;
  readonly version: string;
  /** A shard's stamp, carried by each line of its part file. */
  readonly part?: PartStamp;
}

export interface SweepOverrides {
  /** Results file instead of the sweep's `out`. */
  readonly out?: string;
  /** Images per eval point instead of the sweep's. */
  readonly evalImages?: number;
  /** Chips per eval point instead of the sweep's (eval.chips). */
  readonly evalChips?: number;
  /** Images per run point instead of the sweep's (merge: what the parts were run with). */
  readonly runImages?: number;
  /** Points the sweep may have (default MAX_SWEEP_POINTS). */
  readonly maxPoints?: number;
}

/** Reads, validates and expands a sweep file; every point's scenario is validated before anything runs. */
export function loadSweep(file: string, o: SweepOverrides = {}): Sweep {
  const absolute = path.resolve(file);
  const { data, sources } = parseYamlFile(absolute, { what: 'sweep file', keys: 'scenario, axes, run, eval, metrics, plots, ...' });
  const raw: RawScenario = { file: displayPath(absolute), data, sources };
  return buildSweep(raw, path.dirname(absolute), o);
}

/** The short form: `spinarch sweep <scenario> --vary KEY=V1,V2 --vary KEY=A:B:STEP --metric M`. */
export interface ShortSweep {
  readonly scenario: string;
  readonly vary: readonly string[];
  readonly metrics: readonly string[];
  readonly set: readonly string[];
  readonly runImages?: number;
  readonly evalImages?: number;
  readonly evalChips?: number;
  readonly out: string;
  readonly maxPoints?: number;
}

/** A sweep from the command line's short form, checked as a sweep file is (each --vary is its own "file"). */
export function shortSweep(s: ShortSweep): Sweep {
  const sources = new Map<string, { path: readonly Key[]; location: Location }>();
  sources.set('', { path: [], location: { file: `${path.basename(s.scenario)} --vary` } });
  const at = (p: readonly Key[], file: string): void => void sources.set(pathString(p), { path: p, location: { file } });
  const axes: Record<string, unknown> = {};
  const set: Record<string, unknown> = {};
  for (const text of s.vary) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new ScenarioError([{ location: { file: `--vary ${text}` }, path: '', message: "expected --vary KEY=V1,V2,... or --vary KEY=A:B:STEP, like --vary params.irmen.fm_length='17 nm,30 nm' or --vary params.maap.redundancy=1:16:1" }]);
    const key = text.slice(0, eq);
    const values = text.slice(eq + 1);
    // Each value is read as --set reads one (YAML: numbers, quantities, {a: 1} mappings).
    axes[key] = rangeText(values) ?? splitList(values).map((v) => parseSet(`${key}=${v}`).value);
    at(['axes', key], `--vary ${text}`);
  }
  for (const text of s.set) {
    const { path: keyPath, value } = parseSet(text);
    set[pathString(keyPath)] = value;
    at(['set', pathString(keyPath)], `--set ${text}`);
  }
  // --eval-images or --eval-chips adds an eval step (the other at its default).
  const evaluates = s.evalImages !== undefined || s.evalChips !== undefined;
  const data: Record<string, unknown> = {
    scenario: path.resolve(s.scenario),
    axes,
    ...(Object.keys(set).length > 0 ? { set } : {}),
    metrics: s.metrics.length > 0 ? [...s.metrics] : evaluates ? ['latency_ps', 'energy_j', 'accuracy.rate'] : ['latency_ps', 'energy_j'],
    ...(!evaluates || s.runImages !== undefined ? { run: { images: s.runImages ?? 1 } } : {}),
    ...(evaluates ? { eval: { ...(s.evalImages === undefined ? {} : { images: s.evalImages }), ...(s.evalChips === undefined ? {} : { chips: s.evalChips }) } } : {}),
    out: path.resolve(s.out),
  };
  return buildSweep({ file: `${path.basename(s.scenario)} --vary`, data, sources }, process.cwd(), s.maxPoints === undefined ? {} : { maxPoints: s.maxPoints });
}

/** `a,b,{x: 1, y: 2}`: the values of a list, split at top-level commas. */
function splitList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if ((c === ',' && depth === 0) || i === text.length) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return out;
}

function buildSweep(raw: RawScenario, dir: string, o: SweepOverrides): Sweep {
  const spec = validate(raw, sweepSchema);
  const issues: ScenarioIssue[] = [];
  const where = (...p: Key[]): Location => locate(raw, p);

  // Axes: each key a scenario key path, each value located where it was written.
  const axes: SweepAxis[] = [];
  for (const [key, written] of Object.entries(spec.axes)) {
    const keyPath = parseKeyPath(key);
    if (keyPath === undefined) {
      issues.push({ location: where('axes', key), path: `axes.${key}`, message: 'an axis is a scenario key path, like params.irmen.fm_length or network.layers[0].kernel' });
      continue;
    }
    const range = typeof written === 'string' ? rangeText(written) : Array.isArray(written) ? undefined : written;
    if (typeof written === 'string' && range === undefined) {
      issues.push({ location: where('axes', key), path: `axes.${key}`, message: `expected a list of values, a range {from, to, step}, or 'A:B:STEP', got '${written}'` });
      continue;
    }
    let values: { value: unknown; location: Location }[];
    if (range !== undefined) {
      const expanded = expandRange(range);
      if (typeof expanded === 'string') {
        issues.push({ location: where('axes', key), path: `axes.${key}`, message: expanded });
        continue;
      }
      values = expanded.map((value) => ({ value, location: where('axes', key) }));
    } else {
      values = (written as unknown[]).map((value, i) => ({ value, location: where('axes', key, i) }));
    }
    axes.push({ key, path: keyPath, values });
  }
  const scenarioAxis = axes.findIndex((a) => a.key === SCENARIO_AXIS);
  if ((scenarioAxis < 0) === (spec.scenario === undefined)) {
    issues.push({ location: where(spec.scenario === undefined ? 'axes' : 'scenario'), path: 'scenario', message: spec.scenario === undefined ? 'name the base scenario (scenario: file.yaml), or give a scenario axis listing scenario files' : 'the scenario is given twice: at the top and as an axis; keep one' });
  }
  for (const [i, v] of (axes[scenarioAxis]?.values ?? []).entries()) {
    if (typeof v.value !== 'string') issues.push({ location: v.location, path: `axes.scenario[${i}]`, message: 'the scenario axis lists scenario files, like ../scenarios/maap-cnn-8bit.yaml' });
  }
  for (const [i, m] of spec.metrics.entries()) {
    if (parseMetricPath(m) === undefined) issues.push({ location: where('metrics', i), path: `metrics[${i}]`, message: `cannot read '${m}' as a report key path (energy_j, accuracy.rate, counts.adc_conversions, energy_breakdown[action=sram_read].energy_j)` });
  }
  const evalStep = spec.eval === undefined ? undefined : { ...spec.eval, ...(o.evalImages === undefined ? {} : { images: o.evalImages }), ...(o.evalChips === undefined ? {} : { chips: o.evalChips }) };
  if (o.evalChips !== undefined && spec.eval === undefined) issues.push({ location: where(), path: 'eval', message: `--eval-chips ${o.evalChips} evaluates accuracy on several chips, and this sweep has no eval step: add one (eval: {images: 1000, chips: ${o.evalChips}})` });
  if (evalStep?.chips !== undefined && evalStep.plain) issues.push({ location: where('eval', spec.eval?.chips === undefined ? 'plain' : 'chips'), path: 'eval.chips', message: 'the plain network (eval.plain) has no devices, so no chips to draw: leave chips out, or plain' });
  const known = new Set([...axes.map((a) => a.key), ...keptMetrics(spec.metrics, evalStep?.chips !== undefined)]);
  for (const [i, plot] of spec.plots.entries()) {
    const fields: [string, string][] = [['x', plot.x], ...(Array.isArray(plot.y) ? plot.y.map((y, k): [string, string] => [`y[${k}]`, y]) : [['y', plot.y] as [string, string]]), ...(plot.series === undefined ? [] : [['series', plot.series] as [string, string]])];
    for (const [field, value] of fields) {
      if (!known.has(value)) issues.push({ location: where('plots', i, ...fieldPath(field)), path: `plots[${i}].${field}`, message: `'${value}' is neither an axis nor a metric of this sweep (${[...known].join(', ')})` });
    }
    if (plot.labels !== undefined && (!Array.isArray(plot.y) || plot.labels.length !== plot.y.length)) issues.push({ location: where('plots', i, 'labels'), path: `plots[${i}].labels`, message: `labels name the y metrics of a plot with several, one each (${Array.isArray(plot.y) ? plot.y.length : 1} here)` });
    if (Array.isArray(plot.y) && plot.series !== undefined) issues.push({ location: where('plots', i, 'series'), path: `plots[${i}].series`, message: 'with several y metrics, each metric is a series: leave series out' });
    for (const k of Object.keys(plot.where ?? {})) {
      if (!axes.some((a) => a.key === k)) issues.push({ location: where('plots', i, 'where', k), path: `plots[${i}].where.${k}`, message: `where filters on axes (${axes.map((a) => a.key).join(', ')})` });
    }
  }
  // Points are checked even when a plot or metric is wrong, so one run shows every mistake;
  // not when the axes or the scenario themselves are.
  if (issues.some((i) => i.path.startsWith('axes') || i.path === 'scenario')) throw new ScenarioError(issues);
  // Counted before any point is built: building them is what takes the memory.
  const cap = o.maxPoints ?? MAX_SWEEP_POINTS;
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  if (count > cap) {
    throw new ScenarioError([{ location: where('axes'), path: 'axes', message: `this sweep has ${count.toLocaleString('en-US')} points (${axes.map((a) => `${a.values.length} ${a.key}`).join(' x ')}), more than the ${cap.toLocaleString('en-US')} a sweep may have: check the axes, or raise the cap with --max-points ${count}` }]);
  }

  // The base scenario (or each of the `scenario` axis), the sweep's fixed overrides and seed, then each point's values.
  const bases = new Map<string, RawScenario>();
  const baseOf = (file: string, at: Location): RawScenario => {
    let base = bases.get(file);
    if (base !== undefined) return base;
    base = withLocation(() => readScenario(path.resolve(dir, file)), at);
    for (const [key, value] of Object.entries(spec.set ?? {})) {
      const keyPath = parseKeyPath(key);
      if (keyPath === undefined) throw new ScenarioError([{ location: where('set', key), path: `set.${key}`, message: 'a scenario key path, like params.maap.redundancy' }]);
      base = applyOverride(base, keyPath, value, where('set', key));
    }
    if (spec.seed !== undefined) base = applyOverride(base, ['seed'], spec.seed, where('seed'));
    bases.set(file, base);
    return base;
  };

  const runStep = spec.run === undefined ? undefined : { ...spec.run, ...(o.runImages === undefined ? {} : { images: o.runImages }) };
  const readsMnist = evalStep !== undefined || spec.run?.mnist === true;
  const mnistDir = spec.mnist === undefined ? undefined : path.resolve(dir, spec.mnist);
  const data = readsMnist ? withLocation(() => loadMnist(mnistDir ?? bundledMnistDir(), 'test').sha256.images, spec.mnist === undefined ? where() : where('mnist')) : undefined;
  const version = spinarchVersion();
  const points: SweepPoint[] = [];
  const seen = new Map<string, string>();
  const pointIssues = new Map<string, ScenarioIssue>();
  const built = new Set<string>();
  combinations(axes.map((a) => a.values)).forEach((combo, index) => {
    const values: Record<string, unknown> = {};
    const shown = combo.map((v, i) => `${axes[i]!.key}=${describe(v.value)}`).join(', ');
    try {
      let pointRaw = scenarioAxis < 0 ? baseOf(spec.scenario!, where('scenario')) : baseOf(String(combo[scenarioAxis]!.value), combo[scenarioAxis]!.location);
      combo.forEach((v, i) => {
        values[axes[i]!.key] = v.value;
        if (i !== scenarioAxis) pointRaw = applyOverride(pointRaw, axes[i]!.path, v.value, v.location);
      });
      const scenario = scenarioFromRaw(pointRaw);
      checkPoint(scenario, evalStep, built);
      const key = pointKey({ scenario, metrics: keptMetrics(spec.metrics, evalStep?.chips !== undefined), ...(runStep === undefined ? {} : { run: runStep }), ...(evalStep === undefined ? {} : { eval: evalStep }), ...(data === undefined ? {} : { data }), version });
      const twin = seen.get(key);
      // An area-table axis changes only the area figures: without one kept, its points are one.
      const areaHint = axes.some((a) => a.key.startsWith('params.area.')) && !readsArea(spec.metrics) ? '; params.area changes only the area figures: keep one, like area_m2' : '';
      if (twin !== undefined) {
        pointIssues.set(`twin ${key}`, { location: where('axes'), path: 'axes', message: `points ${twin} and ${shown} are the same scenario (an axis value that changes nothing, or written twice)${areaHint}` });
      }
      seen.set(key, shown);
      points.push({ index, values, raw: pointRaw, key });
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      // The same bad value fails every point it is in: say it once, at the first such point.
      for (const issue of error.issues) {
        const id = `${issue.path}\u0000${issue.message}`;
        if (pointIssues.has(id)) continue;
        // A key no value of the axis can fix is the axis key's mistake.
        const axis = axes.find((a) => pathString(a.path) === issue.path);
        if (axis !== undefined && issue.message.startsWith('unknown key')) pointIssues.set(id, { ...issue, location: where('axes', axis.key) });
        else pointIssues.set(id, { ...issue, message: `${issue.message} (at ${shown})` });
      }
    }
  });
  if (issues.length + pointIssues.size > 0) throw new ScenarioError([...issues, ...pointIssues.values()]);

  const resolve = (f: string): string => path.resolve(dir, f);
  const defaultOut = `${path.basename(raw.file).replace(/\.ya?ml$/i, '').replace(/ --vary$/, '')}.jsonl`;
  return {
    source: raw.file,
    written: raw,
    spec,
    axes,
    points,
    out: o.out !== undefined ? path.resolve(o.out) : spec.out !== undefined ? resolve(spec.out) : path.resolve(defaultOut),
    // Results sent elsewhere (--out) take their plots with them, so a trial run leaves the sweep's own files alone.
    plots: spec.plots.map((p) => ({ ...p, out: o.out === undefined ? resolve(p.out) : path.join(path.dirname(path.resolve(o.out)), path.basename(p.out)) })),
    ...(runStep === undefined ? {} : { run: runStep }),
    ...(evalStep === undefined ? {} : { eval: evalStep }),
    ...(mnistDir === undefined ? {} : { mnistDir }),
    version,
  };
}

/**
 * What a point needs beyond its schema: eval needs a functional model, and the weights must
 * fit the network. Building the model checks them (once per weights file and network: a
 * model can take a second to build).
 */
function checkPoint(scenario: Scenario, evalStep: EvalStep | undefined, built: Set<string>): void {
  if (evalStep !== undefined && evalStep.plain !== true && scenario.design.functional === undefined) {
    throw new ScenarioError([{ location: locate(scenario.raw, ['design']), path: 'design', message: `design ${scenario.design.name} has no functional model: a sweep of it can run, not eval` }]);
  }
  const id = `${scenario.design.name}\u0000${weightsSourceFileOf(scenario) ?? 'random'}\u0000${JSON.stringify(scenario.value.network)}`;
  if (built.has(id)) return;
  built.add(id);
  if (evalStep !== undefined) requireClassifierHead(scenario);
  try {
    weightsOf(scenario);
    // The functional model fits the weights to the network; one without a head has none (and a cost sweep needs none).
    if (scenario.design.functional !== undefined && hasClassifierHead(scenario)) functionalModel(scenario);
  } catch (error) {
    if (!(error instanceof WeightsError)) throw error;
    throw new ScenarioError([{ location: locate(scenario.raw, ['weights']), path: 'weights', message: error.message }]);
  }
}

function fieldPath(field: string): Key[] {
  const m = /^(\w+)\[(\d+)\]$/.exec(field);
  return m === null ? [field] : [m[1]!, Number(m[2])];
}

function withLocation<T>(f: () => T, at: Location): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof IdxError) throw new ScenarioError([{ location: at, path: 'mnist', message: error.message }]);
    if (error instanceof ScenarioError && error.issues.length === 1 && error.issues[0]!.message.startsWith('cannot read scenario')) {
      throw new ScenarioError([{ ...error.issues[0]!, location: at, path: 'scenario', message: `${error.issues[0]!.message} (${error.issues[0]!.location.file})` }]);
    }
    throw error;
  }
}

/** An axis value as a user reads it in a message or a table. */
export function describe(v: unknown): string {
  return typeof v === 'string' ? v : isRecord(v) || Array.isArray(v) ? JSON.stringify(v) : String(v);
}
