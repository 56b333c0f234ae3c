import { WeightsError } from './weights-error.js';
import { writeFileAtomic } from './output-file.js';
import { FileReadError, TEXT_FILE_LIMIT, readBoundedFile } from '../scenario/files.js';
import { forbiddenKeyMessage, isForbiddenKey } from '../scenario/keys.js';
import { z } from 'zod';
import { streamFor } from '../components/random.js';

/** A layer's weights (row-major in `shape`) and biases. */
export interface LayerWeights {
  readonly layer: number;
  readonly shape: readonly number[];
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

export { WeightsError };

/** The format tag written into weights files. */
export const WEIGHTS_FORMAT = 'spinarch-weights/1';

const fileSchema = z.strictObject({
  format: z.literal(WEIGHTS_FORMAT).optional(),
  /** Where the weights came from (spinarch train writes it; any JSON is kept as it is). */
  provenance: z.record(z.string(), z.unknown()).optional(),
  layers: z.array(
    z.strictObject({
      layer: z.number().int().min(0),
      shape: z.array(z.number().int().positive()).min(1),
      weights: z.array(z.number()),
      bias: z.array(z.number()),
    }),
  ),
});

/**
 * Where a design's weights come from: a JSON weights file, or a seeded random set (uniform,
 * variance 1/fan-in), drawn per layer from its own stream so that one layer's weights do not
 * depend on the others.
 */
export class WeightSource {
  private constructor(
    readonly description: string,
    private readonly lookup: (layer: number, shape: readonly number[], biasCount: number) => LayerWeights,
  ) {}

  static random(seed: string | number): WeightSource {
    return new WeightSource(`random (seed ${seed})`, (layer, shape, biasCount) => {
      const rng = streamFor(seed, `weights/layer[${layer}]`);
      const count = shape.reduce((a, b) => a * b, 1);
      const fanIn = count / shape[0]!;
      const limit = Math.sqrt(3 / fanIn);
      const weights = new Float64Array(count);
      for (let i = 0; i < count; i++) weights[i] = (2 * rng.uniform() - 1) * limit;
      const bias = new Float64Array(biasCount);
      for (let i = 0; i < biasCount; i++) bias[i] = (2 * rng.uniform() - 1) * 0.1;
      return { layer, shape, weights, bias };
    });
  }

  static fromFile(file: string): WeightSource {
    let parsed: z.output<typeof fileSchema>;
    try {
      const text = readBoundedFile(file, TEXT_FILE_LIMIT, 'weights file').toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text, (key, value: unknown) => {
          if (isForbiddenKey(key)) throw new WeightsError(`${file}: ${forbiddenKeyMessage(key)}`);
          return value;
        });
      } catch (error) {
        if (error instanceof WeightsError) throw error;
        throw new WeightsError(`${file} is not JSON: ${(error as Error).message}`);
      }
      const result = fileSchema.safeParse(json);
      if (!result.success) {
        const first = result.error.issues[0]!;
        throw new WeightsError(`${file}: ${first.path.join('.')}: ${first.message}`);
      }
      parsed = result.data;
    } catch (error) {
      if (error instanceof WeightsError) throw error;
      if (error instanceof FileReadError) throw new WeightsError(error.message);
      throw error;
    }
    return WeightSource.fromLayers(`file ${file}`, file, parsed.layers);
  }

  /**
   * Weights given layer by layer (a weights file's, an imported model's), checked against the
   * network as it asks for them; `file` names them in errors.
   */
  static fromLayers(description: string, file: string, layers: readonly { readonly layer: number; readonly shape: readonly number[]; readonly weights: ArrayLike<number>; readonly bias: ArrayLike<number> }[]): WeightSource {
    const byLayer = new Map<number, (typeof layers)[number]>();
    for (const l of layers) {
      if (byLayer.has(l.layer)) throw new WeightsError(`${file}: layer ${l.layer} is given twice`);
      byLayer.set(l.layer, l);
    }
    return new WeightSource(description, (layer, shape, biasCount) => {
      const entry = byLayer.get(layer);
      if (entry === undefined) throw new WeightsError(`${file} has no weights for layer ${layer}`);
      if (entry.shape.join('x') !== shape.join('x')) {
        throw new WeightsError(`${file}: layer ${layer} has shape [${entry.shape.join(', ')}], the network needs [${shape.join(', ')}]`);
      }
      const count = shape.reduce((a, b) => a * b, 1);
      if (entry.weights.length !== count) throw new WeightsError(`${file}: layer ${layer} has ${entry.weights.length} weights, its shape needs ${count}`);
      if (entry.bias.length !== biasCount) throw new WeightsError(`${file}: layer ${layer} has ${entry.bias.length} biases, it needs ${biasCount}`);
      return { layer, shape, weights: Float64Array.from(entry.weights), bias: Float64Array.from(entry.bias) };
    });
  }

  /** The weights of layer `layer`, of `shape` ([outputs, ...fan-in dims]) with `biasCount` biases. */
  forLayer(layer: number, shape: readonly number[], biasCount: number): LayerWeights {
    return this.lookup(layer, shape, biasCount);
  }
}

/** A weights file as spinarch train writes it. */
export interface WeightsFile {
  readonly format: typeof WEIGHTS_FORMAT;
  readonly provenance: Readonly<Record<string, unknown>>;
  readonly layers: readonly { readonly layer: number; readonly shape: readonly number[]; readonly weights: readonly number[]; readonly bias: readonly number[] }[];
}

/**
 * Writes a weights file: provenance first, then one line per layer, so a diff shows what
 * changed. The same content gives the same bytes.
 */
export function writeWeightsFile(file: string, w: WeightsFile): void {
  const layers = w.layers.map((l) => `    ${JSON.stringify(l)}`).join(',\n');
  const text = `{\n  "format": ${JSON.stringify(w.format)},\n  "provenance": ${JSON.stringify(w.provenance, null, 2).replace(/\n/g, '\n  ')},\n  "layers": [\n${layers}\n  ]\n}\n`;
  writeFileAtomic(file, text);
}
