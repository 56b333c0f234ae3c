import { z } from 'zod';
import type { Topic } from '../../scheduler/bus.js';
import { quantity } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { INFERENCE, type ComponentClass } from '../records.js';
import { neuronInputsOf, outputsOf, rowWritesOf, type LayerVoltages } from './messages.js';
import { writeEnergy, type SotDeviceParams } from './sot-mram.js';
import { areaLine, stacked, type AreaLine } from '../area.js';

export const sigmoidNeuronParams = z.strictObject({
  /** Supply (seed 004: VDD = 0.8 V, VSS = 0 V, 14 nm FinFET). */
  vdd: quantity('voltage', { positive: true }),
  /** Average power of one neuron (seed 004 Sec. V-A: 64 uW from SPICE). */
  power: quantity('power', { min: 0 }),
  /**
   * Input voltage over which the output falls by a factor e around the midpoint: the
   * SOT-MRAM divider's softening of the inverter's transition (seed 004, Fig. 2b).
   */
  slope_voltage: quantity('voltage', { positive: true }),
  settle: quantity('time', { min: 0 }),
});

export type SigmoidNeuronParams = z.output<typeof sigmoidNeuronParams>;

/** The 2T-2R neuron's transfer curve: VDD * sigmoid(-(V_in - VDD/2) / V_s), an inverting sigmoid. */
export function neuronTransfer(p: SigmoidNeuronParams, vin: number): number {
  return p.vdd / (1 + Math.exp((vin - p.vdd / 2) / p.slope_voltage));
}

/**
 * The SOT-MRAM sigmoidal neurons of one layer (seed 004, Fig. 2): an inverter whose
 * transistors each see an SOT-MRAM (MRAM1 parallel, MRAM2 antiparallel) as a voltage
 * divider, which softens the inverter's transition into a sigmoid, sigmoid(-y). The two
 * devices are set when the driver writes the neuron's row; the neuron draws its power
 * while the read path is on.
 */
export class SigmoidNeurons extends Component {
  readonly kind: ComponentClass = 'analog';
  private readonly power: ActionSpec;
  private readonly write: ActionSpec;
  private readonly out: Topic<LayerVoltages>;

  constructor(
    ctx: SimContext,
    name: string,
    readonly layer: number,
    readonly rows: number,
    readonly params: SigmoidNeuronParams,
    device: SotDeviceParams,
  ) {
    super(ctx, name);
    this.power = this.declarePower('neuron', params.power, 'one 2T-2R sigmoid neuron while the read path is on');
    this.write = this.declareEnergy('sot_write', writeEnergy(device), "setting one of a neuron's SOT-MRAMs (MRAM1 to P, MRAM2 to AP)");
    this.out = ctx.bus.topic(outputsOf(layer));
    ctx.bus.topic(INFERENCE).listen((c) => this.powerFor(this.power, c.period, { count: rows, op: `image[${c.image}]` }));
    ctx.bus.topic(rowWritesOf(layer)).listen((w) => this.perform(this.write, 2, { duration: w.pulse, op: `L${layer}/row[${w.row}]` }));
    ctx.bus.topic(neuronInputsOf(layer)).listen((v) => {
      const out = v.voltages.map((x) => neuronTransfer(params, x));
      this.out.publishAfter(params.settle, { image: v.image, voltages: out, until: v.until });
    });
  }
}

/** The neuron's transistors: an inverter (seed 004 Fig. 2, "2T-2R"). */
export const NEURON_TRANSISTORS = 2;

/**
 * A layer's neurons: each the two transistors of its inverter, its two SOT-MRAMs fabricated
 * over them (seed 004 Sec. V-A: "no area overhead"), unless their heavy metals are larger.
 */
export function neuronArea(name: string, rows: number, p: SotDeviceParams, transistor: number): AreaLine {
  const under = NEURON_TRANSISTORS * transistor;
  const each = stacked(under, 2 * p.hm_length * p.hm_width);
  return areaLine(name, 'analog', rows, each, `${NEURON_TRANSISTORS} transistors (2T-2R), the 2 SOT-MRAMs stacked over them`);
}
