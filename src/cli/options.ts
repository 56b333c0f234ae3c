import { InvalidArgumentError, Option, type Command } from 'commander';
import type { MnistSetName } from '../data/mnist.js';

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A whole number >= 1 written in digits, at most `max`. */
export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER, why = '') {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1 written in digits, got '${value}'`);
    if (n > max) throw new InvalidArgumentError(`${name} is at most ${max.toLocaleString('en-US')}${why}, got ${n.toLocaleString('en-US')}`);
    return n;
  };
}

/** Event-level images per run: beyond this, use eval (at 0.2 s an image, a million is two days). */
export const MAX_EVENT_IMAGES = 1_000_000;
export const eventImages = (name: string) => positiveInt(name, MAX_EVENT_IMAGES, ' event-level images a run (for accuracy over a data set, use spinarch eval)');

export function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0 written in digits, got '${value}'`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0, got '${value}'`);
    return n;
  };
}

/** The MNIST options of a command: `--mnist [dir]` (the bundled copy without a dir), `--index`, `--mnist-set`. */
export interface InputOptions {
  mnist?: string | true;
  index?: number;
  mnistSet: MnistSetName;
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--mnist [dir]', 'feed MNIST images instead of synthetic digits: the copy bundled in data/mnist, or the IDX files in [dir]')
    .option('--index <k>', 'first MNIST image to feed (default 0)', nonNegativeInt('--index'))
    .addOption(new Option('--mnist-set <set>', 'which MNIST set').choices(['test', 'train']).default('test'));
}

/**
 * The clock that decides whether a run is long enough to be worth worker threads (about 0.3 s
 * to start one): it changes how fast a report comes, never what it says.
 */
export const spreadClock = { now: (): number => performance.now() / 1000, minSeconds: 1 } as const;
