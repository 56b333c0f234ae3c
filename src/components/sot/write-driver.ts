import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import { ClockDomain } from '../../scheduler/clock.js';
import type { Ps } from '../../scheduler/time.js';
import { quantity } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { IMAGES, INFERENCE, SETUP, type ComponentClass, type ImageMark, type InferenceWindow, type SignalRecord } from '../records.js';
import { inputsOf, outputsOf, rowWritesOf, type LayerVoltages, type RowWrite } from './messages.js';
import { heavyMetalResistance, type SotDeviceParams } from './sot-mram.js';
import { areaLine, type AreaLine } from '../area.js';

export const writeDriverParams = z.strictObject({
  /** The clock: one row is written per cycle, and inference takes one cycle (seed 004 Sec. III). */
  clock_period: quantity('time', { min: 1 }),
  /** IN voltage of a full-scale input (a white pixel). */
  input_full_scale: quantity('voltage', { min: 0 }),
  /** Capacitance of one WWL/RWL/BL/SL/IN line, charged at each level change. */
  line_capacitance: quantity('capacitance', { min: 0 }),
});

export type WriteDriverParams = z.output<typeof writeDriverParams>;

/** Weights to write: per layer, per row, one +1/-1 per column (the last column is the bias). */
export interface ProgramCommand {
  readonly layers: readonly (readonly Int8Array[])[];
}

export interface InferCommand {
  readonly image: number;
  /** Input values in [0, 1] (pixels), one per input column. */
  readonly inputs: Float64Array;
}

export const PROGRAM = topicKey<ProgramCommand>('driver/program');
export const INFER = topicKey<InferCommand>('driver/infer');

/** A line level: a voltage, or high impedance. */
type Level = number | 'z';

/**
 * The write driver of seed 004's perceptron arrays, executing Table II on a clock. Writing
 * (training path), one row per cycle: that row's WWL at VDD and every other WWL at GND, RWL
 * at GND, each column's BL/SL at VDD/GND for W = +1 or GND/VDD for W = -1, IN at Hi-Z; the
 * neuron column's BL/SL at VDD/VSS. Inferring (one cycle): WWL at GND, RWL at VDD, BL/SL at
 * Hi-Z and IN at the input voltage, for every layer at once, the inputs of a hidden layer
 * being the previous layer's neuron outputs. Every level change is published, with its
 * time, on the bus.
 */
export class WriteDriver extends Component {
  readonly kind: ComponentClass = 'driver';
  readonly clock: ClockDomain;
  private readonly levels = new Map<string, Level>();
  private readonly lineCharge: ActionSpec;
  private readonly writeDrive: ActionSpec;
  private readonly writes: Topic<RowWrite>[];
  private readonly inputs: Topic<LayerVoltages>[];
  private readonly inference: Topic<InferenceWindow>;
  private readonly marks: Topic<ImageMark>;
  private cycleEnd: Ps = 0;
  private image = 0;
  /** Clock cycles the last program took. */
  programCycles = 0;
  /** The last layer's outputs of the most recent inference. */
  lastOutputs: Float64Array = new Float64Array(0);

  constructor(
    ctx: SimContext,
    name: string,
    readonly params: WriteDriverParams,
    /** Per layer: rows (neurons) and columns (inputs + 1 bias). */
    readonly shapes: readonly { readonly rows: number; readonly columns: number }[],
    /** Per layer: the IN voltage of its bias column (binary biases ride on a constant input). */
    readonly biasVoltages: readonly number[],
    readonly vdd: number,
    readonly device: SotDeviceParams,
  ) {
    super(ctx, name);
    if (device.write_pulse > params.clock_period) {
      throw new RangeError(`${name}: the write pulse (${device.write_pulse} ps) is longer than a clock cycle (${params.clock_period} ps)`);
    }
    this.clock = new ClockDomain(ctx.kernel, `${name}/clk`, params.clock_period);
    this.lineCharge = this.declareEnergy('line_charge', params.line_capacitance * vdd * vdd, 'charging one control line across VDD');
    // The supply delivers VDD * I for the pulse; what the heavy metal does not dissipate, the driver does.
    const supply = vdd * device.write_current * device.write_pulse * 1e-12;
    const inMetal = device.write_current ** 2 * heavyMetalResistance(device) * device.write_pulse * 1e-12;
    if (inMetal > supply) throw new RangeError(`${name}: VDD ${vdd} V cannot push ${device.write_current} A through the heavy metal (${heavyMetalResistance(device).toFixed(0)} Ohm)`);
    this.writeDrive = this.declareEnergy('write_drive', supply - inMetal, 'the write current through the driver transistors, per SOT-MRAM written');
    this.writes = shapes.map((_, l) => ctx.bus.topic(rowWritesOf(l)));
    this.inputs = shapes.map((_, l) => ctx.bus.topic(inputsOf(l)));
    this.inference = ctx.bus.topic(INFERENCE);
    this.marks = ctx.bus.topic(IMAGES);
    ctx.bus.topic(PROGRAM).listen((p) => this.program(p));
    ctx.bus.topic(INFER).listen((c) => this.infer(c));
    // A hidden layer's IN lines carry the previous layer's neuron outputs.
    shapes.forEach((_, l) => {
      if (l > 0) ctx.bus.topic(outputsOf(l - 1)).listen((o) => this.drive(l, o.voltages, o.image));
    });
    ctx.bus.topic(outputsOf(shapes.length - 1)).listen((o) => {
      if (this.now > this.cycleEnd) throw new Error(`${name}: the network settled after the clock edge; lengthen clock_period`);
      this.lastOutputs = o.voltages;
    });
  }

  /** Sets a line, publishing the change and charging the line when it is driven to a new voltage. */
  private set(line: string, level: Level, op?: string): void {
    const known = this.levels.get(line);
    if (known === level) return;
    // A line's first level is always published, so waveforms start defined.
    const before = known ?? 'z';
    this.levels.set(line, level);
    if (level !== 'z') {
      const from = before === 'z' ? 0 : before;
      const swing = Math.abs(level - from) / this.vdd;
      if (swing > 0) this.performCosting(this.lineCharge, 1, this.lineCharge.energy! * swing * swing, { ...(op === undefined ? {} : { op }), ...(this.tracing ? { values: { line, level } } : {}) });
    }
    this.signal(line, level as SignalRecord['value'], op);
  }

  private program(p: ProgramCommand): void {
    const rows: { layer: number; row: number; weights: Int8Array }[] = [];
    p.layers.forEach((layer, l) => layer.forEach((weights, row) => rows.push({ layer: l, row, weights })));
    // Word lines idle at GND (Table II: every row but the one being written); the rest float.
    this.shapes.forEach((s, l) => {
      this.set(`L${l}/RWL`, 0);
      for (let r = 0; r < s.rows; r++) this.set(`L${l}/WWL[${r}]`, 0);
    });
    this.programCycles = rows.length;
    // One row per cycle, then one more edge to take the last row's WWL down.
    const first = this.clock.cycleAt(this.clock.nextEdge());
    this.clock.onEdges(rows.length + 1, (cycle) => {
      const i = cycle - first;
      const previous = rows[i - 1];
      if (previous !== undefined) this.set(`L${previous.layer}/WWL[${previous.row}]`, 0);
      const current = rows[i];
      if (current === undefined) {
        this.marks.publish({ time: this.now, image: SETUP, phase: 'end' });
        return;
      }
      const { layer, row, weights } = current;
      const op = `L${layer}/row[${row}]`;
      this.set(`L${layer}/RWL`, 0, op);
      this.set(`L${layer}/WWL[${row}]`, this.vdd, op);
      for (let c = 0; c < weights.length; c++) {
        const plus = weights[c]! > 0;
        this.set(`L${layer}/BL[${c}]`, plus ? this.vdd : 0, op);
        this.set(`L${layer}/SL[${c}]`, plus ? 0 : this.vdd, op);
        this.set(`L${layer}/IN[${c}]`, 'z', op);
      }
      this.set(`L${layer}/nBL`, this.vdd, op);
      this.set(`L${layer}/nSL`, 0, op);
      this.perform(this.writeDrive, 2 * weights.length + 2, { duration: this.device.write_pulse, op });
      this.writes[layer]!.publish({ row, weights, pulse: this.device.write_pulse });
    });
  }

  /** Drives layer `l`'s IN lines (and its bias column) and hands the voltages to its crossbar. */
  private drive(l: number, values: Float64Array, image: number): void {
    const columns = this.shapes[l]!.columns;
    const voltages = new Float64Array(columns);
    voltages.set(values.subarray(0, columns - 1));
    voltages[columns - 1] = this.biasVoltages[l]!;
    for (let c = 0; c < columns; c++) this.set(`L${l}/IN[${c}]`, voltages[c]!, `image[${image}]`);
    this.inputs[l]!.publish({ image, voltages, until: this.cycleEnd });
  }

  private infer(cmd: InferCommand): void {
    const edge = this.clock.nextEdge(this.now);
    this.kernel.at(edge, () => {
      this.image = cmd.image;
      const period = this.params.clock_period;
      this.cycleEnd = this.now + period;
      const op = `image[${cmd.image}]`;
      this.shapes.forEach((s, l) => {
        this.set(`L${l}/RWL`, this.vdd, op);
        for (let c = 0; c < s.columns; c++) {
          this.set(`L${l}/BL[${c}]`, 'z', op);
          this.set(`L${l}/SL[${c}]`, 'z', op);
        }
        this.set(`L${l}/nBL`, 'z', op);
        this.set(`L${l}/nSL`, 'z', op);
      });
      this.inference.publish({ image: cmd.image, start: this.now, period });
      this.drive(0, cmd.inputs.map((x) => x * this.params.input_full_scale), cmd.image);
      // The outputs are latched at the next edge: the whole network takes one cycle.
      this.kernel.after(period, () => {
        this.shapes.forEach((s, l) => {
          this.set(`L${l}/RWL`, 0, op);
          for (let c = 0; c < s.columns; c++) this.set(`L${l}/IN[${c}]`, 'z', op);
        });
        this.marks.publish({ time: this.now, image: this.image, phase: 'end' });
      }, 0);
    }, 0);
  }
}

/**
 * The driver's line drivers: per layer a WWL and an RWL per row and a BL, an SL and an IN per
 * column (Table II), plus the neuron column's BL and SL, each `perLine` transistors.
 */
export function driverArea(name: string, shapes: readonly { readonly rows: number; readonly columns: number }[], perLine: number, transistor: number): AreaLine {
  const lines = shapes.reduce((a, s) => a + 2 * s.rows + 3 * s.columns + 2, 0);
  return areaLine(name, 'driver', lines, perLine * transistor, `${perLine} transistors per line driver (WWL, RWL per row; BL, SL, IN per column)`);
}
