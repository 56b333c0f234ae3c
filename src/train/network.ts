import { streamFor, type RandomStream } from '../components/random.js';
import type { Activation, CellReadAt, TrainLayer, TrainShape, TrainingProfile } from './profile.js';

const size = (s: TrainShape): number => s.h * s.w * s.c;

/** The trainable tensors of a conv or dense layer: latent weights, their quantized copies, gradients. */
export interface Parameters {
  readonly layer: Extract<TrainLayer, { kind: 'conv' | 'dense' }>;
  /** [outputs, inputs, k, k] for convolutions, [outputs, inputs] for dense layers. */
  readonly shape: readonly number[];
  readonly w: Float64Array;
  readonly b: Float64Array;
  /** What the forward pass uses: the hardware's realization of w and b. */
  readonly qw: Float64Array;
  readonly qb: Float64Array;
  readonly gw: Float64Array;
  readonly gb: Float64Array;
}

/** The read noise a network's cell reads ('stages' layers) draw: its scale and the stream. */
export interface TrainNoise {
  readonly scale: number;
  readonly rng: RandomStream;
}

/**
 * What a 'stages' layer keeps for its backward pass, per read level k (stage k's reads, the
 * last level the consumer's read of 'v'): the drives read and the states received.
 */
interface StageTape {
  /** The read the last forward pass used (its noise scale's). */
  at: CellReadAt | undefined;
  /** The layer's input as the plane the first stage reads. */
  readonly input: ReadonlyMap<string, Float64Array>;
  readonly drives: Map<string, Float64Array>[];
  readonly states: ReadonlyMap<string, Float64Array>[];
  readonly dStates: ReadonlyMap<string, Float64Array>[];
  /** dDrives[k]: the gradient on the planes stage k - 1 wrote (level 0 writes into the layer's input gradient). */
  readonly dDrives: ReadonlyMap<string, Float64Array>[];
}

/**
 * A small network for training on plain typed arrays: convolutions (valid, strided),
 * elementwise activations, max-pooling and dense layers, one sample at a time, with every
 * buffer made once; and a design's fixed stages between them, with every cell read through
 * its read model. Forward and backward passes allocate nothing but the drives the fixed
 * stages return.
 */
export class TrainNet {
  readonly params: Parameters[] = [];
  private readonly paramOf: (Parameters | undefined)[];
  /** outs[i]: output of layer i; outs[-1] is the input, kept in `input`. */
  private readonly outs: Float64Array[];
  private readonly grads: Float64Array[];
  private readonly argmax: (Int32Array | undefined)[];
  /** For convolutions summed pass by pass: each partial sum before its transfer, [output, map]. */
  private readonly passes: (Float64Array | undefined)[];
  private readonly tapes: (StageTape | undefined)[];
  readonly input: Float64Array;
  /** What cell reads draw (the trainer sets it per sample); scale 0 unless it does. */
  noise: TrainNoise = { scale: 0, rng: streamFor(0, 'train/noise/none') };

  constructor(readonly profile: TrainingProfile, rng: RandomStream) {
    const layers = profile.layers;
    if (!layers.some((l) => l.kind === 'dense')) throw new Error('a trainable network has a dense layer to give it scores');
    this.input = new Float64Array(size(layers[0]!.input));
    this.outs = layers.map((l) => new Float64Array(size(l.output)));
    this.grads = layers.map((l) => new Float64Array(size(l.output)));
    this.argmax = layers.map((l) => (l.kind === 'maxpool' ? new Int32Array(size(l.output)) : undefined));
    this.passes = layers.map((l) => (l.kind === 'conv' && l.passTransfer !== undefined ? new Float64Array(size(l.output) * l.input.c) : undefined));
    this.tapes = layers.map((l, i) => (l.kind === 'stages' ? stageTape(l, i === 0 ? this.input : this.outs[i - 1]!) : undefined));
    this.paramOf = layers.map((l) => {
      if (l.kind !== 'conv' && l.kind !== 'dense') return undefined;
      const outputs = l.kind === 'conv' ? l.output.c : size(l.output);
      const fanIn = l.kind === 'conv' ? l.input.c * l.kernel * l.kernel : size(l.input);
      const shape = l.kind === 'conv' ? [outputs, l.input.c, l.kernel, l.kernel] : [outputs, fanIn];
      const n = outputs * fanIn;
      // He-uniform: keeps the activations' variance through (clipped) ReLUs.
      const limit = Math.sqrt(6 / fanIn);
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) w[i] = (2 * rng.uniform() - 1) * limit;
      const p: Parameters = { layer: l, shape, w, b: new Float64Array(outputs), qw: new Float64Array(n), qb: new Float64Array(outputs), gw: new Float64Array(n), gb: new Float64Array(outputs) };
      this.params.push(p);
      return p;
    });
    this.realize();
  }

  /** With quantizers off (a teacher network, or the float weights' accuracy). */
  plain = false;

  /** Refreshes the quantized copies from the latent weights (after every optimizer step). */
  realize(): void {
    for (const p of this.params) {
      if (this.plain || p.layer.quantize === undefined) {
        p.qw.set(p.w);
        p.qb.set(p.b);
      } else p.layer.quantize(p.w, p.b, p.qw, p.qb);
    }
  }

  /** Runs one sample (already in `input`); returns the scores (a view, overwritten by the next call). */
  forward(): Float64Array {
    const layers = this.profile.layers;
    let x = this.input;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!;
      const y = this.outs[i]!;
      switch (l.kind) {
        case 'conv':
          if (l.passTransfer === undefined) convForward(l, this.paramOf[i]!, x, y);
          else passConvForward(l, l.passTransfer, this.paramOf[i]!, x, y, this.passes[i]!);
          break;
        case 'dense':
          denseForward(this.paramOf[i]!, x, y);
          break;
        case 'activation': {
          const { f } = l.activation;
          const q = l.quantize;
          for (let k = 0; k < y.length; k++) y[k] = q === undefined ? f(x[k]!) : q(f(x[k]!));
          break;
        }
        case 'maxpool':
          poolForward(l, x, y, this.argmax[i]!);
          break;
        case 'stages':
          stagesForward(l, this.tapes[i]!, y, this.noise);
          break;
      }
      x = y;
    }
    return x;
  }

  /** Layer i's output from the last forward pass (a view, overwritten by the next). */
  output(i: number): Float64Array {
    const y = this.outs[i];
    if (y === undefined) throw new Error(`the network has no layer ${i}`);
    return y;
  }

  /** Adds this sample's gradients for `dScores` (d loss / d scores) to every layer's. */
  backward(dScores: Float64Array): void {
    const layers = this.profile.layers;
    const last = layers.length - 1;
    this.grads[last]!.set(dScores);
    for (let i = last; i >= 0; i--) {
      const l = layers[i]!;
      const g = this.grads[i]!;
      const x = i === 0 ? this.input : this.outs[i - 1]!;
      // The first layer has no input gradient to compute.
      const dx = i === 0 ? undefined : this.grads[i - 1]!;
      if (dx !== undefined && l.kind !== 'activation') dx.fill(0);
      switch (l.kind) {
        case 'conv':
          if (l.passTransfer === undefined) convBackward(l, this.paramOf[i]!, x, g, dx);
          else passConvBackward(l, l.passTransfer, this.paramOf[i]!, x, g, dx, this.passes[i]!);
          break;
        case 'dense':
          denseBackward(this.paramOf[i]!, x, g, dx);
          break;
        case 'activation': {
          if (dx === undefined) break;
          const { f, df } = l.activation;
          // Straight through the quantizer: the slope is the activation's own.
          for (let k = 0; k < g.length; k++) dx[k] = g[k]! === 0 ? 0 : g[k]! * df(x[k]!, f(x[k]!));
          break;
        }
        case 'maxpool': {
          if (dx === undefined) break;
          const arg = this.argmax[i]!;
          for (let k = 0; k < g.length; k++) dx[arg[k]!]! += g[k]!;
          break;
        }
        case 'stages':
          stagesBackward(l, this.tapes[i]!, g, dx);
          break;
      }
    }
  }

  zeroGradients(): void {
    for (const p of this.params) {
      p.gw.fill(0);
      p.gb.fill(0);
    }
  }
}

type Conv = Extract<TrainLayer, { kind: 'conv' }>;
type Pool = Extract<TrainLayer, { kind: 'maxpool' }>;
type Stages = Extract<TrainLayer, { kind: 'stages' }>;

const planes = (list: readonly { name: string; size: number }[]): Map<string, Float64Array> => new Map(list.map((p) => [p.name, new Float64Array(p.size)]));

function stageTape(l: Stages, input: Float64Array): StageTape {
  if (input.length !== size(l.input)) throw new Error('a stages layer takes its input plane as it is');
  // Level k reads what stage k reads; the last level is the consumer's read of 'v'.
  const reads = [...l.stages.map((s) => s.reads), [{ name: 'v', size: size(l.output) }]];
  return {
    at: undefined,
    input: new Map([['v', input]]),
    drives: reads.map(() => new Map()),
    states: reads.map(planes),
    dStates: reads.map(planes),
    dDrives: reads.map((_, k) => (k === 0 ? new Map() : planes(l.stages[k - 1]!.writes))),
  };
}

function stagesForward(l: Stages, tape: StageTape, y: Float64Array, noise: TrainNoise): void {
  const n = l.stages.length;
  const read = l.read.at(noise.scale);
  tape.at = read;
  let held = tape.input;
  for (let k = 0; k <= n; k++) {
    const states = tape.states[k]!;
    for (const [name, s] of states) {
      const u = held.get(name);
      if (u === undefined || u.length !== s.length) throw new Error(`a stage reads plane '${name}' of ${s.length} cells, which the stage before did not write`);
      tape.drives[k]!.set(name, u);
      for (let c = 0; c < s.length; c++) s[c] = read.read(u[c]!, noise.rng);
    }
    if (k < n) held = l.stages[k]!.drive(states);
  }
  const v = tape.states[n]!.get('v')!;
  const { scale, offset } = l.encoding;
  for (let c = 0; c < y.length; c++) y[c] = scale * v[c]! + offset;
}

/** Back through one level of reads: the noise as additive, the slope the mean's, none where the read clipped. */
function readsBackward(read: CellReadAt, drives: ReadonlyMap<string, Float64Array>, states: ReadonlyMap<string, Float64Array>, dStates: ReadonlyMap<string, Float64Array>, into: (name: string) => Float64Array | undefined): void {
  for (const [name, ds] of dStates) {
    const d = into(name);
    if (d === undefined) continue;
    const u = drives.get(name)!;
    const s = states.get(name)!;
    for (let c = 0; c < ds.length; c++) {
      const g = ds[c]!;
      const st = s[c]!;
      d[c] = g === 0 || st <= -1 || st >= 1 ? 0 : g * read.slope(u[c]!);
    }
  }
}

function stagesBackward(l: Stages, tape: StageTape, g: Float64Array, dx: Float64Array | undefined): void {
  const n = l.stages.length;
  const read = tape.at;
  if (read === undefined) throw new Error('backward before forward');
  const top = tape.dStates[n]!.get('v')!;
  for (let c = 0; c < g.length; c++) top[c] = g[c]! * l.encoding.scale;
  for (let k = n; k >= 0; k--) {
    if (k === 0) {
      if (dx !== undefined) readsBackward(read, tape.drives[0]!, tape.states[0]!, tape.dStates[0]!, (name) => (name === 'v' ? dx : undefined));
      break;
    }
    const dDrives = tape.dDrives[k]!;
    // Planes the next level does not read get no gradient.
    for (const d of dDrives.values()) d.fill(0);
    readsBackward(read, tape.drives[k]!, tape.states[k]!, tape.dStates[k]!, (name) => dDrives.get(name));
    const below = tape.dStates[k - 1]!;
    for (const d of below.values()) d.fill(0);
    l.stages[k - 1]!.backward(dDrives, below);
  }
}

function convForward(l: Conv, p: Parameters, x: Float64Array, y: Float64Array): void {
  const { h: H, w: W, c: C } = l.input;
  const { h: OH, w: OW, c: K } = l.output;
  const k = l.kernel;
  const s = l.stride;
  const w = p.qw;
  for (let o = 0; o < K; o++) {
    const bias = p.qb[o]!;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let sum = bias;
        for (let j = 0; j < C; j++) {
          for (let dy = 0; dy < k; dy++) {
            const row = (j * H + oy * s + dy) * W + ox * s;
            const wrow = ((o * C + j) * k + dy) * k;
            for (let dx = 0; dx < k; dx++) sum += w[wrow + dx]! * x[row + dx]!;
          }
        }
        y[(o * OH + oy) * OW + ox] = sum;
      }
    }
  }
}

function convBackward(l: Conv, p: Parameters, x: Float64Array, g: Float64Array, dx: Float64Array | undefined): void {
  const { h: H, w: W, c: C } = l.input;
  const { h: OH, w: OW, c: K } = l.output;
  const k = l.kernel;
  const s = l.stride;
  const w = p.qw;
  const gw = p.gw;
  for (let o = 0; o < K; o++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const grad = g[(o * OH + oy) * OW + ox]!;
        if (grad === 0) continue;
        p.gb[o]! += grad;
        for (let j = 0; j < C; j++) {
          for (let dy = 0; dy < k; dy++) {
            const row = (j * H + oy * s + dy) * W + ox * s;
            const wrow = ((o * C + j) * k + dy) * k;
            for (let d = 0; d < k; d++) {
              gw[wrow + d]! += grad * x[row + d]!;
              if (dx !== undefined) dx[row + d]! += grad * w[wrow + d]!;
            }
          }
        }
      }
    }
  }
}

/** One input map's contribution to output (o, oy, ox). */
function mapSum(l: Conv, w: Float64Array, x: Float64Array, o: number, j: number, oy: number, ox: number): number {
  const { h: H, w: W, c: C } = l.input;
  const k = l.kernel;
  let sum = 0;
  for (let dy = 0; dy < k; dy++) {
    const row = (j * H + oy * l.stride + dy) * W + ox * l.stride;
    const wrow = ((o * C + j) * k + dy) * k;
    for (let dx = 0; dx < k; dx++) sum += w[wrow + dx]! * x[row + dx]!;
  }
  return sum;
}

function passConvForward(l: Conv, t: Activation, p: Parameters, x: Float64Array, y: Float64Array, pre: Float64Array): void {
  const { h: OH, w: OW, c: K } = l.output;
  const C = l.input.c;
  for (let o = 0; o < K; o++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const out = (o * OH + oy) * OW + ox;
        let acc = p.qb[o]!;
        for (let j = 0; j < C; j++) {
          const u = acc + mapSum(l, p.qw, x, o, j, oy, ox);
          pre[out * C + j] = u;
          acc = t.f(u);
        }
        y[out] = acc;
      }
    }
  }
}

function passConvBackward(l: Conv, t: Activation, p: Parameters, x: Float64Array, g: Float64Array, dx: Float64Array | undefined, pre: Float64Array): void {
  const { h: H, w: W, c: C } = l.input;
  const { h: OH, w: OW, c: K } = l.output;
  const k = l.kernel;
  const s = l.stride;
  for (let o = 0; o < K; o++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const out = (o * OH + oy) * OW + ox;
        let grad = g[out]!;
        // Back through the passes, last first: each pass's transfer, then its map's terms.
        for (let j = C - 1; j >= 0 && grad !== 0; j--) {
          const u = pre[out * C + j]!;
          grad *= t.df(u, t.f(u));
          if (grad === 0) break;
          for (let dy = 0; dy < k; dy++) {
            const row = (j * H + oy * s + dy) * W + ox * s;
            const wrow = ((o * C + j) * k + dy) * k;
            for (let d = 0; d < k; d++) {
              p.gw[wrow + d]! += grad * x[row + d]!;
              if (dx !== undefined) dx[row + d]! += grad * p.qw[wrow + d]!;
            }
          }
          if (j === 0) p.gb[o]! += grad;
        }
      }
    }
  }
}

function denseForward(p: Parameters, x: Float64Array, y: Float64Array): void {
  const n = x.length;
  const w = p.qw;
  for (let o = 0; o < y.length; o++) {
    let sum = p.qb[o]!;
    const row = o * n;
    for (let i = 0; i < n; i++) sum += w[row + i]! * x[i]!;
    y[o] = sum;
  }
}

function denseBackward(p: Parameters, x: Float64Array, g: Float64Array, dx: Float64Array | undefined): void {
  const n = x.length;
  const w = p.qw;
  const gw = p.gw;
  for (let o = 0; o < g.length; o++) {
    const grad = g[o]!;
    if (grad === 0) continue;
    p.gb[o]! += grad;
    const row = o * n;
    for (let i = 0; i < n; i++) gw[row + i]! += grad * x[i]!;
    if (dx !== undefined) for (let i = 0; i < n; i++) dx[i]! += grad * w[row + i]!;
  }
}

function poolForward(l: Pool, x: Float64Array, y: Float64Array, arg: Int32Array): void {
  const { h: H, w: W } = l.input;
  const { h: OH, w: OW, c: C } = l.output;
  const { size: k, stride: s } = l;
  for (let c = 0; c < C; c++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let best = -Infinity;
        let at = 0;
        for (let dy = 0; dy < k; dy++) {
          const row = (c * H + oy * s + dy) * W + ox * s;
          for (let d = 0; d < k; d++) {
            const v = x[row + d]!;
            if (v > best) {
              best = v;
              at = row + d;
            }
          }
        }
        const o = (c * OH + oy) * OW + ox;
        y[o] = best;
        arg[o] = at;
      }
    }
  }
}

/** Rounds every latent weight to `digits` significant digits (what a weights file keeps). */
export function roundWeights(net: TrainNet, digits: number): void {
  for (const p of net.params) {
    for (const t of [p.w, p.b]) for (let i = 0; i < t.length; i++) t[i] = Number(t[i]!.toPrecision(digits));
  }
  net.realize();
}
