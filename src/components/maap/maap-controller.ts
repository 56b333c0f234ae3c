import { topicKey, type Topic } from '../../scheduler/bus.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { Samples } from '../converters/samples.js';
import { multiplyRequestsOf, type MultiplyReply, type MultiplyRequest } from '../digital/multiplier.js';
import { sramAccessOf, type SramAccess, type SramReply } from '../memory/sram.js';
import { IMAGES, type ComponentClass, type ImageMark } from '../records.js';
import { MAAP_REQUESTS, groupOf, type MaapRequest, type MaapResult } from './maap-array.js';
import type { MaapGeometry } from './maap-set.js';

/** One MAAP layer as the controller runs it (built from the network by the design's mapper). */
export interface MaapLayerPlan {
  /** 1 for the first MAAP layer; names its ops (`L1/out[17]`). */
  readonly ordinal: number;
  readonly input: { readonly c: number; readonly h: number; readonly w: number };
  readonly output: { readonly c: number; readonly h: number; readonly w: number };
  /** SRAM addresses: input values (map-major), output values, and templates (fan-in words each). */
  readonly inputBase: number;
  readonly outputBase: number;
  readonly weightBase: number;
  readonly fanIn: number;
  readonly geometry: MaapGeometry;
  readonly poolStride: number;
  /** Weight codes decode as code * weightScale. */
  readonly weightScale: number;
  /** Per-template bias, held in the OTAs' bias register for the layer. */
  readonly bias: Float64Array;
}

/** Per layer: which outputs each input value feeds (CSR lists) and how many inputs each output needs. */
interface LayerGraph {
  readonly plan: MaapLayerPlan;
  readonly feedsStart: Int32Array;
  readonly feeds: Int32Array;
  readonly needs: Int32Array;
}

/** Visits the input values (map-major indices) of output `op`'s patch. */
export function patchInputs(plan: MaapLayerPlan, op: number, visit: (inputIndex: number) => void): void {
  const { input, output, geometry, poolStride } = plan;
  const step = poolStride * geometry.convStride;
  const rest = op % (output.h * output.w);
  const oy = Math.floor(rest / output.w);
  const ox = rest % output.w;
  for (let j = 0; j < input.c; j++)
    for (let r = 0; r < geometry.patch; r++)
      for (let c = 0; c < geometry.patch; c++) visit(j * input.h * input.w + (oy * step + r) * input.w + ox * step + c);
}

function buildGraph(plan: MaapLayerPlan): LayerGraph {
  const { input, output } = plan;
  const ops = output.c * output.h * output.w;
  const counts = new Int32Array(input.c * input.h * input.w);
  const needs = new Int32Array(ops);
  // Outputs listed position by position (all maps of a position together), so that the
  // next layer, which needs every map, can start as early as the data allows.
  const order: number[] = [];
  for (let p = 0; p < output.h * output.w; p++) for (let k = 0; k < output.c; k++) order.push(k * output.h * output.w + p);
  for (const op of order) patchInputs(plan, op, (i) => {
    counts[i]!++;
    needs[op]!++;
  });
  const feedsStart = new Int32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) feedsStart[i + 1] = feedsStart[i]! + counts[i]!;
  const feeds = new Int32Array(feedsStart[counts.length]!);
  const fill = feedsStart.slice(0, counts.length);
  for (const op of order) patchInputs(plan, op, (i) => (feeds[fill[i]!++] = op));
  return { plan, feedsStart, feeds, needs };
}

/**
 * Where output `out` (map-major index) of a layer stands in the order the controller lists
 * outputs: position by position, all maps of a position together. With the ranks of the
 * layers before it, this decides which group of sets measures it (groupOf).
 */
export function outputRank(plan: MaapLayerPlan, out: number): number {
  const positions = plan.output.h * plan.output.w;
  return (out % positions) * plan.output.c + Math.floor(out / positions);
}

/** Ranks of each layer's first output in an image: the outputs of the layers before it. */
export function layerRankOffsets(plans: readonly MaapLayerPlan[]): number[] {
  let offset = 0;
  return plans.map((p) => {
    const first = offset;
    offset += p.output.c * p.output.h * p.output.w;
    return first;
  });
}

/** Position-major order of a layer's input values (all maps of a pixel together). */
function positionMajor(shape: { c: number; h: number; w: number }): number[] {
  const out: number[] = [];
  for (let p = 0; p < shape.h * shape.w; p++) for (let j = 0; j < shape.c; j++) out.push(j * shape.h * shape.w + p);
  return out;
}

export const MAAP_CONVERTED = topicKey<Samples<MaapResult>>('maap/converted');

/** The word stored for an output: its code, or with digital averaging the rounded mean of its R codes. */
export const storedCode = (codes: ArrayLike<number>, digitalAveraging: boolean): number => {
  if (!digitalAveraging) return codes[0]!;
  let sum = 0;
  for (let i = 0; i < codes.length; i++) sum += codes[i]!;
  return Math.round(sum / codes.length);
};

/**
 * An input value's OTA drive level from its multiply by the layer's input gain (1.0 as a
 * b-bit fraction, so the product's scale is levels^2).
 */
export const driveLevel = (product: number, levels: number): number => product / (levels * levels);

/**
 * Runs MAAP layers as a dataflow over shared resources (seed 003, Fig. 3). Every input
 * value is read from SRAM once and multiplied once (by the layer's input gain, setting its
 * OTA drive level; the template weights set the OTA gains). An output (one MAAP operation)
 * starts once every input of its patch is in; its template words are read from SRAM, its
 * R measurements run on R sets, its result goes through the ADC and is written back to
 * SRAM, where the next layer reads it as an input. At most `inFlight` outputs are in
 * progress, so the sets are kept fed without holding every template at once.
 */
export class MaapController extends Component {
  readonly kind: ComponentClass = 'digital';
  private readonly graphs: LayerGraph[];
  private readonly rankOffsets: number[];
  private readonly sram: Topic<SramAccess>;
  private readonly mult: Topic<MultiplyRequest>;
  private readonly maap: Topic<MaapRequest>;
  private readonly marks: Topic<ImageMark>;
  private readonly sramReply = topicKey<SramReply>('maap/controller/sram');
  private readonly multReply = topicKey<MultiplyReply>('maap/controller/mult');
  private readonly waiting = new Map<number, (value: number) => void>();
  private nextId = 0;
  private image = 0;
  // Per image state.
  private buffers: Float64Array[] = [];
  private pending: Int32Array[] = [];
  private ready: [number, number][] = [];
  private readyHead = 0;
  private busy = 0;
  private finished = 0;
  private readonly outputAction: ActionSpec;
  /** Outputs in the MAAP sets or ADCs, by request id. */
  private readonly outputs = new Map<number, { layer: number; out: number }>();

  constructor(
    ctx: SimContext,
    name: string,
    plans: readonly MaapLayerPlan[],
    readonly bits: number,
    readonly digitalAveraging: boolean,
    readonly inFlight: number,
    sram: string,
    multipliers: string,
    /** Groups of R sets (outputs are spread over them by groupOf). */
    readonly groups: number,
    /** A classifier head follows: the last output marks the image `computed`, not ended. */
    readonly headed: boolean,
  ) {
    super(ctx, name);
    this.graphs = plans.map(buildGraph);
    this.rankOffsets = layerRankOffsets(plans);
    this.sram = ctx.bus.topic(sramAccessOf(sram));
    this.mult = ctx.bus.topic(multiplyRequestsOf(multipliers));
    this.maap = ctx.bus.topic(MAAP_REQUESTS);
    this.marks = ctx.bus.topic(IMAGES);
    ctx.bus.topic(this.sramReply).listen((r) => this.answer(r.id, r.value));
    ctx.bus.topic(this.multReply).listen((r) => this.answer(r.id, r.product));
    ctx.bus.topic(MAAP_CONVERTED).listen((s) => this.converted(s));
    this.outputAction = this.declareEnergy('maap_output', 0, 'one MAAP output stored (its costs are in the blocks that made it)');
  }

  private answer(id: number, value: number): void {
    const k = this.waiting.get(id)!;
    this.waiting.delete(id);
    k(value);
  }

  private read(address: number, op: string, then: (value: number) => void): void {
    const id = this.nextId++;
    this.waiting.set(id, then);
    this.sram.publish({ id, kind: 'read', address, op, reply: this.sramReply });
  }

  private write(address: number, value: number, op: string, then: () => void): void {
    const id = this.nextId++;
    this.waiting.set(id, then);
    this.sram.publish({ id, kind: 'write', address, value, op, reply: this.sramReply });
  }

  private multiply(a: number, b: number, op: string, then: (product: number) => void): void {
    const id = this.nextId++;
    this.waiting.set(id, then);
    this.mult.publish({ id, a, b, op, reply: this.multReply });
  }

  /**
   * The ops whose records belong to `selector`: an output (`L2/out[17]`) and the input
   * values of its patch (`L2/in[...]`: their SRAM reads and multiplies), or one input.
   */
  relatedOps(selector: string): ReadonlySet<string> | undefined {
    const m = /^L(\d+)\/(out|in)\[(\d+)\]$/.exec(selector);
    if (m === null) return undefined;
    const g = this.graphs.find((x) => x.plan.ordinal === Number(m[1]));
    if (g === undefined) return undefined;
    const index = Number(m[3]);
    const { input, output } = g.plan;
    if (m[2] === 'in') return index < input.c * input.h * input.w ? new Set([selector]) : undefined;
    if (index >= output.c * output.h * output.w) return undefined;
    const ops = new Set([selector]);
    patchInputs(g.plan, index, (i) => ops.add(`L${g.plan.ordinal}/in[${i}]`));
    return ops;
  }

  /** Runs all layers on one image, whose input values are already in SRAM. */
  start(image: number): void {
    this.image = image;
    this.buffers = this.graphs.map((g) => new Float64Array(g.plan.input.c * g.plan.input.h * g.plan.input.w));
    this.pending = this.graphs.map((g) => Int32Array.from(g.needs));
    this.ready = [];
    this.readyHead = 0;
    this.busy = 0;
    this.finished = 0;
    const first = this.graphs[0]!.plan;
    this.kernel.after(0, () => {
      for (const i of positionMajor(first.input)) this.readInput(0, i);
    }, 0);
  }

  private readInput(layer: number, i: number): void {
    const plan = this.graphs[layer]!.plan;
    const levels = 2 ** this.bits - 1;
    const op = `L${plan.ordinal}/in[${i}]`;
    this.read(plan.inputBase + i, op, (code) =>
      // Gain 1.0 as a b-bit fraction: the product's scale is levels^2.
      this.multiply(code, levels, op, (product) => {
        this.buffers[layer]![i] = driveLevel(product, levels);
        const g = this.graphs[layer]!;
        const pending = this.pending[layer]!;
        for (let f = g.feedsStart[i]!; f < g.feedsStart[i + 1]!; f++) {
          const out = g.feeds[f]!;
          if (--pending[out]! === 0) this.ready.push([layer, out]);
        }
        this.dispatch();
      }),
    );
  }

  private dispatch(): void {
    while (this.busy < this.inFlight && this.readyHead < this.ready.length) {
      const [layer, out] = this.ready[this.readyHead++]!;
      this.busy++;
      this.startOutput(layer, out);
    }
  }

  private startOutput(layer: number, out: number): void {
    const plan = this.graphs[layer]!.plan;
    const { output, geometry, fanIn } = plan;
    const k = Math.floor(out / (output.h * output.w));
    const op = `L${plan.ordinal}/out[${out}]`;
    this.note('dispatch', op, { layer: plan.ordinal, output: out, template: k, template_words: fanIn, in_flight: this.busy });
    const weights = new Float64Array(fanIn);
    let left = fanIn;
    for (let j = 0; j < fanIn; j++) {
      this.read(plan.weightBase + k * fanIn + j, op, (code) => {
        weights[j] = code * plan.weightScale;
        if (--left > 0) return;
        // Gather the patch from the input buffer (the OTA input registers).
        const buffer = this.buffers[layer]!;
        const inputs = new Float64Array(plan.input.c * geometry.patch * geometry.patch);
        let n = 0;
        patchInputs(plan, out, (i) => (inputs[n++] = buffer[i]!));
        const id = this.nextId++;
        this.outputs.set(id, { layer, out });
        const group = groupOf(this.rankOffsets[layer]! + outputRank(plan, out), this.groups);
        this.maap.publish({ id, op, group, geometry, inputs, weights, bias: plan.bias[k]! });
      });
    }
  }

  private converted(s: Samples<MaapResult>): void {
    const where = this.outputs.get(s.meta.id)!;
    this.outputs.delete(s.meta.id);
    const code = storedCode(s.values, this.digitalAveraging);
    const plan = this.graphs[where.layer]!.plan;
    this.write(plan.outputBase + where.out, code, s.meta.op, () => {
      this.perform(this.outputAction, 1, { op: s.meta.op, ...(this.tracing ? { values: { layer: plan.ordinal, index: where.out, address: plan.outputBase + where.out, code, sets: s.meta.sets.join(' ') } } : {}) });
      this.busy--;
      if (where.layer + 1 < this.graphs.length) this.readInput(where.layer + 1, where.out);
      else if (++this.finished === plan.output.c * plan.output.h * plan.output.w) this.marks.publish({ time: this.now, image: this.image, phase: this.headed ? 'computed' : 'end' });
      this.dispatch();
    });
  }
}
