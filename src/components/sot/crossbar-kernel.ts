import { WASM_BASE64 } from './crossbar-kernel-wasm.js';

/** crossbar-kernel.wat, compiled once per process (each kernel is an instance of it with its own memory). */
let compiled: WebAssembly.Module | undefined;
const kernelModule = (): WebAssembly.Module => (compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64')));

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly currents: (rows: number, columns: number, gp: number, ga: number, tm: number, sg: number, vs: number, bs: number, tot: number, dif: number) => number;
}

/** Rows to a SIMD step of the kernel (four f32 lanes). */
const LANES = 4;

/**
 * One crossbar's read in WebAssembly (crossbar-kernel.wat): its synapses' device parameters
 * held in the instance's memory as f32, by column, rows padded to four with synapses that pass
 * no current. `gP`, `gAP`, `tmrAP` and `sign` are views of that memory to fill, index
 * column * paddedRows + row; `voltages` and `bias` the per-read inputs; `tot` and `dif` what a
 * read leaves (I+ + I- and I+ - I- per row).
 */
export class CrossbarKernel {
  readonly paddedRows: number;
  readonly gP: Float32Array;
  readonly gAP: Float32Array;
  readonly tmrAP: Float32Array;
  readonly sign: Float32Array;
  readonly voltages: Float64Array;
  readonly bias: Float64Array;
  readonly tot: Float64Array;
  readonly dif: Float64Array;
  private readonly run: KernelExports['currents'];
  private readonly at: readonly number[];

  constructor(readonly rows: number, readonly columns: number) {
    this.paddedRows = Math.ceil(rows / LANES) * LANES;
    const n = this.paddedRows * columns;
    // Byte offsets: four f32 arrays of n, two f64 of columns, two f64 of padded rows (all 16-byte aligned).
    const at = [0, 4 * n, 8 * n, 12 * n, 16 * n, 16 * n + 8 * columns, 16 * n + 16 * columns, 16 * n + 16 * columns + 8 * this.paddedRows];
    const bytes = 16 * n + 16 * columns + 16 * this.paddedRows;
    const instance = new WebAssembly.Instance(kernelModule());
    const exports = instance.exports as unknown as KernelExports;
    const pages = Math.ceil(bytes / 65536);
    const have = exports.memory.buffer.byteLength / 65536;
    if (pages > have) exports.memory.grow(pages - have);
    const buffer = exports.memory.buffer;
    this.gP = new Float32Array(buffer, at[0], n);
    this.gAP = new Float32Array(buffer, at[1], n);
    this.tmrAP = new Float32Array(buffer, at[2], n);
    this.sign = new Float32Array(buffer, at[3], n);
    this.voltages = new Float64Array(buffer, at[4], columns);
    this.bias = new Float64Array(buffer, at[5], columns);
    this.tot = new Float64Array(buffer, at[6], this.paddedRows);
    this.dif = new Float64Array(buffer, at[7], this.paddedRows);
    this.run = exports.currents;
    this.at = at;
  }

  /** Reads with the voltages and bias factors set: fills tot and dif, returns the power, sum of V^2 (G_P + G_AP). */
  read(): number {
    const a = this.at;
    return this.run(this.paddedRows, this.columns, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!);
  }
}
