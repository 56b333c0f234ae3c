import type { TopicKey, Topic } from '../../scheduler/bus.js';
import type { ConverterParams } from './params.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { ComponentClass } from '../records.js';
import { toCode } from './quantize.js';
import type { Samples } from './samples.js';


/**
 * Analog-to-digital converters working in parallel: every value that arrives on `input` is
 * converted (one conversion each, at its energy) and the codes leave on `output` one
 * conversion time later.
 */
export class Adc<M> extends Component {
  readonly kind: ComponentClass = 'adc-dac';
  private readonly conversion: ActionSpec;
  private readonly out: Topic<Samples<M>>;

  constructor(ctx: SimContext, name: string, readonly params: ConverterParams, input: TopicKey<Samples<M>>, output: TopicKey<Samples<M>>) {
    super(ctx, name);
    this.conversion = this.declareEnergy('adc_conversion', params.energy_per_conversion, `one ${params.bits}-bit conversion`);
    this.out = ctx.bus.topic(output);
    ctx.bus.topic(input).listen((s) => this.convert(s));
  }

  private convert(s: Samples<M>): void {
    const codes = new Float64Array(s.values.length);
    for (let i = 0; i < codes.length; i++) codes[i] = toCode(s.values[i]!, this.params.bits);
    this.perform(this.conversion, codes.length, { duration: this.params.conversion_time, ...(s.op === undefined ? {} : { op: s.op, values: { in: s.values[0]!, code: codes[0]! } }) });
    this.signal('busy', '1', s.op);
    this.kernel.after(this.params.conversion_time, this.done, { meta: s.meta, values: codes, ...(s.op === undefined ? {} : { op: s.op }) });
  }

  private readonly done = (s: Samples<M>): void => {
    this.signal('busy', '0', s.op);
    this.out.publish(s);
  };
}
