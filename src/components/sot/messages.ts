import { topicKey } from '../../scheduler/bus.js';
import type { Ps } from '../../scheduler/time.js';

/** One row of a crossbar written with its weights (+1 / -1 per column) by the write driver. */
export interface RowWrite {
  readonly row: number;
  readonly weights: Int8Array;
  readonly pulse: Ps;
}

/** Voltages on a layer's inputs (IN lines, volts) for one inference, applied until `until`. */
export interface LayerVoltages {
  readonly image: number;
  readonly voltages: Float64Array;
  readonly until: Ps;
}

/** The two column currents of every row of a crossbar (amperes). */
export interface RowCurrents {
  readonly image: number;
  readonly plus: Float64Array;
  readonly minus: Float64Array;
}


export const rowWritesOf = (layer: number) => topicKey<RowWrite>(`layer[${layer}]/write`);
export const inputsOf = (layer: number) => topicKey<LayerVoltages>(`layer[${layer}]/inputs`);
export const rowCurrentsOf = (layer: number) => topicKey<RowCurrents>(`layer[${layer}]/currents`);
export const neuronInputsOf = (layer: number) => topicKey<LayerVoltages>(`layer[${layer}]/neuron-in`);
export const outputsOf = (layer: number) => topicKey<LayerVoltages>(`layer[${layer}]/outputs`);
