import { topicKey, type Topic } from '../../scheduler/bus.js';
import { FreeList } from '../../scheduler/free-list.js';
import { RequestPool } from '../../scheduler/request-pool.js';
import { grown } from '../../scheduler/grown.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { Samples } from '../converters/samples.js';
import { multiplyRequestsOf, newMultiplyRequest, type MultiplyRequest } from '../digital/multiplier.js';
import { newSramAccess, sramAccessOf, type SramAccess } from '../memory/sram.js';
import { IMAGES, type ComponentClass, type ImageMark } from '../records.js';
import { MAAP_REQUESTS, groupOf, type MaapRequest, type MaapResult } from './maap-array.js';
import type { MaapGeometry } from './maap-set.js';
import { TEMPLATE_DELIVERIES, type TemplateDelivery } from './template-buffer.js';

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

/**
 * Where row `r` of map `j` of output `op`'s patch starts among the layer's input values
 * (map-major indices); the row's `patch` values follow it.
 */
function patchRow(plan: MaapLayerPlan, op: number, j: number, r: number): number {
  const { input, output, geometry, poolStride } = plan;
  const step = poolStride * geometry.convStride;
  const rest = op % (output.h * output.w);
  const oy = Math.floor(rest / output.w);
  const ox = rest % output.w;
  return j * input.h * input.w + (oy * step + r) * input.w + ox * step;
}

/** Visits the input values (map-major indices) of output `op`'s patch. */
export function patchInputs(plan: MaapLayerPlan, op: number, visit: (inputIndex: number) => void): void {
  const { patch } = plan.geometry;
  for (let j = 0; j < plan.input.c; j++)
    for (let r = 0; r < patch; r++) {
      const row = patchRow(plan, op, j, r);
      for (let c = 0; c < patch; c++) visit(row + c);
    }
}

/** Copies output `op`'s patch out of a layer's input values, in patchInputs order (no closure: it runs per output). */
function gatherPatch(plan: MaapLayerPlan, op: number, values: Float64Array, into: Float64Array): void {
  const { patch } = plan.geometry;
  let n = 0;
  for (let j = 0; j < plan.input.c; j++)
    for (let r = 0; r < patch; r++) {
      const row = patchRow(plan, op, j, r);
      for (let c = 0; c < patch; c++) into[n++] = values[row + c]!;
    }
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

/** Where each layer's template words start in a flat numbering of all of them (and their total, last). */
function layerWordOffsets(plans: readonly MaapLayerPlan[]): number[] {
  const offsets = [0];
  for (const p of plans) offsets.push(offsets[offsets.length - 1]! + p.output.c * p.fanIn);
  return offsets;
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

/** What an SRAM reply continues: an input value read, a template word read, an output written. */
const INPUT = 0;
const WEIGHT = 1;
const WRITE = 2;
/** A template word read into the buffer (its reply goes to every output waiting for it). */
const BUFFERED = 3;

/** One output in progress: its place, its template and patch buffers, and its request to the sets. */
interface OutputSlot {
  readonly index: number;
  layer: number;
  out: number;
  left: number;
  op: string | undefined;
  /** The code written back, and (when tracing) the sets that measured it. */
  code: number;
  sets: string;
  /** Per layer, buffers of that layer's template (fan-in words) and patch (the OTA input registers). */
  readonly weights: readonly Float64Array[];
  readonly inputs: readonly Float64Array[];
  readonly request: { -readonly [K in keyof MaapRequest]: MaapRequest[K] };
}

/**
 * Runs MAAP layers as a dataflow over shared resources (seed 003, Fig. 3). Every input
 * value is read from SRAM once and multiplied once (by the layer's input gain, setting its
 * OTA drive level; the template weights set the OTA gains). An output (one MAAP operation)
 * starts once every input of its patch is in; its template words are read from SRAM, its
 * R measurements run on R sets, its result goes through the ADC and is written back to
 * SRAM, where the next layer reads it as an input. At most `inFlight` outputs are in
 * progress, so the sets are kept fed without holding every template at once.
 *
 * Nothing is allocated per event: SRAM and multiply requests are pooled objects whose `id`
 * indexes what their reply continues, outputs in progress reuse their slots' buffers, and
 * op names are built only when something traces.
 */
export class MaapController extends Component {
  readonly kind: ComponentClass = 'digital';
  private readonly graphs: LayerGraph[];
  private readonly rankOffsets: number[];
  private readonly sram: Topic<SramAccess>;
  private readonly mult: Topic<MultiplyRequest>;
  private readonly maap: Topic<MaapRequest>;
  private readonly marks: Topic<ImageMark>;
  private readonly sramReply: Topic<SramAccess>;
  private readonly multReply: Topic<MultiplyRequest>;
  private readonly levels: number;
  // Pooled SRAM requests and what each one's reply continues (by its id).
  private readonly sramRequests = new RequestPool(() => newSramAccess(this.sramReply));
  private contKind = new Uint8Array(256);
  private contA = new Int32Array(256);
  private contB = new Int32Array(256);
  // Pooled multiplies: the layer and input value each one sets.
  private readonly multRequests = new RequestPool(() => newMultiplyRequest(this.multReply));
  private multLayer = new Int32Array(64);
  private multIndex = new Int32Array(64);
  private readonly slots: OutputSlot[];
  private readonly freeSlots: FreeList;
  private image = 0;
  // Per image state.
  private buffers: Float64Array[] = [];
  private pending: Int32Array[] = [];
  /** Outputs ready to start, (layer, out) pairs in a flat queue. */
  private readyLayer = new Int32Array(1024);
  private readyOut = new Int32Array(1024);
  private readyTail = 0;
  private readyHead = 0;
  private busy = 0;
  private finished = 0;
  private readonly outputAction: ActionSpec;
  // With a template buffer: each template word's state in the image (0 unread, 1 in flight,
  // 2 held), its code, and the outputs waiting for it (a list of slot * maxFanIn + j nodes).
  private readonly buffered: boolean;
  private readonly wordBase: Int32Array;
  private readonly maxFanIn: number;
  private readonly wordState: Uint8Array;
  private readonly wordCode: Float64Array;
  private readonly waitHead: Int32Array;
  private readonly waitNext: Int32Array;
  private readonly deliveries: Topic<TemplateDelivery>;
  private readonly delivery: TemplateDelivery = { words: 0, op: undefined };

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
    /** A template buffer (TemplateBuffer) holds each word read in the image and broadcasts it. */
    buffered = false,
  ) {
    super(ctx, name);
    this.graphs = plans.map(buildGraph);
    this.rankOffsets = layerRankOffsets(plans);
    this.levels = 2 ** bits - 1;
    this.sram = ctx.bus.topic(sramAccessOf(sram));
    this.mult = ctx.bus.topic(multiplyRequestsOf(multipliers));
    this.maap = ctx.bus.topic(MAAP_REQUESTS);
    this.marks = ctx.bus.topic(IMAGES);
    this.slots = Array.from({ length: inFlight }, (_, index) => ({
      index,
      layer: 0,
      out: 0,
      left: 0,
      op: undefined,
      code: 0,
      sets: '',
      weights: plans.map((p) => new Float64Array(p.fanIn)),
      inputs: plans.map((p) => new Float64Array(p.input.c * p.geometry.patch * p.geometry.patch)),
      request: { id: index, op: '', group: 0, rank: 0, sets: [], geometry: plans[0]!.geometry, inputs: new Float64Array(0), weights: new Float64Array(0), bias: 0 },
    }));
    this.freeSlots = new FreeList(inFlight);
    for (let i = inFlight - 1; i >= 0; i--) this.freeSlots.push(i);
    this.sramReply = ctx.bus.topic(topicKey<SramAccess>(`${name}/sram-reply`));
    this.multReply = ctx.bus.topic(topicKey<MultiplyRequest>(`${name}/multiply-reply`));
    this.sramReply.listen(this.sramAnswered);
    this.multReply.listen(this.multiplied);
    ctx.bus.topic(MAAP_CONVERTED).listen((s) => this.converted(s));
    this.outputAction = this.declareEnergy('maap_output', 0, 'one MAAP output stored (its costs are in the blocks that made it)');
    this.buffered = buffered;
    this.wordBase = Int32Array.from(layerWordOffsets(plans));
    const words = buffered ? this.wordBase[plans.length]! : 0;
    this.maxFanIn = Math.max(1, ...plans.map((p) => p.fanIn));
    this.wordState = new Uint8Array(words);
    this.wordCode = new Float64Array(words);
    this.waitHead = new Int32Array(words).fill(-1);
    this.waitNext = new Int32Array(buffered ? inFlight * this.maxFanIn : 0);
    this.deliveries = ctx.bus.topic(TEMPLATE_DELIVERIES);
  }

  /** A pooled SRAM request for an access whose reply continues as `kind` with (a, b). */
  private access(kind: number, a: number, b: number): SramAccess {
    const r = this.sramRequests.acquire();
    if (r.id >= this.contKind.length) {
      this.contKind = grown(this.contKind);
      this.contA = grown(this.contA);
      this.contB = grown(this.contB);
    }
    this.contKind[r.id] = kind;
    this.contA[r.id] = a;
    this.contB[r.id] = b;
    return r;
  }

  private read(address: number, op: string | undefined, kind: number, a: number, b: number): void {
    const r = this.access(kind, a, b);
    r.kind = 'read';
    r.address = address;
    r.value = 0;
    r.op = op;
    this.sram.publish(r);
  }

  private readonly sramAnswered = (r: SramAccess): void => {
    const kind = this.contKind[r.id]!;
    const a = this.contA[r.id]!;
    const b = this.contB[r.id]!;
    const value = r.value;
    const op = r.op;
    this.sramRequests.release(r);
    if (kind === INPUT) this.multiply(a, b, value, op);
    else if (kind === WEIGHT) this.weightRead(this.slots[a]!, b, value);
    else if (kind === BUFFERED) this.bufferedRead(a, value);
    else this.written(this.slots[a]!);
  };

  /** Input value `i` of `layer`, read as `code`: multiplied by the layer's input gain (1.0 as a b-bit fraction). */
  private multiply(layer: number, i: number, code: number, op: string | undefined): void {
    const r = this.multRequests.acquire();
    if (r.id >= this.multLayer.length) {
      this.multLayer = grown(this.multLayer);
      this.multIndex = grown(this.multIndex);
    }
    this.multLayer[r.id] = layer;
    this.multIndex[r.id] = i;
    r.a = code;
    r.b = this.levels;
    r.op = op;
    this.mult.publish(r);
  }

  private readonly multiplied = (r: MultiplyRequest): void => {
    const layer = this.multLayer[r.id]!;
    const i = this.multIndex[r.id]!;
    this.multRequests.release(r);
    // The product's scale is levels^2 (see driveLevel).
    this.buffers[layer]![i] = driveLevel(r.product, this.levels);
    const g = this.graphs[layer]!;
    const pending = this.pending[layer]!;
    for (let f = g.feedsStart[i]!; f < g.feedsStart[i + 1]!; f++) {
      const out = g.feeds[f]!;
      if (--pending[out]! === 0) this.ready(layer, out);
    }
    this.dispatch();
  };

  private ready(layer: number, out: number): void {
    if (this.readyTail === this.readyLayer.length) {
      this.readyLayer = grown(this.readyLayer);
      this.readyOut = grown(this.readyOut);
    }
    this.readyLayer[this.readyTail] = layer;
    this.readyOut[this.readyTail++] = out;
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
    this.readyHead = 0;
    this.readyTail = 0;
    this.busy = 0;
    this.finished = 0;
    this.wordState.fill(0);
    this.waitHead.fill(-1);
    const first = this.graphs[0]!.plan;
    this.kernel.after(0, () => {
      for (const i of positionMajor(first.input)) this.readInput(0, i);
    }, 0);
  }

  private readInput(layer: number, i: number): void {
    const plan = this.graphs[layer]!.plan;
    this.read(plan.inputBase + i, this.tracing ? `L${plan.ordinal}/in[${i}]` : undefined, INPUT, layer, i);
  }

  private dispatch(): void {
    while (this.busy < this.inFlight && this.readyHead < this.readyTail) {
      const layer = this.readyLayer[this.readyHead]!;
      const out = this.readyOut[this.readyHead++]!;
      this.busy++;
      this.startOutput(layer, out);
    }
  }

  private startOutput(layer: number, out: number): void {
    const plan = this.graphs[layer]!.plan;
    const { output, fanIn } = plan;
    const k = Math.floor(out / (output.h * output.w));
    const slot = this.slots[this.freeSlots.pop()]!;
    slot.layer = layer;
    slot.out = out;
    slot.left = fanIn;
    slot.op = this.tracing ? `L${plan.ordinal}/out[${out}]` : undefined;
    if (this.buffered) {
      this.fromBuffer(slot, plan, k);
      return;
    }
    if (this.tracing) this.note('dispatch', slot.op, { layer: plan.ordinal, output: out, template: k, template_words: fanIn, in_flight: this.busy });
    for (let j = 0; j < fanIn; j++) this.read(plan.weightBase + k * fanIn + j, slot.op, WEIGHT, slot.index, j);
  }

  /** A slot's template from the buffer: held words at once, words in flight when they land, the rest read now. */
  private fromBuffer(slot: OutputSlot, plan: MaapLayerPlan, k: number): void {
    const { fanIn } = plan;
    const weights = slot.weights[slot.layer]!;
    const first = this.wordBase[slot.layer]! + k * fanIn;
    let reads = 0;
    for (let j = 0; j < fanIn; j++) {
      const w = first + j;
      const state = this.wordState[w]!;
      if (state === 2) {
        weights[j] = this.wordCode[w]! * plan.weightScale;
        slot.left--;
        continue;
      }
      const node = slot.index * this.maxFanIn + j;
      this.waitNext[node] = this.waitHead[w]!;
      this.waitHead[w] = node;
      if (state === 0) {
        this.wordState[w] = 1;
        reads++;
        this.read(plan.weightBase + k * fanIn + j, slot.op, BUFFERED, w, slot.layer);
      }
    }
    if (this.tracing) this.note('dispatch', slot.op, { layer: plan.ordinal, output: slot.out, template: k, template_words: reads, in_flight: this.busy });
    if (slot.left === 0) this.measure(slot);
  }

  /** Template word `w` landed in the buffer: every output waiting for it takes it. */
  private bufferedRead(w: number, code: number): void {
    this.wordState[w] = 2;
    this.wordCode[w] = code;
    let node = this.waitHead[w]!;
    this.waitHead[w] = -1;
    while (node !== -1) {
      const next = this.waitNext[node]!;
      const slot = this.slots[Math.floor(node / this.maxFanIn)]!;
      const plan = this.graphs[slot.layer]!.plan;
      slot.weights[slot.layer]![node % this.maxFanIn] = code * plan.weightScale;
      if (--slot.left === 0) this.measure(slot);
      node = next;
    }
  }

  /** Template word `j` of a slot's output is in; with the last, the sets are asked. */
  private weightRead(slot: OutputSlot, j: number, code: number): void {
    slot.weights[slot.layer]![j] = code * this.graphs[slot.layer]!.plan.weightScale;
    if (--slot.left === 0) this.measure(slot);
  }

  /** A slot's template is in its group's OTAs: its patch is gathered and the sets are asked. */
  private measure(slot: OutputSlot): void {
    const layer = slot.layer;
    const plan = this.graphs[layer]!.plan;
    if (this.buffered) {
      this.delivery.words = plan.fanIn;
      this.delivery.op = slot.op;
      this.deliveries.publish(this.delivery);
    }
    // Gather the patch from the input buffer (the OTA input registers).
    const buffer = this.buffers[layer]!;
    const inputs = slot.inputs[layer]!;
    gatherPatch(plan, slot.out, buffer, inputs);
    const k = Math.floor(slot.out / (plan.output.h * plan.output.w));
    const r = slot.request;
    r.op = slot.op ?? '';
    r.rank = this.rankOffsets[layer]! + outputRank(plan, slot.out);
    r.group = groupOf(r.rank, this.groups);
    r.geometry = plan.geometry;
    r.inputs = inputs;
    r.weights = slot.weights[layer]!;
    r.bias = plan.bias[k]!;
    this.maap.publish(r);
  }

  private converted(s: Samples<MaapResult>): void {
    const slot = this.slots[s.meta.id]!;
    const code = storedCode(s.values, this.digitalAveraging);
    const plan = this.graphs[slot.layer]!.plan;
    const r = this.access(WRITE, slot.index, 0);
    r.kind = 'write';
    r.address = plan.outputBase + slot.out;
    r.value = code;
    r.op = slot.op;
    slot.code = code;
    if (this.tracing) slot.sets = s.meta.sets.join(' ');
    this.sram.publish(r);
  }

  /** A slot's output is stored: the slot is free, and the next layer may read the value. */
  private written(slot: OutputSlot): void {
    const plan = this.graphs[slot.layer]!.plan;
    const address = plan.outputBase + slot.out;
    this.performFor(this.outputAction, 1, 0, slot.op, this.tracing ? { layer: plan.ordinal, index: slot.out, address, code: slot.code, sets: slot.sets } : undefined);
    this.busy--;
    const { layer, out } = slot;
    this.freeSlots.push(slot.index);
    if (layer + 1 < this.graphs.length) this.readInput(layer + 1, out);
    else if (++this.finished === plan.output.c * plan.output.h * plan.output.w) this.marks.publish({ time: this.now, image: this.image, phase: this.headed ? 'computed' : 'end' });
    this.dispatch();
  }
}
