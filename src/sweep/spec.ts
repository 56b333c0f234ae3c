import { z } from 'zod';

/** A value an axis takes, as written: `17 nm`, 4, `{ra_sigma: 0, tmr0_sigma: 0}`. */
const axisValue = z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown()), z.array(z.unknown())]);

/** `{from: 17 nm, to: 60 nm, step: 1 nm}`: both ends included; numbers or quantities in one unit. */
export const rangeSchema = z.strictObject({
  from: z.union([z.number(), z.string()]),
  to: z.union([z.number(), z.string()]),
  step: z.union([z.number(), z.string()]),
});
export type AxisRange = z.output<typeof rangeSchema>;

/** An axis: its values listed, a range, or a range written `A:B:STEP`. */
export const axisSchema = z.union([z.array(axisValue).min(1, 'an axis needs at least one value'), rangeSchema, z.string()]);

export const plotSchema = z.strictObject({
  /** SVG file to write, relative to the sweep file. */
  out: z.string().regex(/\.svg$/i, 'a plot is written as SVG: name a .svg file'),
  title: z.string().optional(),
  /** An axis key or a metric. */
  x: z.string(),
  /** One metric, or several (then each is a series). */
  y: z.union([z.string(), z.array(z.string()).min(1)]),
  /** With several y metrics: the name of each in the legend (default: from its key). */
  labels: z.array(z.string()).min(1).optional(),
  /** An axis whose values are the series (one line each). */
  series: z.string().optional(),
  /** line: one line per series; point: a scatter plot (accuracy against energy). */
  mark: z.enum(['line', 'point']).default('line'),
  log_x: z.boolean().default(false),
  log_y: z.boolean().default(false),
  x_title: z.string().optional(),
  y_title: z.string().optional(),
  /** Only the points whose axes have these values. */
  where: z.record(z.string(), axisValue).optional(),
});
export type PlotSpec = z.output<typeof plotSchema>;

export const runStepSchema = z.strictObject({
  /** Event-level images per point (figures are per image). */
  images: z.number().int().min(1).max(1_000_000).default(1),
  /** MNIST test images from the bundled copy instead of synthetic digits. */
  mnist: z.boolean().default(false),
});

export const evalStepSchema = z.strictObject({
  /** MNIST test images to classify per point, with the functional model. */
  images: z.number().int().min(1).max(10_000).default(10_000),
  /** First test image. */
  from: z.number().int().min(0).max(9_999).default(0),
  /** The trained network in plain arithmetic instead of the hardware. */
  plain: z.boolean().default(false),
  /**
   * Dies to evaluate at each point, like `eval --chips N`: chips from the scenario's `chip` on,
   * each with its own process variation; the point reports each chip's accuracy and their
   * spread (`chips.mean`, `chips.sd`, `chips.min`, `chips.max`, `chips.accuracy`) beside the
   * pooled interval. Left out: one chip, and no spread (a key of its own: a sweep without it
   * keeps its points' keys).
   */
  chips: z.number().int().min(1).max(1000).optional(),
});

/** A sweep file: a base scenario, axes over its keys, what to measure at each point, and plots. */
export const sweepSchema = z
  .strictObject({
    /** What the sweep draws, for the README and the plots. */
    title: z.string().optional(),
    /** The published figure it redraws: `seed 000 Fig. 7a`. */
    figure: z.string().optional(),
    /** What the paper's figure shows. */
    paper: z.string().optional(),
    /** How spinarch's figure compares with the paper's, and why. */
    note: z.string().optional(),
    /** The base scenario, relative to the sweep file (or an axis named `scenario` listing several). */
    scenario: z.string().min(1).optional(),
    /** Overrides applied to every point, like --set: `{params.maap.redundancy: 1}`. */
    set: z.record(z.string(), z.unknown()).optional(),
    /** The scenario's seed for every point (else the scenario's own). */
    seed: z.union([z.number().int(), z.string().min(1)]).optional(),
    /** Scenario keys and their values; the points are every combination, the first axis outermost. */
    axes: z.record(z.string(), axisSchema).refine((a) => Object.keys(a).length > 0, 'give at least one axis: a scenario key and its values'),
    /** Event-level run at each point: cost (latency, energy, counts, traffic, device figures). */
    run: runStepSchema.optional(),
    /** Functional evaluation at each point: accuracy with its 95 % interval. */
    eval: evalStepSchema.optional(),
    /** Folder of MNIST IDX files for eval and run.mnist, relative to the sweep file (default: the copy bundled with spinarch). */
    mnist: z.string().min(1).optional(),
    /** Report keys to keep at each point: `energy_j`, `accuracy.rate`, `counts.adc_conversions`. */
    metrics: z.array(z.string().min(1)).min(1, 'name at least one metric to keep'),
    /** Results file (JSON lines), relative to the sweep file. */
    out: z.string().min(1).optional(),
    plots: z.array(plotSchema).default([]),
  })
  .refine((s) => s.run !== undefined || s.eval !== undefined, { message: 'say what to do at each point: run (event-level cost), eval (accuracy), or both', path: ['run'] });

export type SweepSpec = z.output<typeof sweepSchema>;
export type RunStep = z.output<typeof runStepSchema>;
export type EvalStep = z.output<typeof evalStepSchema>;
