import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import { quantity, ratio } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { INFERENCE, type ComponentClass } from '../records.js';
import { mtjCurrentsOf, mtjInputsOf, type MtjLayerInputs } from './synapse-array.js';
import { areaLine, type AreaLine } from '../area.js';

export const mtjNeuronParams = z.strictObject({
  /** Core supply of the neuron's op-amps and inverter (seed 002: 1.8 V, UMC 180 nm). */
  supply: quantity('voltage', { positive: true }),
  /** Current of one op-amp (seed 002: about 12 uA in total, with a 1 uA bias). */
  opamp_current: quantity('current', { min: 0 }),
  /** Gain-bandwidth product of one op-amp. */
  gain_bandwidth: quantity('frequency', { positive: true }),
  /** Time constants an op-amp stage is given to settle (ln of 1 / accuracy). */
  settle_time_constants: ratio(0.1, 50),
  /**
   * Summing-amplifier feedback resistance R_f, one per layer, or `derived`: the gain that maps
   * the layer's weight range onto its cells' conductance span (seed 002, Sec. III: the weights
   * "rescaled by tuning amplifiers' gains"), so the neurons compute the trained tanh(W x + b).
   */
  feedback: z.union([z.literal('derived'), z.array(quantity('resistance', { positive: true })).min(1)]),
  /** The sigmoid inverter: its supply current, delay, and output swing and input scale. */
  sigmoid_current: quantity('current', { min: 0 }),
  sigmoid_delay: quantity('time', { min: 0 }),
  output_swing: quantity('voltage', { positive: true }),
  input_scale: quantity('voltage', { positive: true }),
});

export type MtjNeuronParams = z.output<typeof mtjNeuronParams>;

/** Time an op-amp stage takes to settle: n time constants of 1 / (2 pi GBW). */
export const opampSettle = (p: MtjNeuronParams): number => Math.ceil((p.settle_time_constants / (2 * Math.PI * p.gain_bandwidth)) * 1e12);

/** A layer's time: the summing amplifiers, then the differential amplifier, then the sigmoid inverter. */
export const layerDelay = (p: MtjNeuronParams): number => 2 * opampSettle(p) + p.sigmoid_delay;

export const MTJ_OUTPUTS = topicKey<MtjLayerInputs>('mtj/outputs');

/**
 * A neuron's output for its row currents: the summing and differential amplifiers give
 * V_d = -R_f (I+ - I-), the modified inverter V_out = swing * tanh(-V_d / scale).
 */
export function neuronOutput(p: MtjNeuronParams, feedback: number, plus: number, minus: number): number {
  const vd = -feedback * (plus - minus);
  return p.output_swing * Math.tanh(-vd / p.input_scale);
}

/**
 * The neurons of one layer (seed 002, Fig. 3): two summing amplifiers give
 * -R_f sum V G_P and -R_f sum V G_N, a differential amplifier takes their difference
 * V_d = -R_f sum V (G_P - G_N), and a modified inverter turns it into the bipolar output
 * V_out = swing * tanh(-V_d / scale), which drives the next layer's inputs. Three op-amps
 * per neuron and the inverter draw their supply current while an inference runs.
 */
export class MtjNeurons extends Component {
  readonly kind: ComponentClass = 'analog';
  private readonly opamps: ActionSpec;
  private readonly inverters: ActionSpec;
  private readonly out: Topic<MtjLayerInputs>;
  /** End of the inference in progress: the next layer's inputs stay applied until then. */
  private end = 0;

  constructor(
    ctx: SimContext,
    name: string,
    readonly layer: number,
    readonly rows: number,
    readonly params: MtjNeuronParams,
    /** R_f of this layer's summing amplifiers. */
    readonly feedback: number,
    last: boolean,
  ) {
    super(ctx, name);
    this.opamps = this.declarePower('opamp', params.opamp_current * params.supply, 'one op-amp (summing or differential) while an inference runs');
    this.inverters = this.declarePower('sigmoid_inverter', params.sigmoid_current * params.supply, 'one sigmoid inverter while an inference runs');
    this.out = ctx.bus.topic(last ? MTJ_OUTPUTS : mtjInputsOf(layer + 1));
    ctx.bus.topic(INFERENCE).listen((w) => {
      this.end = w.start + w.period;
      this.powerFor(this.opamps, w.period, { count: 3 * rows, op: `image[${w.image}]` });
      this.powerFor(this.inverters, w.period, { count: rows, op: `image[${w.image}]` });
    });
    ctx.bus.topic(mtjCurrentsOf(layer)).listen((i) => {
      const voltages = new Float64Array(rows);
      for (let r = 0; r < rows; r++) voltages[r] = neuronOutput(params, feedback, i.plus[r]!, i.minus[r]!);
      this.out.publishAfter(layerDelay(params), { image: i.image, voltages, until: this.end });
    });
  }
}

/** Seed 002 Fig. 4: each op-amp is a differential pair M1, M2, a mirror load M3, M4, the bias M5 and the output stage M6, M7. */
export const OPAMP_TRANSISTORS = 7;
/** Seed 002 Fig. 5b: the modified inverter's M0-M3. */
export const SIGMOID_TRANSISTORS = 4;
/** Two summing amplifiers and a differential one per neuron (Fig. 3). */
export const OPAMPS_PER_NEURON = 3;

/** A layer's neurons: three op-amps and the modified inverter, at minimum-size transistors (a lower bound: seed 002 widens some). */
export const mtjNeuronArea = (name: string, rows: number, transistor: number): AreaLine =>
  areaLine(name, 'analog', rows, (OPAMPS_PER_NEURON * OPAMP_TRANSISTORS + SIGMOID_TRANSISTORS) * transistor, `${OPAMPS_PER_NEURON} op-amps of ${OPAMP_TRANSISTORS} transistors and a ${SIGMOID_TRANSISTORS}-transistor inverter per neuron`);
