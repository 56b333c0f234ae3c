import path from 'node:path';
import { WeightSource } from '../data/weights.js';
import { ScenarioError } from '../scenario/errors.js';
import { displayPath, locate, type RawScenario } from '../scenario/load.js';
import { isRecord } from '../scenario/is-record.js';
import { OnnxError } from './onnx-error.js';
import { readOnnxModel } from './onnx-model.js';
import { onnxNetwork, type ImportedNetwork, type ImportedWeights, type LayerInput } from './onnx-network.js';

/** What the importer needs of a design (its name and what it maps; see arch/design.ts, DesignImports). */
export interface ImportTarget {
  readonly name: string;
  readonly imports: { readonly maps: string; readonly negated?: boolean };
}

/** An ONNX model as a scenario's network: its layers (as a scenario writes them), weights, and each layer's node. */
export interface OnnxNetworkSource {
  /** The model file, absolute. */
  readonly file: string;
  readonly imported: ImportedNetwork;
  readonly network: { readonly input: [number, number, number] | [number]; readonly layers: readonly LayerInput[] };
  /** The weights as the design takes them (negated for a design whose neurons take -(W x + b)). */
  readonly weights: readonly ImportedWeights[];
  readonly negated: boolean;
  /** A mapping problem at `keyPath` (network.layers[i]...) said at the model's node. */
  explain(keyPath: readonly (string | number)[], message: string): string;
}

/** Reads an ONNX file as a network for `design`; an OnnxError if it cannot be read or has what spinarch does not import. */
export function importOnnx(file: string, design: ImportTarget): OnnxNetworkSource {
  const shown = displayPath(file);
  const imported = onnxNetwork({ ...readOnnxModel(file), file: shown }, { design: design.name, designMaps: design.imports.maps });
  const negated = design.imports.negated === true;
  const weights = negated ? imported.weights.map((w) => ({ ...w, weights: w.weights.map((x) => -x), bias: w.bias.map((x) => -x) })) : imported.weights;
  return {
    file,
    imported,
    network: { input: imported.input, layers: imported.layers },
    weights,
    negated,
    explain(keyPath, message) {
      const i = keyPath[0] === 'network' && keyPath[1] === 'layers' && typeof keyPath[2] === 'number' ? keyPath[2] : undefined;
      const origin = i === undefined ? undefined : imported.origins[i];
      if (origin === undefined) return `${shown}: ${message}`;
      return `${shown}: node '${origin.node}' (op ${origin.op}${origin.detail === '' ? '' : `, ${origin.detail}`}): ${message}`;
    },
  };
}

/** A scenario's `network: { onnx: FILE }`, the file relative to the scenario that names it; a ScenarioError at network.onnx if it does not import. */
export function onnxNetworkOf(raw: RawScenario, design: ImportTarget): OnnxNetworkSource {
  const network = raw.data['network'];
  const where = locate(raw, ['network', 'onnx']);
  const fail = (message: string): never => {
    throw new ScenarioError([{ location: where, path: 'network.onnx', message }]);
  };
  if (!isRecord(network)) return fail('expected { onnx: model.onnx }');
  // Layers a base scenario wrote (extends) give way to the model; written beside `onnx`, they are a contradiction.
  const extra = Object.keys(network).filter((k) => k !== 'onnx' && locate(raw, ['network', k]).file === where.file);
  if (extra.length > 0) fail(`a network from an ONNX model takes its input and layers from the model: remove ${extra.map((k) => `network.${k}`).join(', ')}, or write the layers out with spinarch import`);
  const name = network['onnx'];
  if (typeof name !== 'string' || name.trim() === '') return fail('expected the path of an ONNX model file, like model.onnx (relative to this scenario)');
  const base = where.file.startsWith('--') ? process.cwd() : path.dirname(path.resolve(where.file));
  try {
    return importOnnx(path.resolve(base, name), design);
  } catch (error) {
    if (error instanceof OnnxError) return fail(error.message);
    throw error;
  }
}

/** The model's own weights, as a weight source. */
export const onnxWeights = (source: OnnxNetworkSource): WeightSource => WeightSource.fromLayers(`ONNX model ${displayPath(source.file)}${source.negated ? ' (negated for the neurons\' -(W x + b))' : ''}`, displayPath(source.file), source.weights);
