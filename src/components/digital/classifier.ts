import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { CLASSIFIED, IMAGES, type Classification, type ComponentClass, type ImageMark } from '../records.js';
import { argmax, headForward, quantizeHead, type HeadLayer } from './dense-head.js';
import { areaLine, type AreaLine, type DigitalArea } from '../area.js';

export const classifierParams = z.strictObject({
  /**
   * Count the head in `energy_j`, `latency_ps` and power. The seeds leave the final dense
   * layer out of their figures, so by default its cost is reported on its own line.
   */
  count_in_totals: z.boolean().default(false),
  /** Bits of each stored weight (sign-magnitude). */
  weight_bits: wholeNumber(2, 32),
  /** Multiply-accumulate units working in parallel. */
  mac_units: wholeNumber(1, 1 << 20),
  clock_period: quantity('time', { min: 1 }),
  energy_per_mac: quantity('energy', { min: 0 }),
  /** Energy per bit of a weight read from the head's memory. */
  energy_per_weight_bit: quantity('energy', { min: 0 }),
});

export type ClassifierParams = z.output<typeof classifierParams>;

/** Asks the block that holds an image's features for them (the head's input port). */
export interface FeatureRequest {
  readonly image: number;
  /** Where in an addressed memory the features are (words from `address`). */
  readonly region?: { readonly address: number; readonly words: number };
}

/** The stored values of an image's features, as the producer holds them (states, codes). */
export interface Features {
  readonly image: number;
  readonly values: Float64Array;
}

export const featuresRequestOf = (producer: string) => topicKey<FeatureRequest>(`${producer}/features-request`);
export const FEATURES = topicKey<Features>('head/features');

/** Where the head's input comes from: which block, what one value costs to read, how to decode it. */
export interface HeadInput {
  readonly producer: string;
  /** Energy to read one feature value out of the producer (a cell readout, a memory word). */
  readonly readEnergy: number;
  readonly readDescription: string;
  /** Stored values to the values the network means. */
  readonly decode: (stored: Float64Array) => Float64Array;
  /** For an addressed memory: where the features are. */
  readonly region?: FeatureRequest['region'];
}

/**
 * The digital classifier head: the network's final dense layer(s), run on MAC units once the
 * accelerator has computed an image's features. It reads the features from the block that
 * holds them, reads its weights (b-bit words) and performs every multiply-accumulate, then
 * publishes the image's class and ends the image. Its costs are its own ('classifier' class).
 */
export class Classifier extends Component {
  readonly kind: ComponentClass = 'classifier';
  readonly layers: readonly HeadLayer[];
  readonly macs: number;
  readonly weightWords: number;
  readonly duration: number;
  private readonly inputRead: ActionSpec;
  private readonly weightRead: ActionSpec;
  private readonly mac: ActionSpec;
  private readonly classified: Topic<Classification>;
  private readonly marks: Topic<ImageMark>;

  constructor(
    ctx: SimContext,
    name: string,
    readonly params: ClassifierParams,
    layers: readonly HeadLayer[],
    readonly input: HeadInput,
  ) {
    super(ctx, name);
    this.layers = quantizeHead(layers, params.weight_bits);
    this.macs = layers.reduce((a, l) => a + l.inputs * l.outputs, 0);
    this.weightWords = layers.reduce((a, l) => a + l.weights.length + l.bias.length, 0);
    this.duration = Math.ceil(this.macs / params.mac_units) * params.clock_period;
    this.inputRead = this.declareEnergy('input_read', input.readEnergy, input.readDescription);
    this.weightRead = this.declareEnergy('weight_read', params.weight_bits * params.energy_per_weight_bit, `read one ${params.weight_bits}-bit weight word`);
    this.mac = this.declareEnergy('mac', params.energy_per_mac, 'one multiply-accumulate');
    this.classified = ctx.bus.topic(CLASSIFIED);
    this.marks = ctx.bus.topic(IMAGES);
    const request = ctx.bus.topic(featuresRequestOf(input.producer));
    ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase === 'computed') request.publish({ image: m.image, ...(input.region === undefined ? {} : { region: input.region }) });
    });
    ctx.bus.topic(FEATURES).listen((f) => this.classify(f));
  }

  private classify(f: Features): void {
    const outputs = headForward(this.layers, this.input.decode(f.values));
    const predicted = argmax(outputs);
    const op = `image[${f.image}]/head`;
    this.perform(this.inputRead, f.values.length, { op });
    this.perform(this.weightRead, this.weightWords, { duration: this.duration, op });
    this.perform(this.mac, this.macs, { duration: this.duration, op, values: { predicted } });
    this.kernel.after(this.duration, () => {
      this.classified.publish({ image: f.image, outputs, predicted });
      this.marks.publish({ time: this.now, image: f.image, phase: 'end' });
    }, 0);
  }
}

/**
 * The head's area: its MAC units, each a b^2-gate multiplier (as seed 003 counts a multiply)
 * and an accumulator of 2b + 8 bits (a b x b product summed over up to 2^8 terms), and its
 * weight memory, the head's weights at `weight_bits` each.
 */
export function classifierArea(name: string, p: ClassifierParams, weights: number, d: DigitalArea): AreaLine[] {
  const b = p.weight_bits;
  const macGates = b * b + d.accumulator_gates_per_bit * (2 * b + 8);
  return [
    areaLine(`${name}/mac`, 'classifier', p.mac_units, macGates * d.gate, `${macGates} gates per ${b}-bit MAC (b^2 multiply, (2b + 8)-bit accumulator)`),
    areaLine(`${name}/weights`, 'classifier', 1, (weights * b * d.sram_bit_cell) / d.sram_array_efficiency, `${weights.toLocaleString('en-US')} weights x ${b} b of SRAM, ${Math.round(d.sram_array_efficiency * 100)} % of the macro`),
  ];
}
