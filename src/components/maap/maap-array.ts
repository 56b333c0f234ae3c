import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import { ServerPool } from '../../scheduler/server-pool.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { Samples } from '../converters/samples.js';
import { IMAGES, type ComponentClass } from '../records.js';
import { streamFor } from '../random.js';
import { cacheDir } from '../cache-dir.js';
import { circuitParams, trimParams, variationParams } from './maap-circuit.js';
import { MAAP_MEASURED, MaapSet, maapRunOf, pairSums, type MaapOperation, type MaapRun } from './maap-set.js';
import { applyTrimCodes, calibrateTrim, drawSets, nominalSetOutput, setModel, trimSteps, type SetDevices, type SetModel } from './set-response.js';
import { meanOf } from './set-group.js';
import { OtaDrive } from './ota-drive.js';
import { areaLine, stacked, type AreaLine } from '../area.js';

export const maapParams = z.strictObject({
  /** M: physical MAAP sets. */
  sets: wholeNumber(1, 65_536),
  /** R: each output is measured on R distinct sets and averaged (seed 003 Sec. 4.1). */
  redundancy: wholeNumber(1, 4096),
  /** `analog`: the R measurements are averaged before one conversion; `digital`: each is converted. */
  averaging: z.enum(['analog', 'digital']),
  /** Time of one MAAP operation (seed 003: 0.6 ns). */
  runtime: quantity('time', { min: 1 }),
  /** Energy per MAAP operation per bit of precision, split between the MTJ stacks and the OTAs. */
  mtj_energy_per_bit: quantity('energy', { min: 0 }),
  ota_energy_per_bit: quantity('energy', { min: 0 }),
  /** The set's circuit (maap-circuit.ts): supply, TMR, overdrive, the magnets' thermal stability. */
  circuit: circuitParams,
  variation: variationParams,
  /** Thermal noise in every measurement (false: the magnets read their mean state). */
  thermal_noise: z.boolean(),
  trim: trimParams,
  /**
   * The activation pairs from a measured table (CSV: pair-table.ts) instead of the circuit: the
   * pair's output against its input current, one column per measured pair (their spread is the
   * variation, so params.maap.variation must be zero), sd_I the input-referred thermal noise.
   */
  pair: z.strictObject({ table: z.string().min(1) }).optional(),
});

export type MaapParams = z.output<typeof maapParams>;

/**
 * One output to compute: the same operation on the R sets of a group. The requester owns the
 * object until the output's codes come back from the ADCs (it is their `meta`), and may
 * reuse it after that.
 */
export interface MaapRequest extends MaapOperation {
  readonly id: number;
  readonly op: string;
  /** The group of R sets that measures it (see groupOf). */
  readonly group: number;
  /** The output's rank in the image (groupOf's argument): numbers its thermal draws. */
  readonly rank: number;
  /** Filled in by the array when the group takes it: the sets that measure it. */
  sets: readonly number[];
}

/**
 * The sets are wired in G = floor(M / R) groups of R (analog averaging sums a group's R
 * outputs on one node). Output number `rank` of an image (its place in the order the mapping
 * lists outputs) goes to group rank mod G: a rule of the output's identity, not of which sets
 * happen to be free, so the same output meets the same devices in every run and mode.
 */
export const groupOf = (rank: number, groups: number): number => rank % groups;

/** The sets of group g: R consecutive sets. */
export const setsOf = (group: number, redundancy: number): number[] => Array.from({ length: redundancy }, (_, i) => group * redundancy + i);

/**
 * A chip's M sets: each draws its activation pairs from its own stream (keyed by the chip)
 * and, with the trim on, is calibrated once (its own calibration stream for the reads' noise).
 */
export function chipSets(maap: MaapParams, model: SetModel, seed: string | number, chip: number): SetDevices[] {
  const sets = drawSets(model, Array.from({ length: maap.sets }, (_, i) => streamFor(seed, `maap[${i}]`, chip)), maap.variation, maap.redundancy);
  if (!maap.trim.enabled) return sets;
  // The calibration's codes are a function of the parameters, seed and chip alone (v: the
  // calibration's own version, raised when it changes): kept on disk,
  // a chip of many sets (9,216 take about 15 s) is calibrated once, not in every thread.
  const key = createHash('sha256').update(JSON.stringify({ v: 1, circuit: maap.circuit, variation: maap.variation, thermal: maap.thermal_noise, trim: maap.trim, sets: maap.sets, pairs: model.pairs, seed, chip, pair_table: model.table?.table.digest })).digest('hex').slice(0, 24);
  const file = path.join(cacheDir(), 'maap-trim', `${key}.json`);
  const size = maap.sets * model.pairs;
  try {
    const codes = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (Array.isArray(codes) && codes.length === size && codes.every((c) => Number.isInteger(c))) {
      sets.forEach((set, i) => applyTrimCodes(model, set, maap.trim, (codes as number[]).slice(i * model.pairs, (i + 1) * model.pairs)));
      return sets;
    }
  } catch {
    // Not there yet, or unreadable: calibrate.
  }
  sets.forEach((set, i) => calibrateTrim(model, set, maap.trim, streamFor(seed, `maap[${i}]/trim`, chip)));
  if (maap.sets >= CACHED_SETS) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.${threadId}.tmp`;
      writeFileSync(temporary, JSON.stringify(sets.flatMap((s) => Array.from(s.trimCodes))));
      renameSync(temporary, file);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
  return sets;
}

/** Chips of at least this many sets keep their calibration on disk (smaller ones calibrate in milliseconds). */
const CACHED_SETS = 1024;

/** The residual error the trim leaves at its calibration input, over a chip's sets: RMS and the largest. */
/** (codes_at_limit: pairs whose search ended at the DAC's end: their error exceeded the trim's range.) */
export function trimResidual(sets: readonly SetDevices[], bits: number): { rms: number; max_abs: number; codes_at_limit: number } {
  const half = 2 ** (bits - 1);
  let sq = 0;
  let max = 0;
  let n = 0;
  let limit = 0;
  for (const s of sets)
    s.residuals.forEach((r, p) => {
      sq += r * r;
      n++;
      max = Math.max(max, Math.abs(r));
      const code = s.trimCodes[p]!;
      if (code === -half || code === half - 1) limit++;
    });
  return { rms: Math.sqrt(sq / Math.max(1, n)), max_abs: max, codes_at_limit: limit };
}

/** Where the averaged (analog) or individual (digital) measurements of an output go next: the ADCs. */
export type MaapResult = Pick<MaapRequest, 'id' | 'op' | 'sets'>;

/** Squared errors of measurements and of averaged outputs against a variation-free set: sums and counts. */
export interface MaapErrorSums {
  measurement: number;
  measurements: number;
  output: number;
  outputs: number;
}

/** RMS error of one measurement and of an averaged output, from the sums of any number of images. */
export function maapErrors(sums: readonly Readonly<MaapErrorSums>[]): { measurement_rms: number; output_rms: number } {
  const t = { measurement: 0, measurements: 0, output: 0, outputs: 0 };
  for (const q of sums) {
    t.measurement += q.measurement;
    t.measurements += q.measurements;
    t.output += q.output;
    t.outputs += q.outputs;
  }
  return { measurement_rms: Math.sqrt(t.measurement / Math.max(1, t.measurements)), output_rms: Math.sqrt(t.output / Math.max(1, t.outputs)) };
}

export const MAAP_REQUESTS = topicKey<MaapRequest>('maap/request');
export const MAAP_RESULTS = topicKey<Samples<MaapResult>>('maap/result');

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A group's measurement in progress: the run its sets are given and what comes back. */
interface GroupRun {
  readonly group: number;
  readonly sets: readonly number[];
  readonly run: Mutable<MaapRun>;
  request: MaapRequest | undefined;
  /** One value per set, in set order. */
  readonly values: Float64Array;
  left: number;
  /** What leaves for the ADCs (reused: valid while delivered). */
  readonly result: { meta: MaapResult; values: Float64Array; op: string };
}

/**
 * The M physical MAAP sets, with their OTA drives, and what hands work to them: each output
 * waits for its group of R sets (distinct devices, so their errors are independent), runs on
 * all R at once, and leaves as one averaged value (analog averaging) or R values (digital).
 * A group measures one output at a time, so each group reuses one run and one result.
 */
export class MaapArray extends Component {
  readonly kind: ComponentClass = 'digital';
  /** One server per group of R sets: a group measures one output at a time. */
  readonly groups: ServerPool[];
  readonly sets: MaapSet[] = [];
  private readonly runs: Topic<MaapRun>[] = [];
  private readonly results: Topic<Samples<MaapResult>>;
  private readonly inProgress: GroupRun[];
  /** Squared errors against the ideal result in the image in progress: of single measurements, and of the R-averages. */
  readonly squared: MaapErrorSums = { measurement: 0, measurements: 0, output: 0, outputs: 0 };

  readonly model: SetModel;
  readonly chip: readonly SetDevices[];
  private readonly comparison: ActionSpec;

  constructor(
    ctx: SimContext,
    name: string,
    readonly params: MaapParams,
    readonly bits: number,
    /** Activation pairs per set: the largest pooling window the network uses. */
    pairs: number,
    /** Energy of one comparison of the calibration's search (the output ADC's conversion). */
    comparisonEnergy: number,
  ) {
    super(ctx, name);
    if (params.redundancy > params.sets) {
      throw new RangeError(`${name}: redundancy ${params.redundancy} needs at least that many distinct sets, there are ${params.sets}`);
    }
    this.comparison = this.declareEnergy('trim_comparison', comparisonEnergy, "one comparison of the mean-error calibration's search (setup), by the output ADC");
    this.model = setModel(params.circuit, pairs, params.thermal_noise, params.pair);
    this.chip = chipSets(params, this.model, ctx.seed, ctx.chip ?? 0);
    for (let i = 0; i < params.sets; i++) {
      const set = `maap[${i}]`;
      this.sets.push(new MaapSet(ctx, set, i, params.runtime, bits * params.mtj_energy_per_bit, this.model, this.chip[i]!, bits * (params.mtj_energy_per_bit + params.ota_energy_per_bit)));
      new OtaDrive(ctx, `${set}/ota`, set, params.runtime, bits * params.ota_energy_per_bit);
      this.runs.push(ctx.bus.topic(maapRunOf(set)));
    }
    const R = params.redundancy;
    const count = Math.floor(params.sets / R);
    this.groups = Array.from({ length: count }, (_, g) => new ServerPool(ctx.kernel, `${name}/group[${g}]`, 1));
    this.inProgress = Array.from({ length: count }, (_, group) => {
      const sets = setsOf(group, R);
      return {
        group,
        sets,
        run: { id: 0, op: '', rank: 0, sums: new Float64Array(pairs), geometry: { maps: 0, kernel: 0, convStride: 1, pool: 1, patch: 0 }, inputs: new Float64Array(0), weights: new Float64Array(0), bias: 0, ideal: 0 },
        values: new Float64Array(R),
        request: undefined,
        left: 0,
        result: { meta: { id: 0, op: '', sets }, values: params.averaging === 'analog' ? new Float64Array(1) : new Float64Array(R), op: '' },
      };
    });
    this.results = ctx.bus.topic(MAAP_RESULTS);
    ctx.bus.topic(MAAP_REQUESTS).listen((r) => this.request(r));
    ctx.bus.topic(MAAP_MEASURED).listen((m) => this.measured(m.set, m.value, m.ideal));
    ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase !== 'start') return;
      for (const g of this.groups) g.resetStatistics();
      // A pair table's reads are counted per image (the calibration's are setup's).
      if (this.model.table !== undefined) this.model.table.count.reads = this.model.table.count.beyond = 0;
      const q = this.squared;
      q.measurement = q.measurements = q.output = q.outputs = 0;
    });
  }

  /**
   * The chip's mean-error calibration (setup): every set makes its calibration measurements
   * at once; returns how long they take. The trims themselves are the chip's (chipSets).
   */
  calibrate(): number {
    if (!this.params.trim.enabled) return 0;
    const { measurements, comparisons } = trimSteps(this.params.trim, this.model.pairs);
    for (const s of this.sets) s.calibrate(measurements);
    this.performFor(this.comparison, comparisons * this.sets.length, 0, 'trim');
    return measurements * this.params.runtime;
  }

  /** Busy group-time over available group-time, from `from` to `to`. */
  utilization(from: number, to: number): number {
    return this.groups.reduce((a, g) => a + g.utilization(from, to), 0) / this.groups.length;
  }

  /** The request stays the requester's until its result is delivered, so it can wait as it is. */
  private request(r: MaapRequest): void {
    const group = this.groups[r.group];
    if (group === undefined) throw new RangeError(`${this.name}: no group ${r.group} (there are ${this.groups.length})`);
    group.acquire(this.granted, r);
  }

  private readonly granted = (_server: number, r: MaapRequest): void => {
    const g = this.inProgress[r.group]!;
    g.request = r;
    r.sets = g.sets;
    const run = g.run;
    run.id = r.id;
    run.op = r.op;
    run.geometry = r.geometry;
    run.inputs = r.inputs;
    run.weights = r.weights;
    run.bias = r.bias;
    run.rank = r.rank;
    // The pairs' sums do not depend on the set: worked out once, each set reads them through its devices.
    const count = pairSums(r, run.sums);
    run.ideal = nominalSetOutput(this.model, run.sums, count);
    g.left = g.sets.length;
    for (const s of g.sets) this.runs[s]!.publish(run);
  };

  private measured(set: number, value: number, ideal: number): void {
    const R = this.params.redundancy;
    const g = this.inProgress[Math.floor(set / R)]!;
    g.values[set - g.group * R] = value;
    this.squared.measurement += (value - ideal) ** 2;
    this.squared.measurements++;
    if (--g.left > 0) return;
    const mean = meanOf(g.values);
    this.squared.output += (mean - ideal) ** 2;
    this.squared.outputs++;
    // The result is filled before the group is freed: freeing it may start its next output.
    const out = g.result;
    if (this.params.averaging === 'analog') out.values[0] = mean;
    else out.values.set(g.values);
    out.meta = g.request!;
    out.op = g.run.op;
    g.request = undefined;
    this.groups[g.group]!.release(0);
    this.results.publish(out);
  }
}

/** What a MAAP set's area is made of, from the scenario's area table. */
export interface MaapAreaTable {
  /** Transistors of one SHE-MTJ cell's readout: its inverter and its bias current source. */
  readonly cell_transistors: number;
  /** Footprint of a cell's SHE layer with its MTJ and reference resistor, fabricated over the cell's transistors. */
  readonly she_footprint: number;
  /** Transistors of one OTA current source. */
  readonly ota_transistors: number;
}

/**
 * The M sets' area. Each set: its activation pairs (two SHE-MTJ cells each, the magnetic stack
 * over the cell's readout transistors, so a cell takes the larger of the two), a b-bit
 * binary-weighted trim DAC per pair when the trim is on (2^b - 1 unit transistors and b
 * switches), and its OTA drive: a b-bit current source (b power-gated OTAs, as seed 000
 * represents a b-bit weight) for every weight of every pair's convolution. Seed 003: R
 * redundant measurements need R physically distinct sets, so R sets at least.
 */
export function maapArea(p: MaapParams, bits: number, pairs: number, weightsPerPair: number, table: MaapAreaTable, transistor: number): AreaLine[] {
  const cell = stacked(table.cell_transistors * transistor, table.she_footprint);
  const trim = p.trim.enabled ? (2 ** p.trim.bits - 1 + p.trim.bits) * transistor : 0;
  const otas = pairs * weightsPerPair * bits;
  return [
    areaLine('maap[*]', 'spintronic', p.sets, pairs * (2 * cell + trim), `${pairs} activation pairs of 2 SHE-MTJ cells (the magnetic stack over ${table.cell_transistors} transistors)${p.trim.enabled ? `, a ${p.trim.bits}-bit trim DAC each` : ''}`),
    areaLine('maap[*]/ota', 'analog', p.sets, otas * table.ota_transistors * transistor, `${otas.toLocaleString('en-US')} OTAs of ${table.ota_transistors} transistors (${bits} per weight, ${weightsPerPair} weights per pair)`),
  ];
}
