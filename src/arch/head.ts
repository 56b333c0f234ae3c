import type { SimContext } from '../components/component.js';
import { Classifier, classifierArea, type ClassifierParams, type HeadInput } from '../components/digital/classifier.js';
import { quantizeHead, type HeadLayer } from '../components/digital/dense-head.js';
import type { WeightSource } from '../data/weights.js';
import { NetworkError, sizeOf, type Layer } from './network.js';
import type { AreaLine, DigitalArea } from '../components/area.js';

/** The dense layers a CNN design leaves to its digital classifier head, with their weights. */
export function headLayers(dense: readonly Layer[], weights: WeightSource): HeadLayer[] {
  return dense.map((l) => {
    if (l.spec.type !== 'dense') throw new Error(`layer ${l.index} is not dense`);
    const inputs = sizeOf(l.input);
    const lw = weights.forLayer(l.index, [l.spec.outputs, inputs], l.spec.outputs);
    return { inputs, outputs: l.spec.outputs, weights: lw.weights, bias: lw.bias, activation: l.spec.activation };
  });
}

/** A CNN design's head: its dense layers and the parameters of the block that runs them. */
export interface HeadPlan {
  readonly layers: readonly HeadLayer[];
  readonly params: ClassifierParams;
  /** The layers as the head's memory holds them (quantized): what both modes compute with. */
  readonly quantized: readonly HeadLayer[];
}

/**
 * Plans the head for the dense layers a design leaves over: none when there are none; a
 * scenario error at params.classifier when there are some but no head parameters.
 */
export function planHead(dense: readonly Layer[], weights: WeightSource, params: ClassifierParams | undefined): HeadPlan | undefined {
  if (dense.length === 0) return undefined;
  if (params === undefined) {
    throw new NetworkError({ keyPath: ['params'], path: 'params.classifier', message: `the network ends in ${dense.length} dense layer(s), which run on a digital classifier head: give its parameters (count_in_totals, weight_bits, mac_units, clock_period, energy_per_mac, energy_per_weight_bit)` });
  }
  const layers = headLayers(dense, weights);
  return { layers, params, quantized: quantizeHead(layers, params.weight_bits) };
}

/** Builds the head's block (event level), reading its features from `input.producer`. */
export function buildHead(sim: SimContext, plan: HeadPlan, input: HeadInput): Classifier {
  return new Classifier(sim, 'classifier', plan.params, plan.layers, input);
}

/** What the report says about the head (its energy and time are per image, from the ledger). */
export function headSummary(plan: HeadPlan | undefined, classifier: Classifier | undefined): Record<string, unknown> {
  if (plan === undefined || classifier === undefined) return {};
  return {
    classifier: {
      counted: plan.params.count_in_totals,
      layers: plan.layers.map((l) => `dense ${l.inputs} -> ${l.outputs}`),
      macs: classifier.macs,
      weight_words: classifier.weightWords,
      weight_bits: plan.params.weight_bits,
    },
  };
}

/** The head's area lines, for the dense layers a design leaves to it (none without them). */
export function headArea(dense: readonly Layer[], params: ClassifierParams | undefined, digital: DigitalArea): AreaLine[] {
  if (params === undefined || dense.length === 0) return [];
  const weights = dense.reduce((a, l) => a + (l.spec.type === 'dense' ? (sizeOf(l.input) + 1) * l.spec.outputs : 0), 0);
  return classifierArea('classifier', params, weights, digital);
}
