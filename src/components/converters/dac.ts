import type { TopicKey, Topic } from '../../scheduler/bus.js';
import type { ConverterParams } from './params.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { ComponentClass } from '../records.js';
import { fromCodes } from './quantize.js';
import type { Samples } from './samples.js';


/** Digital-to-analog converters: codes on `input` become normalized values on `output` a conversion time later. */
export class Dac<M> extends Component {
  readonly kind: ComponentClass = 'adc-dac';
  private readonly conversion: ActionSpec;
  private readonly out: Topic<Samples<M>>;

  constructor(ctx: SimContext, name: string, readonly params: ConverterParams, input: TopicKey<Samples<M>>, output: TopicKey<Samples<M>>) {
    super(ctx, name);
    this.conversion = this.declareEnergy('dac_conversion', params.energy_per_conversion, `one ${params.bits}-bit conversion`);
    this.out = ctx.bus.topic(output);
    ctx.bus.topic(input).listen((s) => this.convert(s));
  }

  private convert(s: Samples<M>): void {
    const values = fromCodes(s.values, this.params.bits, this.params.range);
    this.perform(this.conversion, values.length, { duration: this.params.conversion_time, ...(s.op === undefined ? {} : { op: s.op }) });
    this.out.publishAfter(this.params.conversion_time, { meta: s.meta, values, ...(s.op === undefined ? {} : { op: s.op }) });
  }
}
