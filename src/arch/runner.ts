import type { SimContext } from '../components/component.js';
import { Ledger, type ImageTotals } from '../components/ledger.js';
import { CLASSIFIED, IMAGES, SETUP, type Classification } from '../components/records.js';
import { Bus } from '../scheduler/bus.js';
import { Kernel } from '../scheduler/kernel.js';
import { InputFitError, fitImage, syntheticDigits, type ImageSource } from '../data/images.js';
import { ScenarioError } from '../scenario/errors.js';
import { locate } from '../scenario/load.js';
import type { Machine } from './design.js';
import { RunError } from './run-error.js';
import { buildReport, type RunReport } from './report.js';
import { scenarioArea } from './area-report.js';
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
  readonly follow?: { readonly selector: string; readonly ops: (ops: ReadonlySet<string> | undefined, probe: (selector: string) => ReadonlySet<string> | undefined) => void };
}

export { RunError };

/** Builds the scenario's design; a mapping problem becomes a scenario error at its key. */
export function buildMachine(scenario: Scenario, sim: SimContext): Machine {
  try {
    return scenario.design.build(scenario.value, { sim, layers: scenario.layers, weights: weightsOf(scenario) });
  } catch (error) {
    throw asScenarioError(scenario.raw, error, scenario.onnx);
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

/** The default images of a scenario: synthetic digits from its `input.digit`. */
export const defaultSource = (scenario: Scenario): ImageSource => syntheticDigits(scenario.value.input.digit, scenario.value.network.input);

/**
 * What a run of consecutive images gives, everything per image and in image order: plain
 * data, so that runs made in worker threads can be sent back and joined (joinRuns).
 */
export interface ImagesRun {
  readonly images: readonly ImageTotals[];
  /** The design's figures of each image (Machine.imageFigures). */
  readonly figures: readonly unknown[];
  readonly sources: readonly { readonly source: string; readonly label: number | undefined }[];
  readonly classified: readonly Classification[];
  /** Events each image took. */
  readonly events: readonly number[];
}

/** Runs of consecutive images joined in the order given (which must be image order). */
export function joinRuns(runs: readonly ImagesRun[]): ImagesRun {
  return {
    images: runs.flatMap((r) => r.images),
    figures: runs.flatMap((r) => r.figures),
    sources: runs.flatMap((r) => r.sources),
    classified: runs.flatMap((r) => r.classified),
    events: runs.flatMap((r) => r.events),
  };
}

/**
 * One scenario's design, built on its own kernel and set up (weights written), ready to take
 * images. Every image starts on the design's frame with the machine as its setup left it in
 * all that matters (an image's results depend on the scenario, the seed, its index and its
 * pixels alone), so images can be run here or spread over threads with the same results.
 */
export class Simulation {
  readonly kernel = new Kernel();
  readonly bus = new Bus(this.kernel);
  readonly machine: Machine;
  private readonly ledger: Ledger;
  private readonly classified: Classification[] = [];
  /** The setup window's totals, if the design has one. */
  readonly setup: ImageTotals | undefined;

  constructor(
    readonly scenario: Scenario,
    options: Pick<RunOptions, 'attach' | 'tracing' | 'follow'> = {},
  ) {
    const sim: SimContext = { kernel: this.kernel, bus: this.bus, seed: scenario.value.seed, chip: scenario.value.chip ?? 0, tracing: options.tracing === true };
    this.ledger = new Ledger(this.bus);
    options.attach?.(sim);
    this.machine = buildMachine(scenario, sim);
    this.ledger.countHead = this.machine.countsHead === true;
    this.bus.topic(CLASSIFIED).listen((c) => this.classified.push(c));
    if (options.follow !== undefined) {
      const machine = this.machine;
      // The probe lets a caller say which selectors exist when the given one matches nothing.
      options.follow.ops(machine.follow?.(options.follow.selector), (selector) => machine.follow?.(selector));
    }
    if (this.machine.setup !== undefined) {
      this.bus.topic(IMAGES).publish({ time: this.kernel.now, image: SETUP, phase: 'start' });
      this.machine.setup();
      this.kernel.run();
      if (this.ledger.inImage) throw new RunError(`design ${scenario.design.name} ran out of events before finishing its setup`);
    }
    this.setup = this.ledger.setup;
  }

  /** Runs images [from, from + count) of `source`, one after the other. */
  runImages(source: ImageSource, from: number, count: number, onImage?: (done: number) => void): ImagesRun {
    const { kernel, machine, ledger, scenario } = this;
    const marks = this.bus.topic(IMAGES);
    const frame = machine.frame ?? 1;
    const first = ledger.images.length;
    this.classified.length = 0;
    const figures: unknown[] = [];
    const sources: { source: string; label: number | undefined }[] = [];
    const events: number[] = [];
    for (let k = from; k < from + count; k++) {
      const image = source.image(k);
      const pixels = fitImage(image, scenario.value.network.input);
      sources.push({ source: image.source, label: image.label });
      kernel.idleUntil(Math.ceil(kernel.now / frame) * frame);
      const before = kernel.processed;
      marks.publish({ time: kernel.now, image: k, phase: 'start', id: image.id });
      machine.process(pixels, k, image);
      kernel.run();
      if (ledger.inImage) throw new RunError(`design ${scenario.design.name} ran out of events before finishing image ${k}`);
      events.push(kernel.processed - before);
      const totals = ledger.images[ledger.images.length - 1]!;
      figures.push(machine.imageFigures?.(totals));
      onImage?.(k - from + 1);
    }
    // Taken out of the ledger, so a long-lived simulation holds only what it has not handed over.
    const images = ledger.images.splice(first);
    return { images, figures, sources, classified: this.classified.splice(0), events };
  }

  /** The report of images run on this design (here or on its copies in other threads), in image order. */
  report(run: ImagesRun, input: string): RunReport {
    const { scenario, machine } = this;
    this.bus.close();
    return buildReport({
      scenario: scenario.name,
      design: scenario.design.name,
      title: scenario.design.title,
      seed: scenario.value.seed,
      input,
      images: run.images,
      setup: this.setup,
      sources: run.sources,
      classified: new Map(run.classified.map((c) => [c.image, c])),
      head: machine.countsHead,
      events: run.events.reduce((a, b) => a + b, 0),
      warnings: machine.warnings?.(run.figures) ?? [],
      extraCounts: (c) => machine.derivedCounts?.(c) ?? {},
      summary: machine.summary(run.images, run.figures),
      area: scenarioArea(scenario),
    });
  }
}

/** Builds the scenario's design and drives images through it, one after the other, in this thread. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunReport {
  const count = options.images ?? 1;
  if (!Number.isSafeInteger(count) || count < 1) throw new RunError(`images must be a whole number >= 1, got ${count}`);
  const source = options.source ?? defaultSource(scenario);
  // The input must take the images before anything is built (a wrong size is the scenario's error).
  checkInputFits(scenario, source);
  const sim = new Simulation(scenario, options);
  const run = sim.runImages(source, 0, count, (done) => options.onProgress?.(done, count));
  return sim.report(run, source.description);
}
