import type { z } from 'zod';
import type { AreaPlan } from '../components/area.js';
import type { SimContext } from '../components/component.js';
import type { ImageTotals } from '../components/ledger.js';
import type { InputImage } from '../data/images.js';
import type { Layer } from './network.js';
import type { WeightSource } from '../data/weights.js';
import type { TrainingProfile } from '../train/profile.js';
import type { Ps } from '../scheduler/time.js';

/** What a design is built from, besides its scenario. */
export interface BuildContext {
  readonly sim: SimContext;
  readonly layers: readonly Layer[];
  readonly weights: WeightSource;
}

/** A design built for one run: it processes images and reports its own figures. */
export interface Machine<F = unknown> {
  /** Whether its classifier head counts in energy, latency and power (the ledger's scope). */
  readonly countsHead?: boolean;
  /**
   * One-off work before the first image (writing weights into synapses, calibrating trims), started now; the
   * machine publishes the end mark of image SETUP when it is done. Reported apart from images.
   */
  setup?(): void;
  /**
   * Starts processing one image now (pixels fitted to the network input). The machine
   * publishes the image's end mark on the bus when its last result is in.
   */
  process(pixels: Float64Array, index: number, image: InputImage): void;
  /**
   * Images start on multiples of this many ps (a clocked design: its clock period), so that
   * every image meets the clock in the same phase wherever it falls in a run, or in which
   * worker thread it runs.
   */
  readonly frame?: Ps;
  /**
   * Design-specific figures of the image that has just ended (its utilisation, its error
   * sums), taken before the next one starts. They must not depend on earlier images, and
   * must survive a structured clone: images run in worker threads send them back.
   */
  imageFigures?(image: ImageTotals): F;
  /**
   * Design-specific figures for the report (stage counts, per-layer times, utilisation), from
   * the images' totals and figures in image order (whichever threads ran them) and from
   * what the design holds since it was built and set up, never from state an image left.
   */
  summary(images: readonly ImageTotals[], figures: readonly F[]): Record<string, unknown>;
  /**
   * Makes the blocks detail one operation (`L2/out[17]`, `stage[5]/v[0,3,4]`) and returns
   * the op ids whose records belong to it (the op and, say, the inputs that fed it), or
   * undefined if the selector names nothing this design knows.
   */
  follow?(selector: string): ReadonlySet<string> | undefined;
  /**
   * What went wrong without stopping the run and must not go unseen (cells that could not be
   * programmed; reads beyond a measured table's range, from the images' figures): the report
   * carries these and the text report shows them first.
   */
  warnings?(figures: readonly F[]): string[];
  /** Design-specific derived counts (per image), added to the report's counts. */
  derivedCounts?(counts: Readonly<Record<string, number>>): Record<string, number>;
}

/**
 * A design's functional model (gem5's functional access beside the timing one): what the
 * hardware computes for an image, without the event kernel, from the same device models and
 * the same random streams, so it gives the event-level run's outputs, image by image.
 */
export interface FunctionalModel {
  /** The output scores of one image (pixels fitted to the network input); the class is their argmax. */
  infer(pixels: Float64Array, image: InputImage): Float64Array;
  /**
   * Sums the model kept while inferring the last image, by figure name, as [sum, count] (an
   * IRMEN model's transfer-function error); an evaluation adds them up image by image, in
   * order, and reports sum / count. Per image, so a model can serve many images in any
   * grouping without changing a bit of the result.
   */
  tally?(): Readonly<Record<string, readonly [number, number]>>;
}

/** What the functional model is built from (no kernel, no bus). */
export interface FunctionalContext {
  readonly seed: string | number;
  /** Which die: keys the devices' process variation (streamFor's chip). */
  readonly chip: number;
  readonly layers: readonly Layer[];
  readonly weights: WeightSource;
}

/**
 * What of an imported network (ONNX) a design maps, for the importer's refusals; the layers
 * it cannot map its own mapping refuses, at the layer (and so at the ONNX node).
 */
export interface DesignImports {
  /** In a sentence: `maap-cnn maps conv -> ReLU [-> max-pool] groups ...`. */
  readonly maps: string;
  /** Its neurons compute f(-(W x + b)) (seed 004's 2T-2R neuron): an imported f(W x + b) maps with W and b negated. */
  readonly negated?: boolean;
}

/** A design: its name, its scenario schema, and how to build it (event level and functional). */
export interface Design<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly title: string;
  readonly schema: S;
  readonly imports: DesignImports;
  build(scenario: z.output<S>, context: BuildContext): Machine;
  functional?(scenario: z.output<S>, context: FunctionalContext): FunctionalModel;
  /** How to train the scenario's network for this hardware (its activation, its quantization). */
  training?(scenario: z.output<S>, layers: readonly Layer[]): TrainingProfile;
  /**
   * The chip's silicon area, block by block, from the scenario alone (its area table and the
   * blocks' own parameters): every mode reports the same figure, with no simulation.
   */
  area(scenario: z.output<S>, layers: readonly Layer[]): AreaPlan;
}

/** A design with its scenario type erased, for the registry (the schema checked the value). */
export interface AnyDesign {
  readonly name: string;
  readonly title: string;
  readonly schema: z.ZodType;
  readonly imports: DesignImports;
  build(scenario: unknown, context: BuildContext): Machine;
  functional?(scenario: unknown, context: FunctionalContext): FunctionalModel;
  training?(scenario: unknown, layers: readonly Layer[]): TrainingProfile;
  area(scenario: unknown, layers: readonly Layer[]): AreaPlan;
}

export function defineDesign<S extends z.ZodType>(design: Design<S>): AnyDesign {
  const { functional, training } = design;
  return {
    name: design.name,
    title: design.title,
    schema: design.schema,
    imports: design.imports,
    build: (scenario, context) => design.build(scenario as z.output<S>, context),
    area: (scenario, layers) => design.area(scenario as z.output<S>, layers),
    ...(functional === undefined ? {} : { functional: (scenario: unknown, context: FunctionalContext) => functional(scenario as z.output<S>, context) }),
    ...(training === undefined ? {} : { training: (scenario: unknown, layers: readonly Layer[]) => training(scenario as z.output<S>, layers) }),
  };
}
