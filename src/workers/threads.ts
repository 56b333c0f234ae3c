import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../data/project.js';

/** The default number of workers: one per core. */
export const defaultWorkers = (): number => availableParallelism();

/** The URL of a worker module in the build (`src/eval/worker.js`): worker threads run the compiled JavaScript. */
export function workerModule(relative: string): string {
  const file = path.join(projectRoot(), 'dist', relative);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  return pathToFileURL(file).href;
}

/** Lets the event loop take messages from worker threads between two pieces of work done here. */
export const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
