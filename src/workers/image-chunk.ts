import { Simulation, type ImagesRun } from '../arch/runner.js';
import { scenarioFromRaw } from '../arch/scenario.js';
import { imageSourceOf, type ImageSpec } from '../data/images.js';
import type { RawScenario } from '../scenario/load.js';

/** Consecutive images of a run, for a worker thread to simulate. */
export interface ImageChunk {
  readonly raw: RawScenario;
  readonly source: ImageSpec;
  readonly from: number;
  readonly count: number;
}

/** This thread's simulation of the last scenario it was given: built and set up once, reused by its chunks. */
let cached: { key: string; simulation: Simulation } | undefined;

/** Simulates a chunk of images on this thread's copy of the design. */
export function runChunk(chunk: ImageChunk): ImagesRun {
  const key = `${chunk.raw.file}\u0000${JSON.stringify(chunk.raw.data)}`;
  if (cached?.key !== key) cached = { key, simulation: new Simulation(scenarioFromRaw(chunk.raw)) };
  return cached.simulation.runImages(imageSourceOf(chunk.source), chunk.from, chunk.count);
}
