import type { FunctionalModel } from '../arch/design.js';
import { functionalModel, scenarioFromRaw, type Scenario } from '../arch/scenario.js';
import type { RawScenario } from '../scenario/load.js';
import { argmax } from '../components/digital/dense-head.js';
import { fitImage, mnistImage } from '../data/images.js';
import { loadMnist, type MnistSetName } from '../data/mnist.js';
import { plainModel } from './plain.js';

/** A slice of a data set to evaluate: what a worker is sent. */
export interface ChunkTask {
  readonly raw: RawScenario;
  /** The network in plain arithmetic (plainModel) instead of the hardware's functional model. */
  readonly plain?: boolean;
  readonly dir: string;
  readonly set: MnistSetName;
  readonly from: number;
  readonly count: number;
}

/** What a chunk gives back: per image its class and scores, and the model's running sums. */
export interface ChunkResult {
  readonly predicted: Int32Array;
  /** count x classes scores, image after image. */
  readonly outputs: Float64Array;
  readonly classes: number;
  readonly tally: Readonly<Record<string, readonly [number, number]>>;
}

/** The last scenario's model in this thread: built once (some take seconds), reused by its chunks. */
let cached: { key: string; scenario: Scenario; model: FunctionalModel } | undefined;

function modelFor(raw: RawScenario, plain: boolean): { scenario: Scenario; model: FunctionalModel } {
  const key = `${plain ? 'plain' : 'hardware'}\u0000${raw.file}\u0000${JSON.stringify(raw.data)}`;
  if (cached?.key !== key) {
    const scenario = scenarioFromRaw(raw);
    cached = { key, scenario, model: plain ? plainModel(scenario) : functionalModel(scenario) };
  }
  return cached;
}

/**
 * Evaluates images [from, from + count) of a data set with the scenario's functional model.
 * The model's figures are per image and summed here in image order, so the result does not
 * depend on which thread ran which chunk, nor on what it ran before.
 */
export function evaluateChunk(task: ChunkTask): ChunkResult {
  const { scenario, model } = modelFor(task.raw, task.plain === true);
  const data = loadMnist(task.dir, task.set);
  const predicted = new Int32Array(task.count);
  const tally: Record<string, [number, number]> = {};
  let outputs = new Float64Array(0);
  let classes = 0;
  for (let k = 0; k < task.count; k++) {
    const image = mnistImage(data, task.from + k);
    const scores = model.infer(fitImage(image, scenario.value.network.input), image);
    if (k === 0) {
      classes = scores.length;
      outputs = new Float64Array(task.count * classes);
    }
    outputs.set(scores, k * classes);
    predicted[k] = argmax(scores);
    for (const [name, [sum, n]] of Object.entries(model.tally?.() ?? {})) {
      const t = (tally[name] ??= [0, 0]);
      t[0] += sum;
      t[1] += n;
    }
  }
  return { predicted, outputs, classes, tally };
}
