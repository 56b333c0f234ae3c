import { z } from 'zod';
import { networkSchema } from '../scenario/network-schema.js';

/** Keys every scenario has, whatever its design. */
export const commonFields = {
  /** Shown in reports; defaults to the file name. */
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  /** Seed of every random stream in the run (weights, device variation, noise). */
  seed: z.union([z.number().int(), z.string().min(1)], {
    error: (issue) => (issue.input === undefined ? 'required key is missing: a whole number or a non-empty string, like 2019' : `expected a whole number or a non-empty string, like 2019, got ${JSON.stringify(issue.input) ?? String(issue.input)}`),
  }),
  /**
   * Which die of the design to simulate: its devices' process variation is drawn from streams
   * keyed by the chip (absent or 0: the scenario's own chip). Thermal noise stays keyed by the image.
   */
  chip: z.number().int().min(0).max(1_000_000).optional(),
  network: networkSchema,
  /**
   * `random` (seeded), a weights file (relative to the scenario file), or `onnx`: the weights of
   * the ONNX model the network comes from (the default for `network: { onnx: ... }`).
   */
  weights: z.union([z.literal('random'), z.literal('onnx'), z.strictObject({ file: z.string().min(1) })]).default('random'),
  /** Which synthetic digit to feed when no MNIST data is given (image k gets digit (digit + k) mod 10). */
  input: z.strictObject({ digit: z.number().int().min(0).max(9).default(7) }).default({ digit: 7 }),
};

/** A scenario schema for one design: the common keys, the design's name and its parameters. */
export function designScenario<const N extends string, P extends z.ZodType>(design: N, params: P) {
  return z.strictObject({ ...commonFields, design: z.literal(design), params });
}

export type CommonScenario = z.output<z.ZodObject<typeof commonFields>> & { design: string };
