import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import type { Ps } from '../../scheduler/time.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { ComponentClass } from '../records.js';
import type { RandomStream } from '../random.js';
import { SerialCell, drawMtj, mtjTableParams } from './serial-mtj.js';
import { mtjRvTable, type MtjRvTable } from './rv-table.js';
import { areaLine, stacked, type AreaLine } from '../area.js';

export const multiLevelCellParams = z
  .strictObject({
  /** MTJs in series per cell: N + 1 levels (seed 002: 7 MTJs, 8 levels). */
  mtjs: wholeNumber(1, 32),
  table: mtjTableParams,
  /**
   * The MTJs' R(V) in P and AP measured (rv-table.ts), path relative to the scenario file: it
   * replaces the four lines (a1, b1, a0, b0 then only give each MTJ's spread); the critical
   * currents stay table's cN and cP.
   */
  mtj: z.strictObject({ table: z.string().min(1) }).optional(),
  /** Bias at which a cell is read (well below any critical current). */
  read_voltage: quantity('voltage', { positive: true }),
  /** The programming circuit: pulses of rising amplitude, each followed by a verifying read. */
  program: z.strictObject({
    write_pulse: quantity('time', { min: 1 }),
    read_pulse: quantity('time', { min: 1 }),
    start_voltage: quantity('voltage', { positive: true }),
    /** At least 5 mV: finer than that buys nothing against the ~0.15 V between write voltages, and costs pulses. */
    step: quantity('voltage', { min: 0.005 }),
    /** The I/O supply: no pulse may exceed it (seed 002: 3.3 V transistors). */
    max_voltage: quantity('voltage', { positive: true }),
    /** Negative pulse that returns every MTJ to low before programming. */
    erase_voltage: quantity('voltage'),
    /** On-resistance of the high-voltage switch in series with a cell while it is programmed. */
    switch_resistance: quantity('resistance', { min: 0 }),
  }),
  })
  .superRefine((p, ctx) => {
    const g = p.program;
    if (!(g.erase_voltage < 0)) ctx.addIssue({ code: 'custom', path: ['program', 'erase_voltage'], message: `the erase pulse must be negative (it drives every high MTJ past its negative critical current), got ${g.erase_voltage} V` });
    if (g.start_voltage > g.max_voltage) ctx.addIssue({ code: 'custom', path: ['program', 'max_voltage'], message: `the largest pulse (${g.max_voltage} V) is below the first one (start_voltage, ${g.start_voltage} V): no cell could be programmed` });
  });

export type MultiLevelCellParams = z.output<typeof multiLevelCellParams>;

/** Draws a layer's cells, `count` of them, every MTJ of each from `rng` in order (Table I's distributions). */
export function drawCells(count: number, params: MultiLevelCellParams, rng: RandomStream): SerialCell[] {
  const cells: SerialCell[] = [];
  const rv = rvTableOf(params);
  for (let i = 0; i < count; i++) cells.push(new SerialCell(Array.from({ length: params.mtjs }, () => drawMtj(params.table, rng, rv))));
  return cells;
}

/** The measured R(V) table the cells read, if the scenario names one. */
export const rvTableOf = (params: Pick<MultiLevelCellParams, 'mtj'>): MtjRvTable | undefined => (params.mtj === undefined ? undefined : mtjRvTable(params.mtj.table));

/** What programming one cell took, and whether it reached its level. */
export interface Programmed {
  readonly pulses: number;
  readonly writeEnergy: number;
  readonly readEnergy: number;
  readonly eraseEnergy: number;
  readonly reached: boolean;
}

/**
 * Programs one cell to `level` (seed 002, Sec. II-B): an erase pulse, then pulses of rising
 * amplitude, each followed by a verifying read; after an overshoot, erase and bisect between
 * the highest amplitude that fell short and the lowest that went past. A cell the supply
 * cannot bring to its level keeps whatever level it reached (reached: false).
 */
export function programCell(cell: SerialCell, level: number, params: MultiLevelCellParams): Programmed {
  const p = params.program;
  const t = p.write_pulse * 1e-12;
  const tr = p.read_pulse * 1e-12;
  const series = p.switch_resistance;
  const eraseCurrent = cell.current(p.erase_voltage, series);
  const eraseEnergy = Math.abs(p.erase_voltage * eraseCurrent) * t;
  cell.apply(p.erase_voltage, series);
  // A cell the erase pulse cannot clear keeps what it holds (a failure, counted by the caller).
  if (cell.level !== 0) return { pulses: 0, writeEnergy: 0, readEnergy: 0, eraseEnergy, reached: false };
  let pulses = 0;
  let writeEnergy = 0;
  let readEnergy = 0;
  let below = 0;
  let above = Infinity;
  let v = p.start_voltage;
  while (cell.level !== level) {
    if (v > p.max_voltage || above - below < 1e-3) return { pulses, writeEnergy, readEnergy, eraseEnergy, reached: false };
    writeEnergy += v * cell.current(v, series) * t;
    cell.apply(v, series);
    pulses++;
    readEnergy += params.read_voltage * cell.current(params.read_voltage) * tr;
    if (cell.level < level) {
      below = v;
      v = Math.min(v + p.step, (below + above) / 2);
    } else if (cell.level > level) {
      above = v;
      cell.apply(p.erase_voltage, series);
      v = (below + above) / 2;
    }
  }
  return { pulses, writeEnergy, readEnergy, eraseEnergy, reached: true };
}

/**
 * Each row's summed cell currents at the inputs' voltages (seed 002, Fig. 3a): I+ through its
 * positive cells, I- through its negative ones (cells (row * columns + column) * 2 + 0 or 1),
 * each cell's current from its own I(V). Fills `plus`, `minus`; returns the power the inputs deliver.
 */
export function synapseCurrents(cells: readonly SerialCell[], rows: number, columns: number, inputs: Float64Array, plus: Float64Array, minus: Float64Array): number {
  let watts = 0;
  for (let r = 0; r < rows; r++) {
    let ip = 0;
    let im = 0;
    for (let c = 0; c < columns; c++) {
      const x = inputs[c]!;
      const i = (r * columns + c) * 2;
      const a = cells[i]!.current(x);
      const b = cells[i + 1]!.current(x);
      ip += a;
      im += b;
      watts += x * (a + b);
    }
    plus[r] = ip;
    minus[r] = im;
  }
  return watts;
}

/** Voltages on a layer's inputs for one inference, applied until `until`. */
export interface MtjLayerInputs {
  readonly image: number;
  readonly voltages: Float64Array;
  readonly until: Ps;
}

/** The summed currents of each row's positive and negative cells. */
export interface MtjRowCurrents {
  readonly image: number;
  readonly plus: Float64Array;
  readonly minus: Float64Array;
}

export const mtjInputsOf = (layer: number) => topicKey<MtjLayerInputs>(`mtj/layer[${layer}]/inputs`);
export const mtjCurrentsOf = (layer: number) => topicKey<MtjRowCurrents>(`mtj/layer[${layer}]/currents`);
export const mtjProgramOf = (layer: number) => topicKey<{ readonly levels: Int16Array }>(`mtj/layer[${layer}]/program`);
export const mtjProgrammedOf = (layer: number) => topicKey<{ readonly layer: number }>(`mtj/layer[${layer}]/programmed`);

/**
 * A layer's synapses (seed 002, Fig. 3a): for every neuron (row) and input (column), a pair
 * of multi-level cells, G_P and G_N, so the weight is G_P - G_N. Every MTJ of every cell
 * draws its four-line model from Table I's distributions, from this block's stream.
 *
 * Programming (the array's own 3.3 V circuit): a row at a time, each cell is erased by a
 * negative pulse, then given pulses of rising amplitude, each followed by a read, until it
 * reads at its target level. Inference: every cell carries I = I(V_in) at its input's
 * voltage into the row's summing amplifiers.
 */
export class MultiLevelSynapses extends Component {
  readonly kind: ComponentClass = 'spintronic';
  /** Cells, two per synapse: index (row * columns + column) * 2 + (0 for P, 1 for N). */
  readonly cells: SerialCell[];
  private readonly currents: Topic<MtjRowCurrents>;
  private readonly programmed: Topic<{ readonly layer: number }>;
  private readonly erase: ActionSpec;
  private readonly write: ActionSpec;
  private readonly verify: ActionSpec;
  private readonly read: ActionSpec;
  /** Pulses each cell took to reach its level in the last programming (for the report). */
  readonly pulses: number[] = [];

  constructor(
    ctx: SimContext,
    name: string,
    readonly layer: number,
    readonly rows: number,
    readonly columns: number,
    readonly params: MultiLevelCellParams,
    /** Input voltage of the bias column. */
    readonly biasVoltage: number,
  ) {
    super(ctx, name);
    this.cells = drawCells(rows * columns * 2, params, this.rng);
    this.erase = this.declareEnergy('erase_pulse', 0, 'a negative pulse returning a cell to its lowest level');
    this.write = this.declareEnergy('write_pulse', 0, 'one programming pulse: V x I over the pulse');
    this.verify = this.declareEnergy('verify_read', 0, 'one verifying read at the read bias');
    this.read = this.declarePower('synapse_read', 0, 'current through the cells while the inputs are applied');
    this.currents = ctx.bus.topic(mtjCurrentsOf(layer));
    this.programmed = ctx.bus.topic(mtjProgrammedOf(layer));
    ctx.bus.topic(mtjProgramOf(layer)).listen((p) => this.programRow(p.levels, 0));
    ctx.bus.topic(mtjInputsOf(layer)).listen((v) => this.infer(v));
  }

  /** Cells that the supply could not bring to their level (they keep the highest level reached). */
  failed = 0;

  /** Programs row `row` (its cells in parallel, one circuit per column), then the next. */
  private programRow(levels: Int16Array, row: number): void {
    if (row === this.rows) {
      this.programmed.publish({ layer: this.layer });
      return;
    }
    let longest = 0;
    let pulses = 0;
    let write = 0;
    let read = 0;
    let erase = 0;
    for (let c = 0; c < this.columns * 2; c++) {
      const i = row * this.columns * 2 + c;
      const r = programCell(this.cells[i]!, levels[i]!, this.params);
      this.pulses[i] = r.pulses;
      if (!r.reached) this.failed++;
      longest = Math.max(longest, r.pulses);
      pulses += r.pulses;
      write += r.writeEnergy;
      read += r.readEnergy;
      erase += r.eraseEnergy;
    }
    const p = this.params.program;
    const duration = p.write_pulse + longest * (p.write_pulse + p.read_pulse);
    const op = `L${this.layer}/row[${row}]`;
    this.performCosting(this.erase, this.columns * 2, erase, { duration: p.write_pulse, op });
    this.performCosting(this.write, pulses, write, { duration, op });
    this.performCosting(this.verify, pulses, read, { duration, op });
    this.kernel.after(duration, (next: number) => this.programRow(levels, next), row + 1);
  }

  private infer(v: MtjLayerInputs): void {
    const inputs = new Float64Array(this.columns);
    inputs.set(v.voltages.subarray(0, this.columns - 1));
    inputs[this.columns - 1] = this.biasVoltage;
    const plus = new Float64Array(this.rows);
    const minus = new Float64Array(this.rows);
    const watts = synapseCurrents(this.cells, this.rows, this.columns, inputs, plus, minus);
    this.powerFor(this.read, Math.max(0, v.until - this.now), { count: this.rows * this.columns * 2, watts, op: `image[${v.image}]`, values: { watts } });
    this.currents.publish({ image: v.image, plus, minus });
  }
}

/**
 * A layer's synapses: two multi-cells per synapse (M_P, M_N, seed 002 Fig. 3), each its N
 * series MTJs fabricated over its select transistors, so the larger of the two footprints.
 */
export function synapseArea(name: string, rows: number, columns: number, mtjs: number, mtjFootprint: number, selectTransistors: number, transistor: number): AreaLine {
  const cell = stacked(selectTransistors * transistor, mtjs * mtjFootprint);
  return areaLine(name, 'spintronic', rows * columns, 2 * cell, `2 cells per synapse, each ${mtjs} MTJs over ${selectTransistors} select transistor${selectTransistors === 1 ? '' : 's'}`);
}
