import path from 'node:path';
import { Document, isMap, isSeq } from 'yaml';
import { findDesign, designs } from '../arch/registry.js';
import { inferLayers, networkMacs } from '../arch/network.js';
import { networkSchema } from '../scenario/network-schema.js';
import { functionalModel, scenarioFromRaw } from '../arch/scenario.js';
import { WEIGHTS_FORMAT, writeWeightsFile } from '../data/weights.js';
import { OnnxError } from '../import/onnx-error.js';
import { importOnnx, type OnnxNetworkSource } from '../import/scenario-network.js';
import { ScenarioError } from '../scenario/errors.js';
import { displayPath, readScenario, type RawScenario } from '../scenario/load.js';
import { UsageError, writeText, type CliIo } from './io.js';
import { checkOutputs } from './outputs.js';
import { projectRoot } from './paths.js';

export interface ImportOptions {
  readonly design: string;
  readonly out: string;
  /** The weights file to write (default: beside --out, <name>.weights.json). */
  readonly weights?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

/**
 * The bundled scenario whose parameters an imported network runs on, per design: its values
 * and their sources are the seeds' (see the comments in that file). MAAP-CNN by the model's
 * weight width where it has one.
 */
function templateOf(design: string, bits: number | undefined): { file: string; set?: Record<string, number> } {
  if (design === 'maap-cnn') {
    if (bits === 4 || bits === 8 || bits === 32) return { file: `maap-cnn-${bits}bit.yaml` };
    return { file: 'maap-cnn-8bit.yaml', ...(bits === undefined ? {} : { set: { bits } }) };
  }
  return { file: `${design}.yaml` };
}

/** The imported network's origin, for the weights file's provenance and the scenario's header. */
function provenanceOf(source: OnnxNetworkSource, design: string, template: string): Record<string, unknown> {
  const m = source.imported.model;
  return {
    source: 'onnx',
    onnx_file: path.basename(source.file),
    onnx_sha256: m.sha256,
    opset: m.opset,
    ir_version: m.irVersion,
    producer: m.producer,
    imported_by: 'spinarch import',
    design,
    parameters_from: `scenarios/${template}`,
    ...(source.negated ? { negated: 'weights and biases negated: the neurons compute f(-(W x + b))' } : {}),
    ...(source.imported.weightBits === undefined ? {} : { weight_bits: source.imported.weightBits }),
    ...(source.imported.activationBits === undefined ? {} : { activation_bits: source.imported.activationBits }),
    folded: source.imported.folded,
    layers: source.imported.origins.map((o, i) => `layer ${i}: node '${o.node}' (${o.op}${o.detail === '' ? '' : `, ${o.detail}`})`),
  };
}

/** The scenario text: a header saying where it came from, then design, network (a layer a line), weights, params. */
function scenarioText(data: Record<string, unknown>, header: readonly string[]): string {
  const doc = new Document(data);
  const network = doc.get('network', true);
  if (isMap(network)) {
    const layers = network.get('layers', true);
    if (isSeq(layers)) for (const item of layers.items) if (isMap(item)) item.flow = true;
    const input = network.get('input', true);
    if (isSeq(input)) input.flow = true;
  }
  return `${header.map((l) => `# ${l}`.trimEnd()).join('\n')}\n\n${doc.toString({ lineWidth: 0 })}`;
}

/**
 * `spinarch import model.onnx --design D --out s.yaml`: the model's network as layers in a
 * scenario of design D (its parameters from the bundled scenario of D), its weights in a
 * weights file beside it; checked against the design before anything is written.
 */
export function importCommand(model: string, o: ImportOptions, io: CliIo): void {
  const design = findDesign(o.design);
  if (design === undefined) throw new UsageError(`--design ${o.design}: unknown design; one of ${designs.map((d) => d.name).join(', ')}`);
  const modelFile = path.resolve(model);
  const out = path.resolve(o.out);
  const name = path.basename(out).replace(/\.ya?ml$/i, '');
  const weightsFile = path.resolve(o.weights ?? path.join(path.dirname(out), `${name}.weights.json`));
  checkOutputs(
    [
      { flag: '--out', file: out, kind: 'scenario' },
      { flag: '--weights', file: weightsFile, kind: 'weights' },
    ],
    [modelFile],
    o.force === true,
  );
  let source: OnnxNetworkSource;
  try {
    source = importOnnx(modelFile, design);
  } catch (error) {
    if (error instanceof OnnxError) throw new UsageError(error.message);
    throw error;
  }
  const template = templateOf(design.name, source.imported.weightBits);
  const base = readScenario(path.join(projectRoot(), 'scenarios', template.file));
  const params = { ...(base.data['params'] as Record<string, unknown>), ...template.set };
  const seed = base.data['seed'] ?? 2020;
  // Checked as the design will run it, from the model (errors at its nodes), before anything is written.
  const check: RawScenario = {
    file: out,
    data: { design: design.name, seed, network: { onnx: modelFile }, params },
    sources: new Map([['', { path: [], location: { file: out } }]]),
  };
  try {
    const scenario = scenarioFromRaw(check);
    if (design.functional !== undefined) functionalModel(scenario);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    // Said against the model (its node) or the design's resources, not the scenario not yet written.
    const issue = error.issues[0]!;
    throw new UsageError(issue.path === 'network.onnx' ? issue.message : `${displayPath(modelFile)}: ${design.name} cannot map this network: ${issue.path}: ${issue.message}`);
  }
  const provenance = provenanceOf(source, design.name, template.file);
  writeWeightsFile(weightsFile, {
    format: WEIGHTS_FORMAT,
    provenance,
    layers: source.weights.map((w) => ({ layer: w.layer, shape: [...w.shape], weights: Array.from(w.weights), bias: Array.from(w.bias) })),
  });
  const m = source.imported.model;
  const header = [
    `yaml-language-server: $schema=${path.relative(path.dirname(out), path.join(projectRoot(), 'schema', 'scenario.schema.json')).split(path.sep).join('/')}`,
    `Imported by spinarch import from ${path.basename(modelFile)}`,
    `  (SHA-256 ${m.sha256}, opset ${m.opset}, IR version ${m.irVersion}${m.producer === '' ? '' : `, from ${m.producer}`}).`,
    `The network is the model's, layer by layer (its nodes: see the weights file's provenance);`,
    `its weights are in ${path.relative(path.dirname(out), weightsFile)}${source.negated ? ' (negated: the neurons compute f(-(W x + b)))' : ''}.`,
    `The parameters are those of scenarios/${template.file}${template.set === undefined ? '' : ` with ${Object.entries(template.set).map(([k, v]) => `params.${k} = ${v} (the model's weight width)`).join(', ')}`}:`,
    'see that file for the source of each value. Edit freely; spinarch validate checks it.',
    ...(source.imported.folded.length > 0 ? ['', 'Folded or dropped:', ...source.imported.folded.map((f) => `  ${f}`)] : []),
  ];
  const data = {
    design: design.name,
    name,
    description: `${path.basename(modelFile)} (ONNX) on ${design.title}`,
    seed,
    network: source.network,
    weights: { file: path.relative(path.dirname(out), weightsFile).split(path.sep).join('/') },
    params,
  };
  writeText(out, scenarioText(data, header));
  const macs = networkMacs(inferLayers(networkSchema.parse(source.network)));
  const summary = { scenario: out, weights: weightsFile, design: design.name, layers: source.imported.origins.length, macs_per_image: macs, onnx_sha256: m.sha256, opset: m.opset, ...(source.imported.weightBits === undefined ? {} : { weight_bits: source.imported.weightBits }), folded: source.imported.folded };
  if (o.json === true) io.out(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    io.out(`${displayPath(out)}: ${design.name}, ${source.network.layers.length} layers from ${path.basename(modelFile)} (opset ${m.opset}), ${macs.toLocaleString('en-US')} multiply-accumulates per image\n`);
    source.imported.origins.forEach((o2, i) => io.out(`  ${i}: ${JSON.stringify(source.network.layers[i])}  <- ${o2.node} (${o2.op}${o2.detail === '' ? '' : `, ${o2.detail}`})\n`));
    for (const f of source.imported.folded) io.out(`  ${f}\n`);
    io.out(`${displayPath(weightsFile)}: weights\n`);
  }
}
