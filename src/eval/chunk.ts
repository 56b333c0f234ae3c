import { functionalModel, scenarioFromRaw } from '../arch/scenario.js';
import type { RawScenario } from '../scenario/load.js';
import { argmax } from '../components/digital/dense-head.js';
import { fitImage, mnistImage } from '../data/images.js';
import { loadMnist, type MnistSetName } from '../data/mnist.js';

/** A slice of a data set to evaluate: what a worker is sent. */
export interface ChunkTask {
  readonly raw: RawScenario;
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

/**
 * Evaluates images [from, from + count) of a data set with the scenario's functional model.
 * The model is built afresh for each chunk, so its running sums depend on the chunk alone,
 * not on which chunks the same worker ran before.
 */
export function evaluateChunk(task: ChunkTask): ChunkResult {
  const scenario = scenarioFromRaw(task.raw);
  const model = functionalModel(scenario);
  const data = loadMnist(task.dir, task.set);
  const predicted = new Int32Array(task.count);
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
  }
  return { predicted, outputs, classes, tally: model.tally?.() ?? {} };
}
