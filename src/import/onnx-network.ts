import type { z } from 'zod';
import type { layerSchema } from '../scenario/network-schema.js';
import { OnnxError } from './onnx-error.js';
import { int64, type OnnxAttribute, type OnnxModel, type OnnxNode } from './onnx-model.js';
import { integerBits, tensorValues, type Tensor } from './tensor.js';

/** A layer as a scenario writes it (network.layers[i]). */
export type LayerInput = z.input<typeof layerSchema>;

/** The ONNX node a layer came from, for messages that name it. */
export interface LayerOrigin {
  readonly node: string;
  readonly op: string;
  /** What of the node matters to mapping: `kernel 5x5, stride 1`, `256 -> 10`. */
  readonly detail: string;
}

/** A layer's weights, [outputs, ...fan-in] row-major as spinarch's weights files hold them. */
export interface ImportedWeights {
  readonly layer: number;
  readonly shape: readonly number[];
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

/** An ONNX model as a spinarch network: its layers, their weights and where each came from. */
export interface ImportedNetwork {
  readonly model: OnnxModel;
  readonly input: [number, number, number] | [number];
  readonly layers: LayerInput[];
  readonly weights: ImportedWeights[];
  readonly origins: LayerOrigin[];
  /** Width of the weights' integers where QuantizeLinear/DequantizeLinear give one. */
  readonly weightBits?: number;
  /** Width of the activations' integers where QuantizeLinear/DequantizeLinear on the data path give one. */
  readonly activationBits?: number;
  /** What was folded (BatchNormalization) or dropped (Identity, Dropout, Q/DQ on the data path), by node. */
  readonly folded: string[];
}

export interface ImportOptions {
  /**
   * What the design maps, in a sentence, for ops spinarch does not import and pooling it does
   * not do (`maap-cnn maps conv -> ReLU [-> max-pool] groups, then dense layers on its head`).
   */
  readonly designMaps: string;
  readonly design: string;
}

type Shape = { readonly kind: 'map'; readonly c: number; readonly h: number; readonly w: number } | { readonly kind: 'flat'; readonly n: number };
const showShape = (s: Shape): string => (s.kind === 'flat' ? `${s.n} values` : `${s.c}x${s.h}x${s.w} (maps x height x width)`);

export const nodeLabel = (node: OnnxNode, index: number): string => node.name !== undefined && node.name !== '' ? node.name : `#${index} ${node.opType ?? '?'}`;

/**
 * Reads an ONNX graph as a chain of spinarch layers (see the README's "Bring your own
 * network"): Conv, Gemm, MatMul (+ Add), Relu, Sigmoid, Tanh, MaxPool, Flatten/Reshape,
 * Softmax at the end; BatchNormalization folded into the Conv or Gemm before it; Identity
 * and Dropout dropped; QuantizeLinear/DequantizeLinear read as bit widths. Anything else is
 * refused at its node. Shapes are ONNX's (floor((H - k) / s) + 1, no padding); whether a
 * design can map them is the design's to say.
 */
export function onnxNetwork(model: OnnxModel, options: ImportOptions): ImportedNetwork {
  const file = model.file;
  const graph = model.proto.graph!;
  const nodes = graph.node ?? [];
  const inits = new Map<string, Tensor>();
  for (const t of graph.initializer ?? []) {
    try {
      inits.set(t.name ?? '', tensorValues(t));
    } catch (error) {
      throw new OnnxError(file, `initializer '${t.name ?? ''}': ${(error as Error).message}`);
    }
  }
  const dataInputs = (graph.input ?? []).filter((v) => !inits.has(v.name ?? ''));
  if (dataInputs.length !== 1) throw new OnnxError(file, `the graph has ${dataInputs.length} inputs that are not initializers (${dataInputs.map((v) => `'${v.name ?? ''}'`).join(', ')}); spinarch maps networks of one input image`);
  const inputInfo = dataInputs[0]!;
  const dims = (inputInfo.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue === undefined ? undefined : int64(d.dimValue)));
  let shape: Shape;
  let input: [number, number, number] | [number];
  if (dims.length === 4 && dims.slice(1).every((d) => d !== undefined && d > 0)) {
    shape = { kind: 'map', c: dims[1]!, h: dims[2]!, w: dims[3]! };
    input = [shape.h, shape.w, shape.c];
  } else if (dims.length === 2 && dims[1] !== undefined && dims[1] > 0) {
    shape = { kind: 'flat', n: dims[1] };
    input = [shape.n];
  } else {
    throw new OnnxError(file, `graph input '${inputInfo.name ?? ''}' has shape [${dims.map((d) => d ?? '?').join(', ')}]; spinarch maps [N, C, H, W] images or [N, features] vectors with fixed C, H, W or features`);
  }
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const alias = new Map<string, string>();
  const resolve = (name: string): string => alias.get(name) ?? name;
  let current = inputInfo.name ?? '';
  const layers: LayerInput[] = [];
  const weights: ImportedWeights[] = [];
  const origins: LayerOrigin[] = [];
  const folded: string[] = [];
  let weightBits: number | undefined;
  let activationBits: number | undefined;
  // The weighted layer whose output is `current` (a bias, a BatchNormalization folds into it).
  let weighted: ImportedWeights | undefined;

  nodes.forEach((node, index) => {
    const op = node.opType ?? '';
    const label = nodeLabel(node, index);
    const at = (detail: string) => `node '${label}' (op ${op}${detail === '' ? '' : `, ${detail}`})`;
    const refuse = (detail: string, why: string): never => {
      throw new OnnxError(file, `${at(detail)}: ${why}`);
    };
    if (node.domain !== undefined && node.domain !== '' && node.domain !== 'ai.onnx') refuse(`domain ${node.domain}`, `an operator of another domain than ONNX's own; ${options.designMaps}`);
    const attrs = new Map<string, OnnxAttribute>((node.attribute ?? []).map((a) => [a.name ?? '', a]));
    const int = (name: string, fallback: number): number => (attrs.has(name) ? int64(attrs.get(name)!.i) : fallback);
    const ints = (name: string): number[] | undefined => attrs.get(name)?.ints?.map(int64);
    const float = (name: string, fallback: number): number => attrs.get(name)?.f ?? fallback;
    const text = (name: string): string | undefined => {
      const s = attrs.get(name)?.s;
      return s === undefined ? undefined : Buffer.from(s).toString('utf8');
    };
    const ins = (node.input ?? []).map(resolve);
    const out = node.output?.[0] ?? '';
    const init = (i: number, what: string): Tensor => {
      const t = inits.get(ins[i] ?? '');
      if (t === undefined) refuse('', `its ${what} ('${ins[i] ?? ''}') is not a constant of the model (an initializer or a Constant node); spinarch maps weights stored in the model`);
      return t!;
    };
    const optionalInit = (i: number, what: string): Tensor | undefined => (ins[i] === undefined || ins[i] === '' ? undefined : init(i, what));
    const onChain = (): void => {
      if (ins[0] !== current) refuse('', `its input '${ins[0] ?? ''}' is not the output of the layer before ('${current}'): spinarch maps a chain of layers, one after the other (no branches, no residual connections)`);
    };
    const push = (spec: LayerInput, detail: string, w?: Omit<ImportedWeights, 'layer'>): void => {
      const layer = layers.length;
      layers.push(spec);
      origins.push({ node: label, op, detail });
      weighted = w === undefined ? undefined : { layer, ...w };
      if (weighted !== undefined) weights.push(weighted);
      current = out;
    };
    const last = layers[layers.length - 1];
    const noPads = (detail: string): void => {
      const pads = ints('pads') ?? [];
      const autoPad = text('auto_pad') ?? 'NOTSET';
      if (pads.some((p) => p !== 0) || (autoPad !== 'NOTSET' && autoPad !== 'VALID')) {
        refuse(detail, `padding (${pads.length > 0 ? `pads [${pads.join(', ')}]` : `auto_pad ${autoPad}`}) is not mapped: spinarch's windows are valid (unpadded); pad the image before the model, or export the model without padding`);
      }
      const dilations = ints('dilations') ?? [];
      if (dilations.some((d) => d !== 1)) refuse(detail, `dilations [${dilations.join(', ')}] are not mapped: spinarch's windows are dense (dilation 1)`);
    };
    const squareStride = (detail: string): number => {
      const strides = ints('strides') ?? [1, 1];
      if (strides.length !== 2 || strides[0] !== strides[1]) refuse(detail, `strides [${strides.join(', ')}]: spinarch's windows step by the same stride in both directions`);
      return strides[0]!;
    };

    switch (op) {
      case 'Constant': {
        const t = attrs.get('value')?.t;
        if (t === undefined) refuse('', 'only a Constant holding a tensor (value) is read');
        try {
          inits.set(out, tensorValues(t!));
        } catch (error) {
          refuse('', (error as Error).message);
        }
        return;
      }
      case 'Identity':
      case 'Dropout':
        alias.set(out, ins[0] ?? '');
        folded.push(`${label} (${op}, dropped)`);
        return;
      case 'QuantizeLinear':
      case 'DequantizeLinear': {
        const scale = init(1, 'scale');
        const zero = optionalInit(2, 'zero point');
        const x = inits.get(ins[0] ?? '');
        if (x === undefined) {
          // On the data path: the hardware converts activations at its own width; the width is noted.
          onChain();
          const bits = zero === undefined ? 8 : integerBits(zero.dataType);
          if (op === 'QuantizeLinear' && bits !== undefined) activationBits = bits;
          alias.set(out, current);
          folded.push(`${label} (${op} on the activations, ${bits ?? '?'} bits)`);
          return;
        }
        // On a constant: the weights as the model's integers say, dequantized; their width read.
        const axis = int('axis', 1);
        const perAxis = scale.values.length > 1;
        const rank = x.dims.length;
        const ax = axis < 0 ? axis + rank : axis;
        if (perAxis && x.dims[ax] !== scale.values.length) refuse(`axis ${axis}`, `${scale.values.length} scales for ${x.dims[ax] ?? 0} values along axis ${axis}`);
        const inner = x.dims.slice(ax + 1).reduce((a, b) => a * b, 1);
        const along = x.dims[ax] ?? 1;
        const channel = (i: number): number => (perAxis ? Math.floor(i / inner) % along : 0);
        const zp = (i: number): number => (zero === undefined ? 0 : zero.values[zero.values.length > 1 ? channel(i) : 0]!);
        const s = (i: number): number => scale.values[channel(i)]!;
        let values: Float64Array;
        let dataType: number;
        if (op === 'QuantizeLinear') {
          dataType = zero?.dataType ?? 2;
          const bits = integerBits(dataType) ?? 8;
          const signed = dataType === 3 || dataType === 5 || dataType === 22;
          const lo = signed ? -(2 ** (bits - 1)) : 0;
          const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
          // Round half to even, as ONNX's QuantizeLinear does.
          const round = (v: number): number => {
            const r = Math.round(v);
            return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
          };
          values = x.values.map((v, i) => Math.min(hi, Math.max(lo, round(v / s(i)) + zp(i))));
        } else {
          dataType = 1;
          values = x.values.map((v, i) => (v - zp(i)) * s(i));
        }
        const bits = integerBits(op === 'QuantizeLinear' ? dataType : x.dataType);
        if (bits !== undefined) {
          if (weightBits !== undefined && weightBits !== bits) refuse('', `weights of ${bits} bits after weights of ${weightBits}: spinarch's designs hold one weight width`);
          weightBits = bits;
        }
        inits.set(out, { dims: x.dims, dataType, values });
        return;
      }
      case 'Conv': {
        onChain();
        const w = init(1, 'weight tensor');
        const b = optionalInit(2, 'bias');
        const group = int('group', 1);
        const [m = 0, cg = 0, kh = 0, kw = 0] = w.dims;
        const detail = `kernel ${kh}x${kw}${group === 1 ? '' : `, group=${group}`}`;
        if (w.dims.length !== 4) refuse(detail, `a ${w.dims.length - 2}-D convolution: spinarch maps 2-D ones`);
        if (group !== 1) refuse(detail, `a grouped (or depthwise) convolution: ${options.design} maps group = 1 only (every template spans all input maps)`);
        if (kh !== kw) refuse(detail, `a ${kh}x${kw} kernel: spinarch's kernels are square`);
        noPads(detail);
        const stride = squareStride(detail);
        if (shape.kind !== 'map') refuse(detail, `its input is a vector of ${showShape(shape)}, not a feature map`);
        if (shape.kind !== 'map') return;
        if (cg !== shape.c) refuse(detail, `its weights take ${cg} input maps, the layer before gives ${shape.c}`);
        if (kh > shape.h || kw > shape.w) refuse(detail, `a ${kh}x${kw} kernel does not fit the ${showShape(shape)} input`);
        shape = { kind: 'map', c: m, h: Math.floor((shape.h - kh) / stride) + 1, w: Math.floor((shape.w - kw) / stride) + 1 };
        push({ type: 'conv', kernel: kh, templates: m, stride }, `${detail}, stride ${stride}, ${cg} -> ${m} maps`, { shape: [m, cg, kh, kw], weights: Float64Array.from(w.values), bias: b === undefined ? new Float64Array(m) : Float64Array.from(b.values) });
        return;
      }
      case 'Gemm':
      case 'MatMul': {
        onChain();
        const bt = init(1, 'weight matrix');
        const detail = `${bt.dims.join('x')} weights`;
        if (shape.kind !== 'flat') refuse(detail, `its input is a feature map of ${showShape(shape)}: add a Flatten before it`);
        if (shape.kind !== 'flat') return;
        if (bt.dims.length !== 2) refuse(detail, `a weight tensor of ${bt.dims.length} dimensions: spinarch's dense layers take a matrix`);
        if (op === 'Gemm' && int('transA', 0) !== 0) refuse(`${detail}, transA=1`, 'a transposed input: spinarch feeds one vector at a time');
        const transB = op === 'Gemm' ? int('transB', 0) : 0;
        const alpha = op === 'Gemm' ? float('alpha', 1) : 1;
        const beta = op === 'Gemm' ? float('beta', 1) : 1;
        const [k, n] = transB === 1 ? [bt.dims[1]!, bt.dims[0]!] : [bt.dims[0]!, bt.dims[1]!];
        if (k !== shape.n) refuse(detail, `it takes ${k} inputs, the layer before gives ${shape.n}`);
        const w = new Float64Array(n * k);
        for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) w[o * k + i] = alpha * bt.values[transB === 1 ? o * k + i : i * n + o]!;
        const bias = new Float64Array(n);
        const c = op === 'Gemm' ? optionalInit(2, 'bias') : undefined;
        if (c !== undefined) {
          if (c.values.length !== n && c.values.length !== 1) refuse(detail, `a bias of ${c.values.length} values for ${n} outputs`);
          for (let o = 0; o < n; o++) bias[o] = beta * c.values[c.values.length === 1 ? 0 : o]!;
        }
        shape = { kind: 'flat', n };
        push({ type: 'dense', outputs: n, activation: 'none' }, `${k} -> ${n}`, { shape: [n, k], weights: w, bias });
        return;
      }
      case 'Add': {
        const other = ins[0] === current ? 1 : 0;
        if (ins[1 - other] !== current) onChain();
        const t = inits.get(ins[other] ?? '');
        const w = weighted;
        if (t === undefined || w === undefined) {
          refuse('', `spinarch maps an Add only as the bias of the Conv, Gemm or MatMul right before it (a constant of one value per output); this one adds ${t === undefined ? `'${ins[other] ?? ''}', which is not a constant (a residual connection?)` : 'to a layer that has no weights'}`);
          return;
        }
        const outs = w.shape[0]!;
        if (t.values.length !== outs && t.values.length !== 1) refuse(`${t.dims.join('x')} constant`, `adds ${t.values.length} values to a layer of ${outs} outputs: only one bias per output is mapped`);
        for (let o = 0; o < outs; o++) w.bias[o]! += t.values[t.values.length === 1 ? 0 : o]!;
        alias.set(out, current);
        return;
      }
      case 'BatchNormalization': {
        onChain();
        const w = weighted;
        if (w === undefined) {
          refuse('', 'a BatchNormalization is folded into the Conv or Gemm right before it, and this one follows no such layer');
          return;
        }
        const [gamma, beta, mean, variance] = [init(1, 'scale'), init(2, 'bias'), init(3, 'mean'), init(4, 'variance')];
        const eps = float('epsilon', 1e-5);
        const outs = w.shape[0]!;
        const per = w.weights.length / outs;
        for (const [name, t] of [['scale', gamma], ['bias', beta], ['mean', mean], ['variance', variance]] as const) {
          if (t.values.length !== outs) refuse('', `its ${name} has ${t.values.length} values for ${outs} channels`);
        }
        for (let o = 0; o < outs; o++) {
          const s = gamma.values[o]! / Math.sqrt(variance.values[o]! + eps);
          for (let j = 0; j < per; j++) w.weights[o * per + j]! *= s;
          w.bias[o] = (w.bias[o]! - mean.values[o]!) * s + beta.values[o]!;
        }
        folded.push(`${label} (BatchNormalization, folded into node '${origins[w.layer]!.node}')`);
        alias.set(out, current);
        return;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh': {
        onChain();
        const activation = op === 'Relu' ? 'relu' : op === 'Sigmoid' ? 'sigmoid' : 'tanh';
        if (last?.type === 'dense' && (last.activation ?? 'none') === 'none') {
          layers[layers.length - 1] = { ...last, activation };
          origins[origins.length - 1] = { ...origins[origins.length - 1]!, detail: `${origins[origins.length - 1]!.detail}, ${op} (node '${label}')` };
          weighted = undefined;
          current = out;
          return;
        }
        if (op !== 'Relu') refuse(last === undefined ? 'on the input' : `after a ${last.type} layer`, `spinarch has ${op} only as a dense layer's activation; ${options.designMaps}`);
        push({ type: 'relu' }, '');
        return;
      }
      case 'Softmax': {
        onChain();
        if (!outputs.has(out)) refuse('', 'a Softmax is mapped only at the end of the network (its output the graph\'s output)');
        if (last?.type !== 'dense' || (last.activation ?? 'none') !== 'none') refuse('', 'a Softmax is mapped only right after the last dense layer (Gemm or MatMul)');
        if (last?.type === 'dense') layers[layers.length - 1] = { ...last, activation: 'softmax' };
        weighted = undefined;
        current = out;
        return;
      }
      case 'MaxPool': {
        onChain();
        const k = ints('kernel_shape') ?? [];
        const detail = `window ${k.join('x')}`;
        if (k.length !== 2 || k[0] !== k[1]) refuse(detail, 'spinarch pools square 2-D windows');
        if (int('ceil_mode', 0) !== 0) refuse(detail, 'ceil_mode=1 pools partial windows at the edge; spinarch pools whole windows (ceil_mode 0)');
        noPads(detail);
        const stride = squareStride(detail);
        if (shape.kind !== 'map') refuse(detail, `its input is a vector of ${showShape(shape)}, not a feature map`);
        if (shape.kind !== 'map') return;
        const size = k[0]!;
        if (size > shape.h || size > shape.w) refuse(detail, `a ${size}x${size} window does not fit the ${showShape(shape)} input`);
        shape = { kind: 'map', c: shape.c, h: Math.floor((shape.h - size) / stride) + 1, w: Math.floor((shape.w - size) / stride) + 1 };
        push({ type: 'maxpool', size, stride }, `${detail}, stride ${stride}`);
        return;
      }
      case 'AveragePool':
      case 'GlobalAveragePool':
        refuse('', `average pooling has no hardware in ${options.design}: ${options.designMaps}; use MaxPool`);
        return;
      case 'Flatten':
      case 'Reshape': {
        onChain();
        let flat = true;
        if (op === 'Flatten') flat = int('axis', 1) === 1;
        else {
          const target = init(1, 'shape').values;
          const n = shape.kind === 'flat' ? shape.n : shape.c * shape.h * shape.w;
          flat = target.length === 2 && (target[0] === 1 || target[0] === -1 || target[0] === 0) && (target[1] === -1 || target[1] === n);
        }
        if (!flat) refuse('', 'only a flatten to [N, features] (axis 1) is mapped: spinarch\'s dense layers read the maps in C, H, W order');
        if (shape.kind === 'map') shape = { kind: 'flat', n: shape.c * shape.h * shape.w };
        alias.set(out, current);
        return;
      }
      default:
        refuse('', `not an op spinarch imports (it maps Conv, Gemm, MatMul + Add, Relu, Sigmoid, Tanh, MaxPool, Flatten/Reshape, a final Softmax, BatchNormalization folded, Identity/Dropout dropped, QuantizeLinear/DequantizeLinear as bit widths); ${options.designMaps}`);
    }
  });
  const end = [...outputs].map(resolve);
  if (!end.includes(current)) throw new OnnxError(file, `the graph's output (${[...outputs].map((o) => `'${o}'`).join(', ')}) is not the end of its chain of layers ('${current}')`);
  if (layers.length === 0) throw new OnnxError(file, 'the graph has no layer spinarch maps');
  return { model, input, layers, weights, origins, folded, ...(weightBits === undefined ? {} : { weightBits }), ...(activationBits === undefined ? {} : { activationBits }) };
}
