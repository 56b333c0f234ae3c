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

/** One output to compute: the same operation on the R sets of a group. */
export interface MaapRequest extends MaapOperation {
  readonly id: number;
  readonly op: string;
  /** The group of R sets that measures it (see groupOf). */
  readonly group: number;
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
export const meanOf = (values: Float64Array): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Where the averaged (analog) or individual (digital) measurements of an output go next: the ADCs. */
export interface MaapResult {
  readonly id: number;
  readonly op: string;
  readonly sets: readonly number[];
}

export const MAAP_REQUESTS = topicKey<MaapRequest>('maap/request');
export const MAAP_RESULTS = topicKey<Samples<MaapResult>>('maap/result');

/**
 * The M physical MAAP sets, with their OTA drives, and what hands work to them: each output
 * waits for its group of R sets (distinct devices, so their errors are independent), runs on
 * all R at once, and leaves as one averaged value (analog averaging) or R values (digital).
 */
export class MaapArray extends Component {
  readonly kind: ComponentClass = 'digital';
  /** One server per group of R sets: a group measures one output at a time. */
  readonly groups: ServerPool[];
  readonly sets: MaapSet[] = [];
  private readonly runs: Topic<MaapRun>[] = [];
  private readonly results: Topic<Samples<MaapResult>>;
  private readonly pending = new Map<number, { op: string; group: number; sets: number[]; values: Float64Array; ideal: number; left: number }>();
  // Squared errors against the ideal result: of single measurements, and of the R-averages.
  private readonly squared = { measurement: 0, measurements: 0, output: 0, outputs: 0 };

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
    this.groups = Array.from({ length: Math.floor(params.sets / params.redundancy) }, (_, g) => new ServerPool(ctx.kernel, `${name}/group[${g}]`, 1));
    this.results = ctx.bus.topic(MAAP_RESULTS);
    ctx.bus.topic(MAAP_REQUESTS).listen((r) => this.request(r));
    ctx.bus.topic(MAAP_MEASURED).listen((m) => this.measured(m.id, m.set, m.value, m.ideal));
    ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase === 'start') for (const g of this.groups) g.resetStatistics();
    });
  }

  /** Busy group-time over available group-time, from `from` to `to`. */
  utilization(from: number, to: number): number {
    return this.groups.reduce((a, g) => a + g.utilization(from, to), 0) / this.groups.length;
  }

  private request(r: MaapRequest): void {
    const R = this.params.redundancy;
    const group = this.groups[r.group];
    if (group === undefined) throw new RangeError(`${this.name}: no group ${r.group} (there are ${this.groups.length})`);
    group.acquire(1, () => {
      const sets = setsOf(r.group, R);
      // The ideal result does not depend on the set: worked out once, each set applies its deviation.
      const run: MaapRun = { id: r.id, op: r.op, geometry: r.geometry, inputs: r.inputs, weights: r.weights, bias: r.bias, ideal: maapIdeal(r) };
      this.pending.set(r.id, { op: r.op, group: r.group, sets, values: new Float64Array(R), ideal: 0, left: R });
      for (const s of sets) this.runs[s]!.publish(run);
    });
  }

  /** RMS error of one measurement and of an averaged output, against a variation-free set. */
  errors(): { measurement_rms: number; output_rms: number } {
    const q = this.squared;
    return { measurement_rms: Math.sqrt(q.measurement / Math.max(1, q.measurements)), output_rms: Math.sqrt(q.output / Math.max(1, q.outputs)) };
  }

  private measured(id: number, set: number, value: number, ideal: number): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    p.values[p.sets.indexOf(set)] = value;
    p.ideal = ideal;
    this.squared.measurement += (value - ideal) ** 2;
    this.squared.measurements++;
    if (--p.left > 0) return;
    this.pending.delete(id);
    this.groups[p.group]!.release([0]);
    const mean = meanOf(p.values);
    this.squared.output += (mean - p.ideal) ** 2;
    this.squared.outputs++;
    const values = this.params.averaging === 'analog' ? Float64Array.of(mean) : p.values;
    this.results.publish({ meta: { id, op: p.op, sets: p.sets }, values, op: p.op });
  }
}
