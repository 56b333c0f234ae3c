import type { Topic, TopicKey } from '../../scheduler/bus.js';
import { ServerPool } from '../../scheduler/server-pool.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { IMAGES, type ComponentClass } from '../records.js';
import type { ConverterParams } from './params.js';
import { toCode, toCodes } from './quantize.js';
import type { Samples } from './samples.js';

/**
 * A batch of values converting on a shared pool: they are granted, and finish, in the order
 * they were asked. Batches are reused once delivered, so they keep their own copy of the
 * values; the sender's `meta` must stay valid until the codes come out.
 */
interface Batch<M> {
  meta: M;
  op: string | undefined;
  readonly values: Float64Array;
  readonly units: Int32Array;
  granted: number;
  done: number;
  readonly out: { meta: M; values: Float64Array; op?: string };
}

/**
 * Analog-to-digital converters: every value that arrives on `input` is converted (one
 * conversion each, at its energy) and the batch of codes leaves on `output` once its last
 * value is converted. With `units` set, the converters are a shared pool and conversions
 * queue for them; without, every value has its own converter.
 */
export class Adc<M> extends Component {
  readonly kind: ComponentClass = 'adc-dac';
  readonly pool: ServerPool | undefined;
  private readonly conversion: ActionSpec;
  private readonly out: Topic<Samples<M>>;

  constructor(ctx: SimContext, name: string, readonly params: ConverterParams, input: TopicKey<Samples<M>>, output: TopicKey<Samples<M>>) {
    super(ctx, name);
    this.conversion = this.declareEnergy('adc_conversion', params.energy_per_conversion, `one ${params.bits}-bit conversion`);
    this.out = ctx.bus.topic(output);
    this.pool = params.units === undefined ? undefined : new ServerPool(ctx.kernel, name, params.units);
    ctx.bus.topic(input).listen((s) => this.convert(s));
    ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase === 'start') this.pool?.resetStatistics();
    });
  }

  private code(x: number): number {
    return toCode(x, this.params.bits, this.params.range, this.params.rounding);
  }

  private convert(s: Samples<M>): void {
    const time = this.params.conversion_time;
    const op = s.op === undefined ? {} : { op: s.op };
    if (this.pool === undefined) {
      const codes = toCodes(s.values, this.params.bits, this.params.range, this.params.rounding);
      this.perform(this.conversion, codes.length, { duration: time, ...op });
      this.out.publishAfter(time, { meta: s.meta, values: codes, ...op });
      return;
    }
    const b = this.batchFor(s);
    for (let i = 0; i < b.values.length; i++) this.pool.acquire(this.granted, b);
  }

  // Delivered batches, ready for reuse.
  private readonly spare: Batch<M>[] = [];

  private batchFor(s: Samples<M>): Batch<M> {
    const n = s.values.length;
    let b = this.spare.pop();
    if (b === undefined || b.values.length !== n) {
      b = { meta: s.meta, op: undefined, values: new Float64Array(n), units: new Int32Array(n), granted: 0, done: 0, out: { meta: s.meta, values: new Float64Array(n) } };
    }
    b.meta = s.meta;
    b.op = s.op;
    b.values.set(s.values);
    b.granted = 0;
    b.done = 0;
    return b;
  }

  private readonly granted = (unit: number, b: Batch<M>): void => {
    const i = b.granted++;
    const x = b.values[i]!;
    const code = this.code(x);
    b.out.values[i] = code;
    b.units[i] = unit;
    this.performFor(this.conversion, 1, this.params.conversion_time, b.op, this.tracing ? { in: x, code, unit } : undefined);
    if (this.signalling) this.signal(`unit[${unit}]/busy`, '1', b.op);
    this.kernel.after(this.params.conversion_time, this.converted, b);
  };

  /** The codes delivered from the pool are valid while delivered: a listener copies what it keeps. */
  private readonly converted = (b: Batch<M>): void => {
    const unit = b.units[b.done++]!;
    this.pool!.release(unit);
    if (this.signalling) this.signal(`unit[${unit}]/busy`, '0', b.op);
    if (b.done < b.values.length) return;
    const out = b.out;
    out.meta = b.meta;
    if (b.op === undefined) { if ('op' in out) delete out.op; }
    else out.op = b.op;
    this.out.publish(out);
    this.spare.push(b);
  };
}
