import type { Topic } from '../../scheduler/bus.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { RandomStream } from '../random.js';
import type { ComponentClass } from '../records.js';
import { inputsOf, rowCurrentsOf, rowWritesOf, type LayerVoltages, type RowCurrents, type RowWrite } from './messages.js';
import { deviceResistance, drawSotMtj, sotSourceOf, tmrBiasFactor, writeEnergy, type SotDeviceParams, type SotSource, type SotVariation } from './sot-mram.js';
import { areaLine, stacked, type AreaLine } from '../area.js';
import { CrossbarKernel } from './crossbar-kernel.js';

/** Binarizes a weight at threshold 0 (seed 004, Eq. 3): +1 puts MRAM1 in P, -1 in AP. */
export const synapseWeight = (w: number): 1 | -1 => (w >= 0 ? 1 : -1);

/**
 * What one synapse of W = +1 adds to its row's I+ - I- at input voltage V, nominal devices:
 * V (G_P(V) - G_AP(V)) (the TMR falls with bias, so this is not quite linear in V).
 */
export const synapseSignal = (p: SotDeviceParams, v: number): number => {
  const src = sotSourceOf(p);
  const m = src.nominal;
  return v * (1 / deviceResistance(src, m.rp, m.tmr0, 1, v) - 1 / deviceResistance(src, m.rp, m.tmr0, -1, v));
};

/** The MTJs of a crossbar as made: two per synapse (MRAM1, MRAM2), index (row * columns + column) * 2 + k. */
export interface CrossbarDevices {
  readonly rows: number;
  readonly columns: number;
  /** Eq. 2 or a measured table, and its count of reads beyond the table. */
  readonly source: SotSource;
  readonly rp: Float64Array;
  readonly tmr0: Float64Array;
}

/** Makes a crossbar's devices, each drawn from `rng` in index order (nominal without variation). */
export function drawCrossbar(p: SotDeviceParams, variation: SotVariation | undefined, rows: number, columns: number, rng: RandomStream): CrossbarDevices {
  const n = rows * columns * 2;
  const rp = new Float64Array(n);
  const tmr0 = new Float64Array(n);
  const source = sotSourceOf(p);
  const nominal = source.nominal;
  for (let i = 0; i < n; i++) {
    const m = variation === undefined ? nominal : drawSotMtj(p, variation, rng);
    rp[i] = m.rp;
    tmr0[i] = m.tmr0;
  }
  return { rows, columns, source, rp, tmr0 };
}

/**
 * The two currents of every row (seed 004, Fig. 5): I+ through the row's MRAM1s and I- through
 * its MRAM2s, I = V_c G(state, V_c) for each column's input voltage, each device with its own
 * RA and TMR0. W = +1 puts MRAM1 in P and MRAM2 in AP, W = -1 the reverse. Fills `plus` and
 * `minus`; returns the power the inputs deliver, sum of V_c^2 (G1 + G2).
 */
export function crossbarCurrents(d: CrossbarDevices, weights: Int8Array, voltages: Float64Array, plus: Float64Array, minus: Float64Array): number {
  const { rows, columns, source, rp, tmr0 } = d;
  let watts = 0;
  for (let r = 0; r < rows; r++) {
    let ip = 0;
    let im = 0;
    for (let c = 0; c < columns; c++) {
      const v = voltages[c]!;
      const i = (r * columns + c) * 2;
      const p1 = weights[r * columns + c]! > 0 ? 1 : -1;
      const g1 = 1 / deviceResistance(source, rp[i]!, tmr0[i]!, p1, v);
      const g2 = 1 / deviceResistance(source, rp[i + 1]!, tmr0[i + 1]!, -p1, v);
      ip += v * g1;
      im += v * g2;
      watts += v * v * (g1 + g2);
    }
    plus[r] = ip;
    minus[r] = im;
  }
  return watts;
}

/**
 * A crossbar's devices in the states its weights set, laid out for reading with Eq. 2 (no
 * measured table): Eq. 1 at cos theta = 1 gives R_P = R_P0 at every bias, at cos theta = -1
 * R_AP = R_P0 (1 + TMR0 b(V)) with b Eq. 2's bias factor, so a synapse keeps its P device's
 * 1 / R_P0, its AP device's 1 / R_P0 and TMR0, and whether MRAM1 (I+) is the P one, as f32 in a
 * WebAssembly kernel (crossbar-kernel.wat) that reads four rows at a time and skips a column at
 * 0 V (most of an MNIST image).
 */
export interface ReadLayout {
  readonly rows: number;
  readonly columns: number;
  readonly v0: number;
  readonly kernel: CrossbarKernel;
}

/** The read layout of devices `d` written with `weights` (rows x columns, +1 / -1; 0, unwritten, reads as -1), or undefined for a measured table. */
export function readLayout(d: CrossbarDevices, weights: Int8Array): ReadLayout | undefined {
  if (d.source.table !== undefined) return undefined;
  const { rows, columns, rp, tmr0 } = d;
  const kernel = new CrossbarKernel(rows, columns);
  const { gP, gAP, tmrAP, sign, paddedRows } = kernel;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const s = r * columns + c;
      const k = c * paddedRows + r;
      const p1 = weights[s]! > 0;
      const pDevice = p1 ? 2 * s : 2 * s + 1;
      const apDevice = p1 ? 2 * s + 1 : 2 * s;
      gP[k] = 1 / rp[pDevice]!;
      gAP[k] = 1 / rp[apDevice]!;
      tmrAP[k] = tmr0[apDevice]!;
      sign[k] = p1 ? 1 : -1;
    }
  }
  return { rows, columns, v0: d.source.v0, kernel };
}

/**
 * crossbarCurrents from a read layout: the same currents, to the f32 rounding of the device
 * parameters (a few parts in 10^8). Fills `plus` and `minus`, returns the power. This runs per
 * synapse per image; it allocates nothing.
 */
export function layoutCurrents(l: ReadLayout, voltages: Float64Array, plus: Float64Array, minus: Float64Array): number {
  const { kernel, v0, rows, columns } = l;
  for (let c = 0; c < columns; c++) {
    const v = voltages[c]!;
    kernel.voltages[c] = v;
    kernel.bias[c] = v === 0 ? 0 : tmrBiasFactor(v0, v);
  }
  const watts = kernel.read();
  const { tot, dif } = kernel;
  for (let r = 0; r < rows; r++) {
    plus[r] = 0.5 * (tot[r]! + dif[r]!);
    minus[r] = 0.5 * (tot[r]! - dif[r]!);
  }
  return watts;
}

/** The row currents and power of devices `d` written with `weights`: through `layout` (their readLayout) where there is one, else device by device. */
export const rowCurrents = (d: CrossbarDevices, weights: Int8Array, layout: ReadLayout | undefined, voltages: Float64Array, plus: Float64Array, minus: Float64Array): number =>
  layout === undefined ? crossbarCurrents(d, weights, voltages, plus, minus) : layoutCurrents(layout, voltages, plus, minus);

/**
 * A crossbar of binary synapses (seed 004, Figs. 3-5): columns are inputs, rows are
 * neurons, and each synapse is a pair of SOT-MRAMs, W = +1 with MRAM1 parallel and MRAM2
 * antiparallel, W = -1 the reverse. Reading, each column's input voltage drives a current
 * through both devices of every row, whose conductance depends on its state and on the bias
 * across it (Eq. 2). Writing, the driver's current through the heavy metal sets both devices
 * of a row's synapses. Its devices are drawn once, from its own stream (process variation).
 */
export class SotCrossbar extends Component {
  readonly kind: ComponentClass = 'spintronic';
  /** Synapse weights, rows x columns, +1 or -1 (0 until written). */
  readonly weights: Int8Array;
  readonly devices: CrossbarDevices;
  private readonly currents: Topic<RowCurrents>;
  private readonly write: ActionSpec;
  private readonly read: ActionSpec;
  /** The devices laid out for reading as the weights stand (undefined after a write, or for a measured table). */
  private layout: ReadLayout | undefined;

  constructor(
    ctx: SimContext,
    name: string,
    readonly layer: number,
    readonly rows: number,
    readonly columns: number,
    readonly device: SotDeviceParams,
    variation: SotVariation | undefined,
    /** Time for the row currents to settle after the inputs change. */
    readonly settle: number,
  ) {
    super(ctx, name);
    this.weights = new Int8Array(rows * columns);
    this.devices = drawCrossbar(device, variation, rows, columns, this.rng);
    this.write = this.declareEnergy('sot_write', writeEnergy(device), 'switching one SOT-MRAM: I^2 R_HM over the write pulse');
    this.read = this.declarePower('synapse_read', 0, 'current through the synapses while the inputs are applied');
    this.currents = ctx.bus.topic(rowCurrentsOf(layer));
    ctx.bus.topic(rowWritesOf(layer)).listen((w) => this.writeRow(w));
    ctx.bus.topic(inputsOf(layer)).listen((v) => this.readRows(v));
  }

  private writeRow(w: RowWrite): void {
    if (w.weights.length !== this.columns) throw new Error(`${this.name}: row write of ${w.weights.length} weights, it has ${this.columns} columns`);
    this.weights.set(w.weights, w.row * this.columns);
    this.layout = undefined;
    // Both SOT-MRAMs of every synapse on the row are set (one P, one AP).
    this.perform(this.write, 2 * this.columns, { duration: w.pulse, op: `L${this.layer}/row[${w.row}]` });
  }

  private readRows(v: LayerVoltages): void {
    if (v.voltages.length !== this.columns) throw new Error(`${this.name}: ${v.voltages.length} input voltages for ${this.columns} columns`);
    const plus = new Float64Array(this.rows);
    const minus = new Float64Array(this.rows);
    if (this.layout === undefined && this.devices.source.table === undefined) this.layout = readLayout(this.devices, this.weights);
    const watts = rowCurrents(this.devices, this.weights, this.layout, v.voltages, plus, minus);
    this.powerFor(this.read, Math.max(0, v.until - this.now), { count: this.rows * this.columns, watts, op: `image[${v.image}]`, values: { watts } });
    this.currents.publishAfter(this.settle, { image: v.image, plus, minus });
  }
}

/**
 * Transistors under each SOT-MRAM: a write access transistor on WWL and a read one on RWL
 * (Table II drives the two word lines apart, so each device has both).
 */
export const ACCESS_TRANSISTORS_PER_DEVICE = 2;

/**
 * A crossbar's area: two SOT-MRAMs per synapse, each fabricated over its access transistors
 * (seed 004: no area overhead), so a device takes the larger of its transistors' footprint
 * and its heavy metal's (the MTJ sits on the heavy metal).
 */
export function crossbarArea(name: string, rows: number, columns: number, p: SotDeviceParams, transistor: number): AreaLine {
  const transistors = ACCESS_TRANSISTORS_PER_DEVICE * transistor;
  const heavyMetal = p.hm_length * p.hm_width;
  const device = stacked(transistors, heavyMetal);
  const over = device === transistors ? 'the heavy metal and MTJ stacked over them' : 'the heavy metal larger than the transistors under it';
  return areaLine(name, 'spintronic', rows * columns, 2 * device, `2 SOT-MRAMs per synapse, each ${ACCESS_TRANSISTORS_PER_DEVICE} access transistors with ${over}`);
}
