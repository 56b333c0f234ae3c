import { z } from 'zod';
import { quantity, ratio, wholeNumber } from '../../scenario/fields.js';
import type { Topic } from '../../scheduler/bus.js';
import type { Ps } from '../../scheduler/time.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { READOUTS, STAGES, WATCH, cellInputsOf, packPlanes, stageOp, unpackPlanes, type CellWatch, type PlaneSamples, type StageCommand } from '../cenn/messages.js';
import { encodingOf, type PlaneData } from '../cenn/template.js';
import type { ComponentClass } from '../records.js';
import { evaluateStage, realizeStage, type HardwareStage } from './hardware-template.js';

/** Parameters of the OTA current sources that feed a CeNN bank. */
export const otaParams = z.strictObject({
  /** Bits of weight magnitude: one power-gated, binary-weighted OTA per bit. */
  weight_bits: wholeNumber(1, 16),
  /**
   * The largest |weight| a group can realize, in units of the cell's saturating current: the
   * current its full set of OTAs is sized to source. A stage needing more is refused.
   */
  max_weight: ratio(0.001, 1e6),
  /** Synapse supply span (seed 000: +-500 mV). */
  supply_span: quantity('voltage', { positive: true }),
  /** Ratio of the second stage's current mirror to the first stage (seed 000: 2). */
  mirror_ratio: ratio(1),
  /** Gate capacitance charged when one unit OTA is powered up for a stage. */
  unit_gate_capacitance: quantity('capacitance', { min: 0 }),
  /** Gate capacitance of one weight-storage access transistor. */
  access_capacitance: quantity('capacitance', { min: 0 }),
  access_voltage: quantity('voltage', { min: 0 }),
});

export type OtaParams = z.output<typeof otaParams>;

/**
 * The OTA current sources of one bank: for every cell and every template entry, a group of
 * binary-weighted OTAs, power-gated to the weight's bits (seed 000, Sec. IV-A). A stage
 * reprograms them (weight bits loaded through access transistors), powers the groups it
 * uses for the stage's window, and sums their currents into the bank's cells. A group's
 * bias current, and so its static power, is proportional to the current it can deliver.
 */
export class OtaArray extends Component {
  readonly kind: ComponentClass = 'analog';
  private readonly realized = new Map<number, HardwareStage>();
  private pending: StageCommand | undefined;
  private readonly inputs: Topic<PlaneSamples>;
  private readonly staticPower: ActionSpec;
  private readonly switching: ActionSpec;
  private readonly access: ActionSpec;
  private watched: CellWatch | undefined;

  /**
   * @param bank the bank these OTAs write into
   * @param fullScaleCurrent the current that drives a cell to saturation (A); set by the cell
   */
  constructor(
    ctx: SimContext,
    name: string,
    readonly bank: string,
    readonly params: OtaParams,
    readonly fullScaleCurrent: number,
  ) {
    super(ctx, name);
    // One LSB group delivering I_lsb draws (1 + 1/mirror) * I_lsb from the supply span.
    this.staticPower = this.declarePower('ota_static', 0, 'OTA bias while a stage is powered (per group; scales with its weight)');
    this.switching = this.declareEnergy('ota_switching', params.unit_gate_capacitance * params.supply_span ** 2, 'powering up one unit OTA (gate capacitances)');
    this.access = this.declareEnergy('access_transistor', params.access_capacitance * params.access_voltage ** 2, 'loading one weight bit through an access transistor');
    this.inputs = ctx.bus.topic(cellInputsOf(bank));
    ctx.bus.topic(STAGES).listen((cmd) => {
      if (cmd.computer === bank) this.pending = cmd;
    });
    ctx.bus.topic(READOUTS).listen((r) => this.onReadout(r));
    ctx.bus.topic(WATCH).listen((w) => (this.watched = w));
  }

  /** The stage's template in hardware (quantized weights and what powering it costs), cached per stage. */
  hardware(cmd: StageCommand): HardwareStage {
    let hw = this.realized.get(cmd.stage);
    if (hw === undefined) {
      hw = realizeStage(cmd.step, this.params.weight_bits);
      this.realized.set(cmd.stage, hw);
    }
    return hw;
  }

  /** Watts drawn while a stage's groups are powered. */
  stagePower(hw: HardwareStage): number {
    const p = this.params;
    return (1 + 1 / p.mirror_ratio) * p.supply_span * this.fullScaleCurrent * hw.lsb * hw.lsbUnits;
  }

  /** Records, for a watched cell, each input it summed: the state read, its quantized weight. */
  private noteCell(w: CellWatch, hw: HardwareStage, driven: Map<string, PlaneData>, currents: Map<string, Float64Array>): void {
    const plane = hw.planes.find((p) => p.plane.name === w.plane);
    if (plane === undefined) return;
    const { h, w: width } = plane.plane.shape;
    const k = Math.floor(w.index / (h * width));
    const y = Math.floor((w.index % (h * width)) / width);
    const x = w.index % width;
    const s = plane.plane.stride;
    const map = plane.maps[k]!;
    const terms = map.terms.map((t) => {
      const at = y * s * t.width + x * s + t.offset;
      return `${t.plane}[${at}]=${driven.get(t.plane)!.values[at]!.toFixed(4)} x ${t.weight.toFixed(4)}`;
    });
    this.note('cell_inputs', w.op, { cell: `${w.plane}[${k},${y},${x}]`, terms: terms.join('; '), bias: map.bias, current: currents.get(w.plane)![w.index]! });
  }

  private onReadout(r: PlaneSamples): void {
    const cmd = this.pending;
    if (cmd === undefined || r.meta.stage !== cmd.stage) return;
    this.pending = undefined;
    const hw = this.hardware(cmd);
    const window: Ps = cmd.window;
    const op = stageOp(cmd.step.index);
    // The power-gating enable of this bank's OTAs, as a line for waveform viewers.
    if (this.tracing) {
      this.signal('power_enable', '1', op);
      this.kernel.after(window, () => this.signal('power_enable', '0', op), 0);
    }
    this.powerFor(this.staticPower, window, { count: hw.groups, watts: this.stagePower(hw), op, values: { stage: cmd.step.index, groups: hw.groups, lsb: hw.lsb } });
    this.perform(this.switching, hw.unitsOn, { op });
    this.perform(this.access, hw.bitsLoaded, { op });
    const driven = unpackPlanes(r);
    const currents = evaluateStage(hw, (plane) => {
      const p = driven.get(plane);
      if (p === undefined) throw new Error(`${this.name}: stage ${cmd.stage} needs plane '${plane}', which ${r.meta.from} did not drive`);
      return p.values;
    });
    const planes = new Map<string, PlaneData>();
    for (const out of cmd.step.outputs) planes.set(out.name, { shape: out.shape, encoding: encodingOf(out), values: currents.get(out.name)! });
    const w = this.watched;
    if (w !== undefined && w.stage === cmd.step.index) this.noteCell(w, hw, driven, currents);
    // The cells take their new state when the window closes and the capacitors are isolated.
    this.inputs.publishAfter(window, packPlanes(cmd.stage, this.name, planes, op));
  }
}
