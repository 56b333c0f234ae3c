import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import { ServerPool } from '../../scheduler/server-pool.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { Component, type SimContext } from '../component.js';
import type { Samples } from '../converters/samples.js';
import { IMAGES, type ComponentClass } from '../records.js';
import { MAAP_MEASURED, MaapSet, maapRunOf, variationParams, type MaapRun } from './maap-set.js';
import { OtaDrive } from './ota-drive.js';

export const maapParams = z.strictObject({
  /** M: physical MAAP sets. */
  sets: wholeNumber(1, 1 << 20),
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

/** One output to compute: the same operation on R sets. */
export type MaapRequest = Omit<MaapRun, 'id'> & { readonly id: number };

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
 * waits for R free sets (distinct devices, so their errors are independent), runs on all R
 * at once, and leaves as one averaged value (analog averaging) or R values (digital).
 */
export class MaapArray extends Component {
  readonly kind: ComponentClass = 'digital';
  readonly pool: ServerPool;
  readonly sets: MaapSet[] = [];
  private readonly runs: Topic<MaapRun>[] = [];
  private readonly results: Topic<Samples<MaapResult>>;
  private readonly pending = new Map<number, { op: string; sets: number[]; values: Float64Array; ideal: number; left: number }>();
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
    this.pool = new ServerPool(ctx.kernel, name, params.sets);
    this.results = ctx.bus.topic(MAAP_RESULTS);
    ctx.bus.topic(MAAP_REQUESTS).listen((r) => this.request(r));
    ctx.bus.topic(MAAP_MEASURED).listen((m) => this.measured(m.id, m.set, m.value, m.ideal));
    ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase === 'start') this.pool.resetStatistics();
    });
  }

  private request(r: MaapRequest): void {
    const R = this.params.redundancy;
    this.pool.acquire(R, (sets) => {
      this.pending.set(r.id, { op: r.op, sets, values: new Float64Array(R), ideal: 0, left: R });
      for (const s of sets) this.runs[s]!.publish(r);
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
    this.pool.release(p.sets);
    const mean = p.values.reduce((a, b) => a + b, 0) / p.values.length;
    this.squared.output += (mean - p.ideal) ** 2;
    this.squared.outputs++;
    const values = this.params.averaging === 'analog' ? Float64Array.of(mean) : p.values;
    this.results.publish({ meta: { id, op: p.op, sets: p.sets }, values, op: p.op });
  }
}
