import { z } from 'zod';
import { wholeNumber } from './fields.js';

const conv = z.strictObject({
  type: z.literal('conv'),
  /** Side of the square kernel (template), e.g. 3 for 3x3. */
  kernel: wholeNumber(1, 64),
  /** Number of templates (output maps); each spans all input maps. */
  templates: wholeNumber(1, 4096),
  stride: wholeNumber(1, 64).default(1),
});

const relu = z.strictObject({ type: z.literal('relu') });

const maxpool = z.strictObject({
  type: z.literal('maxpool'),
  size: wholeNumber(1, 64),
  stride: wholeNumber(1, 64).default(1),
});

const dense = z.strictObject({
  type: z.literal('dense'),
  outputs: wholeNumber(1, 1 << 20),
  activation: z.enum(['none', 'sigmoid', 'tanh', 'softmax', 'relu']).default('none'),
});

export const layerSchema = z.discriminatedUnion('type', [conv, relu, maxpool, dense]);

/** A network: its input shape ([height, width, maps] or [length]) and its layers in order. */
export const networkSchema = z.strictObject({
  input: z.union([z.tuple([wholeNumber(1, 1 << 16), wholeNumber(1, 1 << 16), wholeNumber(1, 4096)]), z.tuple([wholeNumber(1, 1 << 24)])]),
  layers: z.array(layerSchema).min(1),
});

export type LayerSpec = z.output<typeof layerSchema>;
export type NetworkSpec = z.output<typeof networkSchema>;

/** A network named as an ONNX model (relative to the scenario): its layers and weights are read from it when the scenario loads. */
export const onnxNetworkSchema = z.strictObject({
  /** An ONNX model file (.onnx), relative to this scenario; see spinarch import. */
  onnx: z.string().min(1),
});
