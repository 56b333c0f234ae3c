import { z } from 'zod';
import type { Topic, TopicKey } from '../../scheduler/bus.js';
import { quantity } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { ComponentClass } from '../records.js';
import { cellInputsOf, packPlanes, unpackPlanes, type PlaneSamples } from './messages.js';
import { planeSize, settlePlanes } from './template.js';
import { areaLine, capacitorArea, type AreaLine } from '../area.js';

export const chargeCellParams = z.strictObject({
  /** Capacitor that holds a charge CeNN cell's state. */
  state_capacitance: quantity('capacitance', { positive: true }),
  /** Voltage swing of the state between -1 and +1. */
  state_swing: quantity('voltage', { positive: true }),
});

export type ChargeCellParams = z.output<typeof chargeCellParams>;

/**
 * Charge-based CeNN cells (Chua-Yang): the state is the voltage on a capacitor, set by the
 * summed OTA currents through the saturated-linear output. The state is volatile, so each
 * result leaves through the ADCs for the state memory as soon as it has settled.
 */
export class ChargeCellArray extends Component {
  readonly kind: ComponentClass = 'analog';
  private readonly toAdc: Topic<PlaneSamples>;
  private readonly charge: ActionSpec;

  constructor(ctx: SimContext, name: string, readonly params: ChargeCellParams, output: TopicKey<PlaneSamples>) {
    super(ctx, name);
    this.charge = this.declareEnergy('cell_charge', params.state_capacitance * params.state_swing ** 2, 'charging one state capacitor across its swing');
    this.toAdc = ctx.bus.topic(output);
    ctx.bus.topic(cellInputsOf(name)).listen((s) => this.settle(s));
  }

  private settle(s: PlaneSamples): void {
    const out = settlePlanes(unpackPlanes(s));
    let cells = 0;
    for (const p of out.values()) cells += planeSize(p.shape);
    this.perform(this.charge, cells, { ...(s.op === undefined ? {} : { op: s.op }), values: { pass: s.meta.stage, cells } });
    this.toAdc.publish(packPlanes(s.meta.stage, this.name, out, s.op));
  }
}

/** Charge CeNN cells: each a state capacitor (its plate area from its capacitance and dielectric) beside its transistors. */
export function chargeCellArea(name: string, cells: number, p: ChargeCellParams, dielectric: { readonly thickness: number; readonly permittivity: number }, cellTransistors: number, transistor: number): AreaLine {
  const plate = capacitorArea(p.state_capacitance, dielectric.thickness, dielectric.permittivity);
  return areaLine(name, 'analog', cells, plate + cellTransistors * transistor, `a ${(p.state_capacitance * 1e15).toPrecision(3)} fF state capacitor (${(plate * 1e12).toPrecision(3)} um^2) and ${cellTransistors} transistors per cell`);
}
