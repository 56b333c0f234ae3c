import type { ScenarioIssue } from '../scenario/errors.js';
import type { LayerSpec, NetworkSpec } from '../scenario/network-schema.js';

/** A feature-map shape: height x width x maps (a vector is 1 x n x 1). */
export interface Shape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

export const sizeOf = (s: Shape): number => s.h * s.w * s.c;
export const showShape = (s: Shape): string => (s.h === 1 && s.c === 1 ? `${s.w}` : `${s.h}x${s.w}x${s.c}`);

/** One layer with the shapes it takes and gives. */
export interface Layer {
  readonly index: number;
  readonly spec: LayerSpec;
  readonly input: Shape;
  readonly output: Shape;
}

/** A network problem at a key path, for the caller to locate in the scenario file. */
export class NetworkError extends Error {
  override name = 'NetworkError';
  constructor(readonly issue: Omit<ScenarioIssue, 'location'> & { readonly keyPath: readonly (string | number)[] }) {
    super(`${issue.path}: ${issue.message}`);
  }
}

function fail(index: number, key: string | undefined, message: string): never {
  const keyPath: (string | number)[] = ['network', 'layers', index, ...(key === undefined ? [] : [key])];
  const p = `network.layers[${index}]${key === undefined ? '' : `.${key}`}`;
  throw new NetworkError({ keyPath, path: p, message });
}

function window(index: number, input: Shape, size: number, stride: number, what: string, key: string): Shape {
  if (size > input.h || size > input.w) fail(index, key, `${what} of ${size}x${size} does not fit the ${showShape(input)} input`);
  if ((input.h - size) % stride !== 0 || (input.w - size) % stride !== 0) {
    fail(index, 'stride', `stride ${stride} does not tile the ${showShape(input)} input with a ${size}x${size} window`);
  }
  return { h: (input.h - size) / stride + 1, w: (input.w - size) / stride + 1, c: input.c };
}

/** The most values a layer may give, or weights it may hold: far above any network of the seeds (16,000), far below memory's end. */
export const LAYER_LIMIT = 10_000_000;

/** Weights of a layer (conv templates, dense matrix); 0 for the others. */
export function weightCount(spec: LayerSpec, input: Shape): number {
  if (spec.type === 'conv') return spec.templates * input.c * spec.kernel * spec.kernel;
  if (spec.type === 'dense') return spec.outputs * sizeOf(input);
  return 0;
}

/** Multiply-accumulates of one layer per image: each output of a conv or dense layer sums its weights' products. */
export const macCount = (l: Layer): number => (l.spec.type === 'conv' ? sizeOf(l.output) * weightCount(l.spec, l.input) / l.spec.templates : l.spec.type === 'dense' ? weightCount(l.spec, l.input) : 0);

/** Multiply-accumulates of a network per image. */
export const networkMacs = (layers: readonly Layer[]): number => layers.reduce((a, l) => a + macCount(l), 0);

/** Works out every layer's shapes ("valid" convolution and pooling, no padding). */
export function inferLayers(network: NetworkSpec): Layer[] {
  const first: Shape = network.input.length === 3 ? { h: network.input[0], w: network.input[1], c: network.input[2] } : { h: 1, w: network.input[0], c: 1 };
  if (sizeOf(first) > LAYER_LIMIT) throw new NetworkError({ keyPath: ['network', 'input'], path: 'network.input', message: `an input of ${sizeOf(first).toLocaleString('en-US')} values is more than spinarch simulates (${LAYER_LIMIT.toLocaleString('en-US')})` });
  let shape: Shape = first;
  return network.layers.map((spec, index) => {
    const input = shape;
    let output: Shape;
    switch (spec.type) {
      case 'conv':
        output = { ...window(index, input, spec.kernel, spec.stride, 'kernel', 'kernel'), c: spec.templates };
        break;
      case 'maxpool':
        output = window(index, input, spec.size, spec.stride, 'pooling window', 'size');
        break;
      case 'relu':
        output = input;
        break;
      case 'dense':
        output = { h: 1, w: spec.outputs, c: 1 };
        break;
    }
    shape = output;
    const weights = weightCount(spec, input);
    if (sizeOf(output) > LAYER_LIMIT || weights > LAYER_LIMIT) {
      fail(index, undefined, `this layer gives ${sizeOf(output).toLocaleString('en-US')} values from ${weights.toLocaleString('en-US')} weights; spinarch simulates layers of up to ${LAYER_LIMIT.toLocaleString('en-US')} of each`);
    }
    return { index, spec, input, output };
  });
}
