import { Matrix } from 'ml-matrix';
import type { Topic } from '../../scheduler/bus.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { ComponentClass } from '../records.js';
import { inputsOf, rowCurrentsOf, rowWritesOf, type LayerVoltages, type RowCurrents, type RowWrite } from './messages.js';
import { ANTIPARALLEL, PARALLEL, resistanceAt, writeEnergy, type SotDeviceParams } from './sot-mram.js';

/**
 * A crossbar of binary synapses (seed 004, Figs. 3-5): columns are inputs, rows are
 * neurons, and each synapse is a pair of SOT-MRAMs, W = +1 with MRAM1 parallel and MRAM2
 * antiparallel, W = -1 the reverse. Reading, each column's input voltage drives a current
 * through both devices of every row, I+ = V G1 and I- = V G2, where each device's
 * conductance depends on its state and on the bias across it (Eq. 2): the row currents are
 * two matrix-vector products. Writing, the driver's current through the heavy metal sets
 * both devices of a row's synapses.
 */
export class SotCrossbar extends Component {
  readonly kind: ComponentClass = 'spintronic';
  /** Synapse weights, rows x columns, +1 or -1 (0 until written). */
  readonly weights: Int8Array;
  private readonly currents: Topic<RowCurrents>;
  private readonly write: ActionSpec;
  private readonly read: ActionSpec;

  constructor(
    ctx: SimContext,
    name: string,
    readonly layer: number,
    readonly rows: number,
    readonly columns: number,
    readonly device: SotDeviceParams,
    /** Time for the row currents to settle after the inputs change. */
    readonly settle: number,
  ) {
    super(ctx, name);
    this.weights = new Int8Array(rows * columns);
    this.write = this.declareEnergy('sot_write', writeEnergy(device), 'switching one SOT-MRAM: I^2 R_HM over the write pulse');
    this.read = this.declarePower('synapse_read', 0, 'current through the synapses while the inputs are applied');
    this.currents = ctx.bus.topic(rowCurrentsOf(layer));
    ctx.bus.topic(rowWritesOf(layer)).listen((w) => this.writeRow(w));
    ctx.bus.topic(inputsOf(layer)).listen((v) => this.readRows(v));
  }

  private writeRow(w: RowWrite): void {
    if (w.weights.length !== this.columns) throw new Error(`${this.name}: row write of ${w.weights.length} weights, it has ${this.columns} columns`);
    this.weights.set(w.weights, w.row * this.columns);
    // Both SOT-MRAMs of every synapse on the row are set (one P, one AP).
    this.perform(this.write, 2 * this.columns, { duration: w.pulse, op: `L${this.layer}/row[${w.row}]` });
  }

  /** Conductances of MRAM1 and MRAM2 of every synapse at these column biases (rows x columns). */
  conductances(voltages: Float64Array): { g1: Matrix; g2: Matrix } {
    const gp = new Float64Array(this.columns);
    const gap = new Float64Array(this.columns);
    for (let c = 0; c < this.columns; c++) {
      gp[c] = 1 / resistanceAt(this.device, PARALLEL, voltages[c]!);
      gap[c] = 1 / resistanceAt(this.device, ANTIPARALLEL, voltages[c]!);
    }
    const g1 = new Matrix(this.rows, this.columns);
    const g2 = new Matrix(this.rows, this.columns);
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.columns; c++) {
        const plus = this.weights[r * this.columns + c]! > 0;
        g1.set(r, c, plus ? gp[c]! : gap[c]!);
        g2.set(r, c, plus ? gap[c]! : gp[c]!);
      }
    }
    return { g1, g2 };
  }

  private readRows(v: LayerVoltages): void {
    if (v.voltages.length !== this.columns) throw new Error(`${this.name}: ${v.voltages.length} input voltages for ${this.columns} columns`);
    const { g1, g2 } = this.conductances(v.voltages);
    const x = Matrix.columnVector(Array.from(v.voltages));
    const plus = Float64Array.from(g1.mmul(x).getColumn(0));
    const minus = Float64Array.from(g2.mmul(x).getColumn(0));
    // Power drawn from the input drivers: sum over columns of V * (currents of all its devices).
    const perColumn = Matrix.add(g1, g2).sum('column');
    let watts = 0;
    for (let c = 0; c < this.columns; c++) watts += v.voltages[c]! * v.voltages[c]! * perColumn[c]!;
    this.powerFor(this.read, Math.max(0, v.until - this.now), { count: this.rows * this.columns, watts, op: `image[${v.image}]`, values: { watts } });
    this.currents.publishAfter(this.settle, { image: v.image, plus, minus });
  }
}
