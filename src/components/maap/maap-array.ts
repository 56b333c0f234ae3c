import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import { ServerPool } from '../../scheduler/server-pool.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { Component, type SimContext } from '../component.js';
import type { Samples } from '../converters/samples.js';
import { IMAGES, type ComponentClass } from '../records.js';
import { MAAP_MEASURED, MaapSet, maapIdeal, maapRunOf, maapTransfer, variationParams, type MaapDeviation, type MaapOperation, type MaapRun } from './maap-set.js';
import { OtaDrive } from './ota-drive.js';

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
  variation: variationParams,
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
 * One output as a group of sets reads it: each set's response to the ideal result, then
 * their mean (analog averaging: one value) or each of them (digital: R values to convert).
 */
export function groupReadout(ideal: number, deviations: readonly MaapDeviation[], averaging: MaapParams['averaging']): Float64Array {
  const values = new Float64Array(deviations.length);
  for (let i = 0; i < values.length; i++) values[i] = maapTransfer(ideal, deviations[i]!);
  return averaging === 'analog' ? Float64Array.of(meanOf(values)) : values;
}

/** The mean of a group's measurements, summed in set order (what analog averaging reads). */
export const meanOf = (values: Float64Array): number => {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
};

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

  constructor(
    ctx: SimContext,
    name: string,
    readonly params: MaapParams,
    readonly bits: number,
  ) {
    super(ctx, name);
    if (params.redundancy > params.sets) {
      throw new RangeError(`${name}: redundancy ${params.redundancy} needs at least that many distinct sets, there are ${params.sets}`);
    }
    for (let i = 0; i < params.sets; i++) {
      const set = `maap[${i}]`;
      this.sets.push(new MaapSet(ctx, set, i, params.runtime, bits * params.mtj_energy_per_bit, params.variation));
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
        run: { id: 0, op: '', geometry: { maps: 0, kernel: 0, convStride: 1, pool: 1, patch: 0 }, inputs: new Float64Array(0), weights: new Float64Array(0), bias: 0, ideal: 0 },
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
      const q = this.squared;
      q.measurement = q.measurements = q.output = q.outputs = 0;
    });
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
    // The ideal result does not depend on the set: worked out once, each set applies its deviation.
    run.ideal = maapIdeal(r);
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
