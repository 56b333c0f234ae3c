import type { SimContext } from '../components/component.js';
import { Ledger } from '../components/ledger.js';
import { CLASSIFIED, IMAGES, SETUP, type Classification } from '../components/records.js';
import { Bus } from '../scheduler/bus.js';
import { Kernel } from '../scheduler/kernel.js';
import { InputFitError, fitImage, syntheticDigits, type ImageSource } from '../data/images.js';
import { ScenarioError } from '../scenario/errors.js';
import { locate } from '../scenario/load.js';
import type { Machine } from './design.js';
import { buildReport, type RunReport } from './report.js';
import { asScenarioError, weightsOf, type Scenario } from './scenario.js';

export interface RunOptions {
  /** Images to run (default 1). */
  readonly images?: number;
  /** Where images come from (default: synthetic digits from the scenario's `input.digit`). */
  readonly source?: ImageSource;
  /** Called after each image. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called with the simulation before anything runs, to attach observers (tracers). */
  readonly attach?: (sim: SimContext) => void;
  /** Blocks publish trace detail (record values, notes, level changes); off, they only check a flag. */
  readonly tracing?: boolean;
  /** Asks the design to detail one operation (see Machine.follow); the op ids it covers are passed back. */
  readonly follow?: { readonly selector: string; readonly ops: (ops: ReadonlySet<string> | undefined) => void };
}

export class RunError extends Error {
  override name = 'RunError';
}

/** Builds the scenario's design; a mapping problem becomes a scenario error at its key. */
export function buildMachine(scenario: Scenario, sim: SimContext): Machine {
  try {
    return scenario.design.build(scenario.value, { sim, layers: scenario.layers, weights: weightsOf(scenario) });
  } catch (error) {
    throw asScenarioError(scenario.raw, error);
  }
}

/** The network input takes the source's images, or a scenario error at network.input. */
export function checkInputFits(scenario: Scenario, source: ImageSource): void {
  try {
    fitImage(source.image(0), scenario.value.network.input);
  } catch (error) {
    if (!(error instanceof InputFitError)) throw error;
    throw new ScenarioError([{ location: locate(scenario.raw, ['network', 'input']), path: 'network.input', message: error.message }]);
  }
}

/** Builds the design without running it, to check that it maps (what `spinarch validate` does). */
export function checkScenario(scenario: Scenario): void {
  checkInputFits(scenario, syntheticDigits(scenario.value.input.digit, scenario.value.network.input));
  const kernel = new Kernel();
  buildMachine(scenario, { kernel, bus: new Bus(kernel), seed: scenario.value.seed });
}

/** Builds the scenario's design and drives images through it, one after the other. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunReport {
  const count = options.images ?? 1;
  if (!Number.isSafeInteger(count) || count < 1) throw new RunError(`images must be a whole number >= 1, got ${count}`);
  const source = options.source ?? syntheticDigits(scenario.value.input.digit, scenario.value.network.input);
  // The input must take the images before anything is built (a wrong size is the scenario's error).
  checkInputFits(scenario, source);
  const kernel = new Kernel();
  const bus = new Bus(kernel);
  const sim: SimContext = { kernel, bus, seed: scenario.value.seed, tracing: options.tracing === true };
  const ledger = new Ledger(bus);
  options.attach?.(sim);
  const machine = buildMachine(scenario, sim);
  ledger.countHead = machine.countsHead === true;
  const classified = new Map<number, Classification>();
  bus.topic(CLASSIFIED).listen((c) => classified.set(c.image, c));
  if (options.follow !== undefined) options.follow.ops(machine.follow?.(options.follow.selector));
  const marks = bus.topic(IMAGES);
  if (machine.setup !== undefined) {
    marks.publish({ time: kernel.now, image: SETUP, phase: 'start' });
    machine.setup();
    kernel.run();
    if (ledger.inImage) throw new RunError(`design ${scenario.design.name} ran out of events before finishing its setup`);
  }
  const setupEvents = kernel.processed;
  const sources: { source: string; label: number | undefined }[] = [];
  for (let k = 0; k < count; k++) {
    const image = source.image(k);
    const pixels = fitImage(image, scenario.value.network.input);
    sources.push({ source: image.source, label: image.label });
    marks.publish({ time: kernel.now, image: k, phase: 'start', id: image.id });
    machine.process(pixels, k, image);
    kernel.run();
    if (ledger.inImage) throw new RunError(`design ${scenario.design.name} ran out of events before finishing image ${k}`);
    options.onProgress?.(k + 1, count);
  }
  bus.close();
  return buildReport({
    scenario: scenario.name,
    design: scenario.design.name,
    title: scenario.design.title,
    seed: scenario.value.seed,
    input: source.description,
    images: ledger.images,
    setup: ledger.setup,
    sources,
    classified,
    head: machine.countsHead,
    events: kernel.processed - setupEvents,
    warnings: machine.warnings?.() ?? [],
    extraCounts: (c) => machine.derivedCounts?.(c) ?? {},
    summary: machine.summary(ledger.images),
  });
}
