import { fitImage, mnistImage } from '../data/images.js';
import type { MnistSet } from '../data/mnist.js';
import type { TrainData } from './trainer.js';

/** MNIST images fitted to a network's input, as training samples (labels required). */
export function mnistTrainData(data: MnistSet, input: readonly number[], count = data.count): TrainData {
  const labels = data.labels;
  if (labels === undefined) throw new Error(`the MNIST ${data.set} set in ${data.dir} has no labels to train or score with`);
  return {
    count: Math.min(count, data.count),
    fill: (i, out) => out.set(fitImage(mnistImage(data, i), input)),
    label: (i) => labels[i]!,
  };
}
