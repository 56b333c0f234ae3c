import type { Topic, TopicKey } from '../../scheduler/bus.js';
import { ServerPool } from '../../scheduler/server-pool.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { IMAGES, type ComponentClass } from '../records.js';
import type { ConverterParams } from './params.js';
import { toCode, toCodes } from './quantize.js';
import type { Samples } from './samples.js';

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
    return toCode(x, this.params.bits, this.params.range);
  }

  private convert(s: Samples<M>): void {
    const time = this.params.conversion_time;
    const op = s.op === undefined ? {} : { op: s.op };
    if (this.pool === undefined) {
      const codes = toCodes(s.values, this.params.bits, this.params.range);
      this.perform(this.conversion, codes.length, { duration: time, ...op });
      this.out.publishAfter(time, { meta: s.meta, values: codes, ...op });
      return;
    }
    const pool = this.pool;
    const codes = new Float64Array(s.values.length);
    let left = codes.length;
    s.values.forEach((x, i) => {
      pool.acquire(1, ([unit]) => {
        codes[i] = this.code(x);
        this.perform(this.conversion, 1, { duration: time, ...op, ...(this.tracing ? { values: { in: x, code: codes[i]!, unit: unit! } } : {}) });
        this.signal(`unit[${unit!}]/busy`, '1', s.op);
        this.kernel.after(time, () => {
          pool.release([unit!]);
          this.signal(`unit[${unit!}]/busy`, '0', s.op);
          if (--left === 0) this.out.publish({ meta: s.meta, values: codes, ...op });
        }, 0);
      });
    });
  }
}
