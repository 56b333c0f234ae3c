import type { z } from 'zod';
import type { SimContext } from '../components/component.js';
import type { ImageTotals } from '../components/ledger.js';
import type { InputImage } from './input.js';
import type { Layer } from './network.js';
import type { WeightSource } from './weights.js';

/** What a design is built from, besides its scenario. */
export interface BuildContext {
  readonly sim: SimContext;
  readonly layers: readonly Layer[];
  readonly weights: WeightSource;
}

/** A design built for one run: it processes images and reports its own figures. */
export interface Machine {
  /**
   * One-off work before the first image (writing weights into synapses), started now; the
   * machine publishes the end mark of image SETUP when it is done. Reported apart from images.
   */
  setup?(): void;
  /**
   * Starts processing one image now (pixels fitted to the network input). The machine
   * publishes the image's end mark on the bus when its last result is in.
   */
  process(pixels: Float64Array, index: number, image: InputImage): void;
  /** Design-specific figures for the report (stage counts, per-layer times, utilisation). */
  summary(images: readonly ImageTotals[]): Record<string, unknown>;
  /**
   * Makes the blocks detail one operation (`L2/out[17]`, `stage[5]/v[0,3,4]`) and returns
   * the op ids whose records belong to it (the op and, say, the inputs that fed it), or
   * undefined if the selector names nothing this design knows.
   */
  follow?(selector: string): ReadonlySet<string> | undefined;
  /** Design-specific derived counts (per image), added to the report's counts. */
  derivedCounts?(counts: Readonly<Record<string, number>>): Record<string, number>;
}

/** A design: its name, its scenario schema, and how to build it. */
export interface Design<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly title: string;
  readonly schema: S;
  build(scenario: z.output<S>, context: BuildContext): Machine;
}

/** A design with its scenario type erased, for the registry (the schema checked the value). */
export interface AnyDesign {
  readonly name: string;
  readonly title: string;
  readonly schema: z.ZodType;
  build(scenario: unknown, context: BuildContext): Machine;
}

export function defineDesign<S extends z.ZodType>(design: Design<S>): AnyDesign {
  return {
    name: design.name,
    title: design.title,
    schema: design.schema,
    build: (scenario, context) => design.build(scenario as z.output<S>, context),
  };
}
