import type { Topic } from '../../scheduler/bus.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { INFERENCE, type ComponentClass } from '../records.js';
import { neuronInputsOf, rowCurrentsOf, type LayerVoltages } from './messages.js';
import { areaLine, type AreaLine } from '../area.js';

/** Each row's amplifier output: V = V_mid + R_t (I+ - I-). */
export function amplify(plus: Float64Array, minus: Float64Array, midpoint: number, transimpedance: number): Float64Array {
  const out = new Float64Array(plus.length);
  for (let r = 0; r < out.length; r++) out[r] = midpoint + transimpedance * (plus[r]! - minus[r]!);
  return out;
}

/**
 * The differential amplifiers of a crossbar, one shared per row (seed 004, Fig. 5): each
 * turns its row's I+ - I- into a voltage around the neuron's midpoint,
 * V = V_mid + R_t (I+ - I-), and draws its power while the read path is enabled.
 */
export class DifferentialAmplifiers extends Component {
  readonly kind: ComponentClass = 'analog';
  private readonly power: ActionSpec;
  private readonly out: Topic<LayerVoltages>;

  constructor(
    ctx: SimContext,
    name: string,
    readonly layer: number,
    readonly rows: number,
    readonly transimpedance: number,
    readonly midpoint: number,
    powerEach: number,
    readonly settle: number,
  ) {
    super(ctx, name);
    this.power = this.declarePower('amplifier', powerEach, 'one differential amplifier while the read path is on');
    this.out = ctx.bus.topic(neuronInputsOf(layer));
    ctx.bus.topic(INFERENCE).listen((c) => this.powerFor(this.power, c.period, { count: rows, op: `image[${c.image}]` }));
    ctx.bus.topic(rowCurrentsOf(layer)).listen((i) => {
      this.out.publishAfter(settle, { image: i.image, voltages: amplify(i.plus, i.minus, midpoint, transimpedance), until: this.now + settle });
    });
  }
}

/** A crossbar's row amplifiers: `transistors` each (the design is open in seed 004; the scenario says why its count). */
export const amplifierArea = (name: string, rows: number, transistors: number, transistor: number): AreaLine =>
  areaLine(name, 'analog', rows, transistors * transistor, `${transistors} transistors per row amplifier`);
