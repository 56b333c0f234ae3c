import { mnistImages, type ImageSource } from '../data/images.js';
import { bundledMnistDir } from '../data/mnist.js';
import { UsageError } from './io.js';
import type { InputOptions } from './options.js';

/** The folder `--mnist` names: the given one, or the copy that ships with spinarch. */
export const mnistDir = (mnist: string | true | undefined): string => (mnist === undefined || mnist === true ? bundledMnistDir() : mnist);

/** The images a command feeds: MNIST when asked (`count` of them, checked against the set up front), else none (synthetic digits). */
export function imageSource(o: InputOptions, count: number): ImageSource | undefined {
  if (o.mnist === undefined) {
    if (o.index !== undefined) throw new UsageError('--index picks an MNIST image: give --mnist too (--mnist alone uses the bundled copy)');
    return undefined;
  }
  return mnistImages(mnistDir(o.mnist), o.index ?? 0, o.mnistSet, count);
}

