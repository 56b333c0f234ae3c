import { NORMAL_QUANTILES } from '../random.js';
import { WASM_BASE64 } from './set-kernel-wasm.js';

/** set-kernel.wat, compiled once per process (each kernel is an instance of it with its own memory). */
let compiled: WebAssembly.Module | undefined;
const kernelModule = (): WebAssembly.Module => (compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64')));

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly lanes: (o: number, rp: number, i0: number, i1: number, keys: number, values: number, sums: number, p0: number, p1: number, base: number, sigma: number, quant: number, noise: number, draw: number, quiet: number) => void;
  readonly outputs: (n: number, count: number, rp: number, blockBytes: number, keys: number, values: number, sums: number, blocks: number, bases: number, sigma: number, quant: number, noise: number, r: number, out: number, digital: number, quiet: number) => void;
}

/** Outputs per batch (SetKernel.batch): a layer is measured in calls of this many. */
export const BATCH = 256;

/** A batch of outputs for SetKernel.measureBatch, in the kernel's memory. */
export interface KernelBatch {
  /** Output j's pair inputs at j * count. */
  readonly sums: Float64Array;
  /** Output j's block (its group) and the number of its first draw. */
  readonly blocks: Int32Array;
  readonly bases: Float64Array;
  /** The measurements: output j's mean at j (analog), or its lanes' at j * lanes (digital). */
  readonly out: Float64Array;
}

/** Numbers per pair in a set's packed coefficients (set-response.ts packPair). */
export const PACKED = 12;

/** The packed coefficients that say below which input a pair is quiet: for counter-based draws, and for a sequential stream's. */
const QUIET_DRAWS = 10;
const QUIET_STREAM = 1;

/** Lanes of a SIMD step (two f64 vectors). */
const QUAD = 4;

/**
 * The packed pairs of `sets` MAAP sets in one WebAssembly instance (set-kernel.wat): blocks of
 * `lanes` consecutive sets (a group of the array: they read the same pair inputs), each set a
 * SIMD lane, blocks padded to a multiple of four lanes with sets that are always quiet at 0.
 * `sums` takes a measurement's pair inputs; `values` gives a group's measurements. The normal
 * quantiles are copied in only for a kernel that draws thermal noise.
 */
export class SetKernel {
  /** Lanes per block: `lanes` rounded up to four. */
  readonly rp: number;
  readonly sums: Float64Array;
  readonly values: Float64Array;
  private readonly f64: Float64Array;
  /** Each lane's counter key for the image in progress: slot s's at keyIndex(s). */
  readonly keys: Int32Array;
  private readonly noise: Float64Array;
  /** Where measureBatch takes its outputs' inputs and leaves their measurements. */
  readonly batch: KernelBatch;
  private readonly run: KernelExports['lanes'];
  private readonly runBatch: KernelExports['outputs'];
  private readonly blockBytes: number;
  private readonly at: { readonly keys: number; readonly values: number; readonly noise: number; readonly sums: number; readonly quant: number };

  constructor(readonly sets: number, readonly pairs: number, readonly lanes: number, noisy: boolean) {
    this.rp = Math.ceil(lanes / QUAD) * QUAD;
    const blocks = Math.ceil(sets / lanes);
    this.blockBytes = pairs * PACKED * this.rp * 8;
    const keys = blocks * this.blockBytes;
    const values = keys + 4 * blocks * this.rp;
    const noise = values + 8 * this.rp;
    const sums = noise + 16 * this.rp;
    const batchSums = sums + 8 * pairs;
    const batchBases = batchSums + 8 * BATCH * pairs;
    const batchOut = batchBases + 8 * BATCH;
    const batchBlocks = batchOut + 8 * BATCH * this.rp;
    const quant = batchBlocks + 4 * BATCH;
    const half = NORMAL_QUANTILES.length / 2;
    const bytes = quant + (noisy ? 8 * half : 0);
    const exports = new WebAssembly.Instance(kernelModule()).exports as unknown as KernelExports;
    const pages = Math.ceil(bytes / 65536);
    const have = exports.memory.buffer.byteLength / 65536;
    if (pages > have) exports.memory.grow(pages - have);
    const buffer = exports.memory.buffer;
    this.f64 = new Float64Array(buffer, 0, keys / 8);
    // Every lane quiet at 0 until a set is stored in it (the padding stays so).
    for (let b = 0; b < blocks; b++)
      for (let p = 0; p < pairs; p++)
        for (let i = 0; i < this.rp; i++) for (const k of [QUIET_STREAM, QUIET_DRAWS]) this.f64[this.index(b, p, k, i)] = Infinity;
    this.keys = new Int32Array(buffer, keys, blocks * this.rp);
    this.values = new Float64Array(buffer, values, this.rp);
    this.noise = new Float64Array(buffer, noise, 2 * this.rp);
    this.sums = new Float64Array(buffer, sums, pairs);
    // The upper half of the table: the kernel reads the lower half as its negation (the same bits).
    if (noisy) new Float64Array(buffer, quant, half).set(NORMAL_QUANTILES.subarray(half));
    this.batch = { sums: new Float64Array(buffer, batchSums, BATCH * pairs), blocks: new Int32Array(buffer, batchBlocks, BATCH), bases: new Float64Array(buffer, batchBases, BATCH), out: new Float64Array(buffer, batchOut, BATCH * this.rp) };
    this.at = { keys, values, noise, sums, quant: noisy ? quant : -1 };
    this.run = exports.lanes;
    this.runBatch = exports.outputs;
  }

  /** Where coefficient k of pair p of lane i of block b is (an index of f64): per pair, quads of PACKED x 4 (set-kernel.wat). */
  private index(b: number, p: number, k: number, i: number): number {
    return b * (this.blockBytes / 8) + ((p * (this.rp / QUAD) + Math.floor(i / QUAD)) * PACKED + k) * QUAD + (i % QUAD);
  }

  /** Set `slot` takes the packed pairs `packed` (PACKED numbers per pair). */
  store(slot: number, packed: Float64Array): void {
    const b = Math.floor(slot / this.lanes);
    const i = slot % this.lanes;
    for (let p = 0; p < this.pairs; p++) for (let k = 0; k < PACKED; k++) this.f64[this.index(b, p, k, i)] = packed[p * PACKED + k]!;
  }

  /** A measurement's pair inputs, sums[0..count), into the kernel (a copy without allocation). */
  loadSums(sums: Float64Array, count: number): void {
    const into = this.sums;
    if (sums !== into) for (let p = 0; p < count; p++) into[p] = sums[p]!;
  }

  /** Where set `slot`'s counter key is in `keys` (a group's are consecutive). */
  keyIndex(slot: number): number {
    return Math.floor(slot / this.lanes) * this.rp + (slot % this.lanes);
  }

  /** Group `block`'s sets (lanes) read sums[0..count) with their counter-based noise: into values[0..lanes). */
  group(block: number, count: number, base: number, sigma: number): void {
    this.run(block * this.blockBytes, this.rp, 0, this.rp, this.at.keys + 4 * block * this.rp, this.at.values, this.at.sums, 0, count, base, sigma, this.quant(), this.at.noise, 1, QUIET_DRAWS);
  }

  /**
   * Outputs [0, n) of `batch` (n <= BATCH), each read by the `lanes` sets of its block with
   * their counter-based noise, as group() reads one: their mean, or each set's (digital).
   */
  measureBatch(n: number, count: number, sigma: number, digital: boolean): void {
    const b = this.batch;
    this.runBatch(n, count, this.rp, this.blockBytes, this.at.keys, this.at.values, b.sums.byteOffset, b.blocks.byteOffset, b.bases.byteOffset, sigma, this.quant(), this.at.noise, this.lanes, b.out.byteOffset, digital ? 1 : 0, QUIET_DRAWS);
  }

  /** Set `slot` reads sums[0..count) with counter-based noise (its key set by setKey). */
  counted(slot: number, count: number, base: number, sigma: number): number {
    const b = Math.floor(slot / this.lanes);
    const i = slot % this.lanes;
    const quad = i - (i % QUAD);
    this.run(b * this.blockBytes, this.rp, quad, quad + QUAD, this.at.keys + 4 * b * this.rp, this.at.values, this.at.sums, 0, count, base, sigma, this.quant(), this.at.noise, 1, QUIET_DRAWS);
    return this.values[i]!;
  }

  /**
   * Set `slot` reads sums[p0..p1) with noise n1, n2 on every pair's magnets (0 for none), at
   * least 0: a pair below its quiet input for the counter-based draws reads its floor, or, with
   * `stream`, below its quiet input for a sequential stream's draws.
   */
  given(slot: number, p0: number, p1: number, n1: number, n2: number, stream: boolean): number {
    const b = Math.floor(slot / this.lanes);
    const i = slot % this.lanes;
    const quad = i - (i % QUAD);
    this.noise[2 * quad + (i % QUAD)] = n1;
    this.noise[2 * quad + QUAD + (i % QUAD)] = n2;
    this.run(b * this.blockBytes, this.rp, quad, quad + QUAD, this.at.keys + 4 * b * this.rp, this.at.values, this.at.sums, p0, p1, 0, 1, 0, this.at.noise, 0, stream ? QUIET_STREAM : QUIET_DRAWS);
    return this.values[i]!;
  }

  private quant(): number {
    if (this.at.quant < 0) throw new Error('this set kernel was made without thermal noise');
    return this.at.quant;
  }
}
