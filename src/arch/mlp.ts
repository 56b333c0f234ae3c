import type { DenseActivation } from '../components/digital/dense-head.js';
import { NetworkError, type Layer } from './network.js';

/** A dense layer as an array: a row per neuron, a column per input plus one bias column. */
export interface ArrayShape {
  readonly rows: number;
  readonly columns: number;
}

/**
 * The dense layers of a perceptron and their array shapes; any other layer is an error, and
 * so is a hidden layer whose activation is not the one the neurons compute (`neuron`): the
 * last layer's scores may be read as they are (none, softmax) or through the neurons.
 */
export function perceptronArrays(layers: readonly Layer[], what: string, neuron: DenseActivation): { dense: Layer[]; shapes: ArrayShape[] } {
  layers.forEach((l, i) => {
    if (l.spec.type !== 'dense') throw new NetworkError({ keyPath: ['network', 'layers', i, 'type'], path: `network.layers[${i}].type`, message: `${what} has only dense layers, got ${l.spec.type}` });
    const a = l.spec.activation;
    const ok = i < layers.length - 1 ? a === neuron : a === neuron || a === 'none' || a === 'softmax';
    if (!ok) {
      const rule = i < layers.length - 1 ? `its hidden layers' neurons compute ${neuron}` : `its last layer gives its scores as they are (none, softmax) or through its ${neuron} neurons`;
      throw new NetworkError({ keyPath: ['network', 'layers', i, 'activation'], path: `network.layers[${i}].activation`, message: `${what} maps dense layers with their neurons' activation: ${rule}, not ${a}` });
    }
  });
  return { dense: [...layers], shapes: layers.map((l) => ({ rows: l.output.w, columns: l.input.h * l.input.w * l.input.c + 1 })) };
}

/** Checks that a per-layer parameter list has one value per dense layer. */
export function onePerLayer(values: readonly unknown[], layers: number, keyPath: readonly string[]): void {
  if (values.length !== layers) {
    throw new NetworkError({ keyPath, path: keyPath.join('.'), message: `needs one value per dense layer (${layers}), got ${values.length}` });
  }
}

/** Selectors of a perceptron: `L0/row[3]` (writing row 3 of layer 0) or `image[0]` (an inference). */
export function followPerceptron(shapes: readonly ArrayShape[], selector: string): ReadonlySet<string> | undefined {
  const row = /^L(\d+)\/row\[(\d+)\]$/.exec(selector);
  if (row !== null) return Number(row[2]) < (shapes[Number(row[1])]?.rows ?? 0) ? new Set([selector]) : undefined;
  return /^image\[\d+\]$/.test(selector) ? new Set([selector]) : undefined;
}
