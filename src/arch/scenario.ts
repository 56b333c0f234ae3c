import path from 'node:path';
import { ScenarioError } from '../scenario/errors.js';
import { applySets, displayPath, locate, readScenario, validate, type RawScenario } from '../scenario/load.js';
import { suggest } from '../scenario/schema-walk.js';
import type { AnyDesign, FunctionalModel } from './design.js';
import { NetworkError, inferLayers, type Layer } from './network.js';
import { designs, findDesign } from './registry.js';
import type { CommonScenario } from './scenario-fields.js';
import { WeightSource, WeightsError } from '../data/weights.js';
import { onnxNetworkOf, onnxWeights, type OnnxNetworkSource } from '../import/scenario-network.js';
import { isRecord } from '../scenario/is-record.js';
import { checkDeviceTables, resolveDeviceTables } from './device-tables.js';

/** A scenario ready to run: validated, its design found and its network's shapes worked out. */
export interface Scenario {
  readonly name: string;
  readonly raw: RawScenario;
  readonly value: CommonScenario;
  readonly design: AnyDesign;
  readonly layers: readonly Layer[];
  /** The ONNX model the network came from (`network: { onnx: model.onnx }`), with the node of each layer. */
  readonly onnx?: OnnxNetworkSource;
}

/** Loads, overrides (`--set`), validates and maps a scenario file. Throws ScenarioError. */
export function loadScenario(file: string, sets: readonly string[] = []): Scenario {
  return fromRaw(applySets(readScenario(file), sets));
}

/** A variant of a loaded scenario with more overrides; the original is untouched. */
export function variant(base: Scenario, sets: readonly string[]): Scenario {
  return fromRaw(applySets(base.raw, sets));
}

/** A scenario from its raw form (as a worker thread receives it): validated and mapped again. */
export function scenarioFromRaw(raw: RawScenario): Scenario {
  return fromRaw(raw);
}

function fromRaw(given: RawScenario): Scenario {
  // Device table paths made absolute first: the raw form goes to worker threads and is parsed again.
  const raw = resolveDeviceTables(given);
  const name = raw.data['design'];
  const known = designs.map((d) => d.name);
  if (typeof name !== 'string') {
    throw new ScenarioError([{ location: locate(raw, ['design']), path: 'design', message: `required: the design to build, one of ${known.join(', ')}` }]);
  }
  const design = findDesign(name);
  if (design === undefined) {
    throw new ScenarioError([{ location: locate(raw, ['design']), path: 'design', message: `unknown design '${name}'${suggest(name, known)}` }]);
  }
  // `network: { onnx: model.onnx }`: the model's layers are validated and mapped as if written out.
  const onnx = isRecord(raw.data['network']) && 'onnx' in raw.data['network'] ? onnxNetworkOf(raw, design) : undefined;
  const value = validate(onnx === undefined ? raw : { ...raw, data: { ...raw.data, network: onnx.network } }, design.schema) as CommonScenario;
  if (value.weights === 'onnx' && onnx === undefined) {
    throw new ScenarioError([{ location: locate(raw, ['weights']), path: 'weights', message: "weights: onnx takes the weights of the network's ONNX model, and this network is not one: name it with network: { onnx: model.onnx }, or give weights: random or weights: { file: ... }" }]);
  }
  checkDeviceTables(raw);
  let layers: Layer[];
  try {
    layers = inferLayers(value.network);
  } catch (error) {
    throw asScenarioError(raw, error, onnx);
  }
  const fileName = path.basename(raw.file).replace(/\.ya?ml$/i, '');
  return { name: value.name ?? fileName, raw, value, design, layers, ...(onnx === undefined ? {} : { onnx }) };
}

/**
 * A mapping problem (NetworkError) as a scenario error at the key it concerns (for a network
 * from an ONNX model, at network.onnx, naming the layer's node); anything else as it is.
 */
export function asScenarioError(raw: RawScenario, error: unknown, onnx?: OnnxNetworkSource): unknown {
  if (error instanceof WeightsError && raw.data['weights'] !== 'random') {
    // Weights trained for another network (a --set that changed a layer): say where they come from and what to do.
    const where = locate(raw, ['weights', 'file']);
    return new ScenarioError([{ location: where, path: 'weights.file', message: `${error.message}: these weights do not fit the network as it is now; for cost only, add --set weights=random; for accuracy, train weights for it (spinarch train ${displayPath(path.resolve(raw.file))} --set ... --out w.json) and point weights.file at them` }]);
  }
  if (!(error instanceof NetworkError)) return error;
  if (onnx !== undefined && error.issue.keyPath[0] === 'network') {
    return new ScenarioError([{ location: locate(raw, ['network', 'onnx']), path: 'network.onnx', message: onnx.explain(error.issue.keyPath, error.issue.message) }]);
  }
  return new ScenarioError([{ location: locate(raw, error.issue.keyPath), path: error.issue.path, message: error.issue.message }]);
}

/** The scenario's functional model (see FunctionalModel); a scenario error if its design has none. */
export function functionalModel(scenario: Scenario): FunctionalModel {
  const build = scenario.design.functional;
  if (build === undefined) throw new ScenarioError([{ location: locate(scenario.raw, ['design']), path: 'design', message: `design ${scenario.design.name} has no functional model yet: use run (event level) instead of eval` }]);
  requireClassifierHead(scenario);
  try {
    return build(scenario.value, { seed: scenario.value.seed, chip: scenario.value.chip ?? 0, layers: scenario.layers, weights: weightsOf(scenario) });
  } catch (error) {
    throw asScenarioError(scenario.raw, error, scenario.onnx);
  }
}

/** Whether the network ends in a dense layer, which classifies (accuracy needs one). */
export const hasClassifierHead = (scenario: Scenario): boolean => scenario.layers.some((l) => l.spec.type === 'dense');

/** A scenario error at network.layers if the network has no dense head: its cost can be run, not its accuracy. */
export function requireClassifierHead(scenario: Scenario): void {
  if (hasClassifierHead(scenario)) return;
  throw new ScenarioError([{ location: locate(scenario.raw, ['network', 'layers']), path: 'network.layers', message: "accuracy needs a dense classifier head (a last layer like {type: dense, outputs: 10}) and this network has none: run and trace measure its cost; eval, train, compare --accuracy-images and a sweep's eval need the head" }]);
}

/**
 * The weights a scenario names; a weights file is found relative to the file that named it.
 * A network from an ONNX model takes the model's weights unless the scenario names others.
 */
export function weightsOf(scenario: Scenario): WeightSource {
  const file = weightsFileOf(scenario);
  if (onnxWeightsOf(scenario) !== undefined) return onnxWeights(scenario.onnx!);
  if (file === undefined) return WeightSource.random(scenario.value.seed);
  const where = locate(scenario.raw, ['weights', 'file']);
  try {
    return WeightSource.fromFile(file);
  } catch (error) {
    if (!(error instanceof WeightsError)) throw error;
    throw new ScenarioError([{ location: where, path: 'weights.file', message: error.message }]);
  }
}

/** The ONNX model whose weights the scenario runs (a network from a model, and no weights named), if any. */
export function onnxWeightsOf(scenario: Scenario): string | undefined {
  return scenario.onnx !== undefined && (scenario.raw.data['weights'] === undefined || scenario.value.weights === 'onnx') ? scenario.onnx.file : undefined;
}

/** The file a scenario's weights are read from (a weights file, or the ONNX model), undefined for random weights: what identifies them. */
export const weightsSourceFileOf = (scenario: Scenario): string | undefined => weightsFileOf(scenario) ?? onnxWeightsOf(scenario);

/** The weights file a scenario names, resolved against the file that named it; undefined for random weights. */
export function weightsFileOf(scenario: Scenario): string | undefined {
  const w = scenario.value.weights;
  if (w === 'random' || w === 'onnx') return undefined;
  const where = locate(scenario.raw, ['weights', 'file']);
  // Named on the command line (--set, --vary): relative to where the user is.
  const base = where.file.startsWith('--') ? process.cwd() : path.dirname(where.file);
  return path.resolve(base, w.file);
}
