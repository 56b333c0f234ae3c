import { z } from 'zod';
import { quantity, ratio, wholeNumber } from '../../scenario/fields.js';
import type { Topic } from '../../scheduler/bus.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { READOUTS, STAGES, WATCH, cellInputsOf, packPlanes, stageOp, unpackPlanes, type CellWatch, type PlaneSamples, type StageCommand } from '../cenn/messages.js';
import { planeSize, saturatedLinear, type PlaneData } from '../cenn/template.js';
import { FEATURES, featuresRequestOf, type Features } from '../digital/classifier.js';
import { streamFor, type RandomStream } from '../random.js';
import { IMAGES, type ComponentClass } from '../records.js';
import { CellDynamics, type CellDynamicsParams } from './cell-dynamics.js';
import { beyondTable, readCell, type CellRead } from './cell-read.js';
import { irmenTransferTable } from './transfer-table.js';
import { readTableFor } from './read-table.js';
import { readStatisticsFor, type ReadPath, type ReadPhysicsParams } from './read-physics.js';
import { GAMMA_ELECTRON } from './llg.js';
import { hardAxisSaturationField, saturationVoltage, thermalSpread, thermalStability, type MagnetParams } from './magnet.js';
import { areaLine, type AreaLine } from '../area.js';

/** Parameters of an IRMEN cell (seed 000, Table I), as a scenario writes them. */
export const irmenParams = z.strictObject({
  fm_length: quantity('length', { min: 5e-9, max: 200e-9 }),
  fm_cross_section: quantity('area', { positive: true }),
  // Sanity bounds: no known magnet exceeds SmCo5's crystalline anisotropy, about 17 MJ/m^3, or
  // the Slater-Pauling maximum of Fe-Co, about 1.95 MA/m (J. M. D. Coey, Magnetism and
  // Magnetic Materials, Cambridge 2010, Tables 11.4 and 5.3).
  anisotropy: quantity('energyDensity', { positive: true, max: 2e7 }),
  saturation_magnetization: quantity('magnetization', { positive: true, max: 2.5e6 }),
  temperature: quantity('temperature', { positive: true }),
  me_capacitance: quantity('capacitance', { positive: true }),
  /** ME coefficient in s/m (Table I gives 10/c); the scenario writes it as a multiple of 1/c. */
  me_coefficient_per_c: ratio(0),
  me_thickness: quantity('length', { positive: true }),
  ir_resistivity: quantity('resistivity', { positive: true }),
  spin_conversion_length: quantity('length', { positive: true }),
  drive_voltage: quantity('voltage', { positive: true, max: 0.1 }),
  ground_resistance: quantity('resistance', { min: 0 }),
  access_capacitance: quantity('capacitance', { min: 0 }),
  access_voltage: quantity('voltage', { min: 0 }),
  /** Times the physical spread of what the next cell receives (read-physics.ts): 1 is the physics, 0 no spread. */
  noise_scale: ratio(0, 10),
  /**
   * Two fidelities of one read model (read-physics.ts): `analytic` (default) takes the magnet
   * as settled at its drive (Boltzmann statistics through the read path); `llg` adds the
   * stage's dynamics from the LLG macrospin, from the cell's own previous drive (a table,
   * read-table.ts, cached on disk).
   */
  transfer: z
    .union([
      z.enum(['analytic', 'llg']),
      /** The settled read measured: a CSV table (transfer-table.ts) of drive, mean readout and spread, path relative to the scenario file. */
      z.strictObject({ table: z.string().min(1) }),
    ])
    .optional(),
  /** The magnet in time, for the LLG macrospin (spinarch device irmen); see DYNAMICS_DEFAULTS. */
  dynamics: z
    .strictObject({
      damping: ratio(0, 1).optional(),
      // Times are read in picoseconds, as every time of a scenario.
      read_pulse: quantity('time', { positive: true, max: 10_000 }).optional(),
      read_rc: quantity('time', { positive: true, max: 10_000 }).optional(),
      /** Integration steps per picosecond (scenario times are whole picoseconds). */
      steps_per_ps: wholeNumber(1, 1000).optional(),
    })
    .optional(),
}).superRefine((p, ctx) => {
  // The model needs the length to be the easy axis: a magnet too short for its section has
  // shape anisotropy that cancels the crystalline one, and no hard-axis saturation field.
  const hSat = hardAxisSaturationField(magnetOf(p));
  if (!(hSat > 0)) {
    ctx.addIssue({
      code: 'custom',
      path: ['fm_length'],
      message: `at ${(p.fm_length * 1e9).toPrecision(3)} nm the magnet's shape anisotropy cancels its crystalline anisotropy (hard-axis saturation field ${(hSat / 1e3).toPrecision(3)} kA/m): its length is no longer an easy axis, which the IRMEN model needs; at this cross-section and anisotropy it must be longer than ${(shortestEasyLength(p) * 1e9).toPrecision(3)} nm`,
    });
  }
});

/**
 * The magnet's dynamics when the scenario does not say: Table I's Gilbert damping, Sec. III's
 * 200 ps read pulse, a readout RC of 50 ps (chosen: the IR stack's 20 kOhm source resistance,
 * Table I, into 2.5 fF of readout wire and gate), and a 0.25 ps step (about 200 steps per
 * precession period at the fields that saturate these magnets).
 */
export const DYNAMICS_DEFAULTS = { damping: 0.01, read_pulse: 200e-12, read_rc: 50e-12, time_step: 0.25e-12 } as const;

export type IrmenParams = z.output<typeof irmenParams>;

/** What an IRMEN cell costs and how noisy it is, from its parameters. */
export interface IrmenCellModel {
  readonly magnet: MagnetParams;
  /** Thermal stability Delta = K V / kT. */
  readonly delta: number;
  /** ME voltage that saturates the magnet, V. */
  readonly saturationVoltage: number;
  /** Intrinsic write energy: charging the ME capacitor to the saturation voltage, J. */
  readonly writeEnergy: number;
  /** Resistance of the drive path: the IR stack under the magnet plus the ground return, Ohm. */
  readonly driveResistance: number;
  /** Power of one cell's drive current while it is read, W. */
  readonly drivePower: number;
  /** Energy of one access-transistor gate cycle, J. */
  readonly accessEnergy: number;
  /** Standard deviation of the magnet's hard-axis state at an instant, from thermal agitation (equipartition). */
  readonly thermalSpread: number;
}

/** The shortest length at which the length is still the easy axis (bisection on the saturation field's sign). */
function shortestEasyLength(p: Omit<IrmenParams, 'fm_length'>): number {
  let lo = 1e-10;
  let hi = 1e-6;
  for (let i = 0; i < 60; i++) {
    const mid = Math.sqrt(lo * hi);
    if (hardAxisSaturationField(magnetOf({ ...p, fm_length: mid })) > 0) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The cell's magnet, from its parameters. */
export const magnetOf = (p: Pick<IrmenParams, 'fm_length' | 'fm_cross_section' | 'anisotropy' | 'saturation_magnetization' | 'temperature'>): MagnetParams => ({
  length: p.fm_length,
  crossSection: p.fm_cross_section,
  anisotropy: p.anisotropy,
  saturationMagnetization: p.saturation_magnetization,
  temperature: p.temperature,
});

/** The cell in time (cell-dynamics.ts, in seconds) for a stage of `stageDelayPs` picoseconds. */
export function irmenDynamicsOf(p: IrmenParams, stageDelayPs: number): CellDynamicsParams {
  const d = p.dynamics ?? {};
  const seconds = (ps: number | undefined, fallback: number): number => (ps === undefined ? fallback : ps * 1e-12);
  return {
    magnet: magnetOf(p),
    damping: d.damping ?? DYNAMICS_DEFAULTS.damping,
    stageTime: stageDelayPs * 1e-12,
    readPulse: seconds(d.read_pulse, DYNAMICS_DEFAULTS.read_pulse),
    readRc: seconds(d.read_rc, DYNAMICS_DEFAULTS.read_rc),
    timeStep: d.steps_per_ps === undefined ? DYNAMICS_DEFAULTS.time_step : 1e-12 / d.steps_per_ps,
  };
}

export function irmenCellModel(p: IrmenParams): IrmenCellModel {
  const magnet = magnetOf(p);
  const vSat = saturationVoltage(magnet, p.me_coefficient_per_c / 299_792_458, p.me_thickness);
  // The drive current crosses the IR stack (one spin conversion length thick) under the
  // whole magnet, then returns to ground through the cell's access device.
  const stack = (p.ir_resistivity * p.spin_conversion_length) / (p.fm_length * Math.sqrt(p.fm_cross_section));
  const driveResistance = stack + p.ground_resistance;
  return {
    magnet,
    delta: thermalStability(magnet),
    saturationVoltage: vSat,
    writeEnergy: 0.5 * p.me_capacitance * vSat * vSat,
    driveResistance,
    drivePower: (p.drive_voltage * p.drive_voltage) / driveResistance,
    accessEnergy: p.access_capacitance * p.access_voltage * p.access_voltage,
    thermalSpread: thermalSpread(magnet),
  };
}

/** Sum and count of |readout - stored state| (the transfer-function error of seed 000, Fig. 4). */
export interface ReadError {
  sum: number;
  reads: number;
  /** Reads at a drive beyond a measured table's range (read at its edge); counted where given. */
  beyond?: number;
}

/** Where a cell sits in the design: its stage delay and window, and the input RC of the cell it drives. */
export interface CellSetting {
  readonly stageDelayPs: number;
  readonly windowPs: number;
  /** The receiving cell's shunt resistance times its ME capacitance, s. */
  readonly inputRc: number;
}

/** The read path of a cell in its design (read-physics.ts), on the LLG solver's time step. */
export function readPathOf(p: IrmenParams, at: CellSetting): ReadPath {
  const c = irmenDynamicsOf(p, at.stageDelayPs);
  return { readRc: c.readRc, inputRc: at.inputRc, window: at.windowPs * 1e-12, step: c.timeStep };
}

/** The read model's physics for a cell in its design. */
export function readPhysicsOf(p: IrmenParams, at: CellSetting): ReadPhysicsParams {
  return { magnet: magnetOf(p), damping: irmenDynamicsOf(p, at.stageDelayPs).damping, gamma: GAMMA_ELECTRON, path: readPathOf(p, at), noiseScale: p.noise_scale };
}

/**
 * The cell's read model in its design (the LLG table is computed, or read from the cache,
 * here). The LLG's stage runs from the end of the writing window to the start of the reading one.
 */
export function cellReadOf(p: IrmenParams, at: CellSetting, seed: string | number): CellRead {
  const path = readPathOf(p, at);
  // A measured table's spread is the device's own: noise_scale scales it as it scales sigma.
  if (typeof p.transfer === 'object') return { kind: 'table', table: irmenTransferTable(p.transfer.table), scale: p.noise_scale };
  // The settled model is taken at noise_scale x sigma throughout (read-physics.ts), so its draws are not scaled again.
  if (p.transfer !== 'llg') return { kind: 'analytic', stats: readStatisticsFor(readPhysicsOf(p, at)), scale: 1 };
  const cell = { ...irmenDynamicsOf(p, at.stageDelayPs), stageTime: Math.max(0, at.stageDelayPs - at.windowPs) * 1e-12 };
  return { kind: 'llg', table: readTableFor(cell, path, seed), scale: p.noise_scale, cell, path };
}

/** A plane of drives and the drives its cells held before (the LLG read needs them). */
export interface HeldPlane extends PlaneData {
  readonly previous: Float64Array | undefined;
}

/**
 * Reads planes of stored drives through the cell's read model with thermal noise (readCell:
 * one draw per cell), plane by plane in the order given. Reading leaves the drives as they
 * were. The error is |read - sat(drive)|, against the ideal saturated-linear state.
 */
export function readPlanes(held: ReadonlyMap<string, HeldPlane>, names: Iterable<string>, rng: RandomStream, read: CellRead, error: ReadError, who: string): Map<string, PlaneData> {
  const out = new Map<string, PlaneData>();
  for (const name of names) {
    const p = held.get(name);
    if (p === undefined) throw new Error(`${who} reads plane '${name}', which it does not hold`);
    const values = new Float64Array(p.values.length);
    const before = p.previous;
    for (let i = 0; i < values.length; i++) {
      const u = p.values[i]!;
      const r = readCell(read, u, before === undefined ? 0 : before[i]!, rng);
      if (beyondTable(read, u)) error.beyond = (error.beyond ?? 0) + 1;
      error.sum += Math.abs(r - saturatedLinear(u));
      values[i] = r;
    }
    error.reads += values.length;
    out.set(name, { shape: p.shape, encoding: p.encoding, values });
  }
  return out;
}

/**
 * Stores the summed inputs as the cells' new drives (the charge on each ME capacitor, which
 * can exceed what saturates the magnet), each with the drive the same cell (plane, map, row,
 * column) held before, 0 for a cell that held nothing. `previous` only when the read needs it.
 */
export function storeDrives(inputs: Iterable<readonly [string, PlaneData]>, before: ReadonlyMap<string, HeldPlane>, withPrevious: boolean): Map<string, HeldPlane> {
  const out = new Map<string, HeldPlane>();
  for (const [name, p] of inputs) {
    let previous: Float64Array | undefined;
    if (withPrevious) {
      previous = new Float64Array(p.values.length);
      const old = before.get(name);
      if (old !== undefined) {
        const { maps, h, w } = p.shape;
        const o = old.shape;
        for (let k = 0; k < Math.min(maps, o.maps); k++) {
          for (let y = 0; y < Math.min(h, o.h); y++) {
            for (let x = 0; x < Math.min(w, o.w); x++) previous[(k * h + y) * w + x] = old.values[(k * o.h + y) * o.w + x]!;
          }
        }
      }
    }
    // A copy: the inputs may be a view of a message buffer that is used again.
    out.set(name, { shape: p.shape, encoding: p.encoding, values: Float64Array.from(p.values), previous });
  }
  return out;
}

/**
 * A bank of IRMEN cells: magnetoelectric neurons that are also non-volatile analog memory.
 * The bank holds planes of cell states (charge locked on each ME capacitor). When it feeds
 * a stage it drives a read current through every cell it is asked for, for the stage's
 * window, and publishes the readouts, each with its own thermal noise; reading leaves the
 * stored charge as it was. When it computes a stage, the summed OTA currents set each
 * cell's state through the saturated-linear transfer function, at the end of the window.
 */
export class IrmenBank extends Component {
  readonly kind: ComponentClass = 'spintronic';
  readonly model: IrmenCellModel;
  private planes = new Map<string, HeldPlane>();
  private readonly readouts: Topic<PlaneSamples>;
  private readonly drive: ActionSpec;
  private readonly write: ActionSpec;
  private readonly access: ActionSpec;
  /** Sum and count of |readout - stored state| over the image in progress: the transfer-function error of seed 000, Fig. 4. */
  readonly readError: ReadError = { sum: 0, reads: 0, beyond: 0 };
  private readonly features: Topic<Features>;
  private watched: CellWatch | undefined;
  /** The stage whose result the bank is computing (its op). */
  private computing = -1;

  constructor(ctx: SimContext, name: string, params: IrmenParams, private readonly read: CellRead) {
    super(ctx, name);
    this.model = irmenCellModel(params);
    this.drive = this.declarePower('irmen_drive', this.model.drivePower, 'drive current through one cell while it is read');
    this.write = this.declareEnergy('irmen_write', this.model.writeEnergy, 'charging one ME capacitor to its new state (intrinsic)');
    this.access = this.declareEnergy('access_transistor', this.model.accessEnergy, "cycling one cell's access transistor to write it");
    this.readouts = ctx.bus.topic(READOUTS);
    ctx.bus.topic(STAGES).listen((cmd) => this.onStage(cmd));
    ctx.bus.topic(cellInputsOf(name)).listen((inputs) => this.onInputs(inputs));
    ctx.bus.topic(WATCH).listen((w) => (this.watched = w));
    this.features = ctx.bus.topic(FEATURES);
    ctx.bus.topic(featuresRequestOf(name)).listen((r) => {
      // The head reads the result plane once, like any consumer: through the noisy transfer function.
      const read = readPlanes(this.planes, ['v'], this.noise, this.read, this.readError, this.name);
      this.features.publish({ image: r.image, values: read.get('v')!.values });
    });
    this.followImages();
    ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase !== 'start') return;
      // Every image starts from cells that held nothing (drive 0), so what an image reads never
      // depends on the image before it: the same in any order, on any worker, in either mode.
      this.planes = new Map();
      this.readError.sum = 0;
      this.readError.reads = 0;
      this.readError.beyond = 0;
    });
  }

  /** The planes the bank holds now (drives: the state the magnet settles to is sat(drive)). */
  get contents(): ReadonlyMap<string, HeldPlane> {
    return this.planes;
  }

  private onStage(cmd: StageCommand): void {
    // The A/B roles as two lines, so a waveform viewer shows them swap every stage.
    this.signal('holding', cmd.holder === this.name ? '1' : '0');
    this.signal('computing', cmd.computer === this.name ? '1' : '0');
    if (cmd.computer === this.name) this.computing = cmd.step.index;
    if (cmd.holder === this.name) this.feed(cmd);
  }

  /** Reads every plane the stage needs, non-destructively, and publishes the noisy readouts. */
  private feed(cmd: StageCommand): void {
    const out = readPlanes(this.planes, Object.keys(cmd.step.inputs), this.noise, this.read, this.readError, `${this.name}: stage ${cmd.stage}`);
    let cells = 0;
    for (const p of out.values()) cells += p.values.length;
    const op = stageOp(cmd.step.index);
    this.powerFor(this.drive, cmd.window, { count: cells, op, values: { stage: cmd.step.index, cells } });
    // Delivered as the next event at this time, once every block has seen the stage command.
    this.readouts.publishAfter(0, packPlanes(cmd.stage, this.name, out, op));
  }

  /** Locks the new states in: the cell's transfer function applied to its summed input. */
  private onInputs(inputs: PlaneSamples): void {
    const before = this.planes;
    const next = storeDrives(unpackPlanes(inputs), before, this.read.kind === 'llg');
    let cells = 0;
    for (const p of next.values()) cells += planeSize(p.shape);
    this.planes = next;
    const op = stageOp(this.computing);
    this.perform(this.write, cells, { op, values: { stage: this.computing, cells } });
    this.perform(this.access, cells, { op, values: { stage: this.computing, cells } });
    const w = this.watched;
    if (w !== undefined && w.stage === this.computing) {
      const p = next.get(w.plane);
      if (p !== undefined) {
        const drive = p.values[w.index]!;
        const state = saturatedLinear(drive);
        this.note('cell_write', w.op, { plane: w.plane, index: w.index, drive, state, value: p.encoding.scale * state + p.encoding.offset });
        this.traceMagnet(w, p.previous?.[w.index] ?? 0, drive);
      }
    }
  }

  /**
   * The watched cell's magnet moving to its new state, from the LLG macrospin (transfer: llg):
   * m_x, m_y and m_z every 10 ps until the next stage, as signals (VCD reals, Perfetto
   * counters). Its noise has a stream of its own, so tracing changes no result.
   */
  private traceMagnet(w: CellWatch, from: number, to: number): void {
    if (this.read.kind !== 'llg' || !this.signalling) return;
    const every = 10;
    const rng = streamFor(this.ctx.seed, `${this.name}/magnet/${w.op}`);
    const m = new CellDynamics(this.read.cell).trajectory(from, to, this.read.cell.stageTime + this.read.path.window, every * 1e-12, () => rng.normal());
    const cell = `${w.plane}[${w.index}]`;
    const counter = `${cell} magnetization`;
    for (let k = 0; 3 * k < m.length; k++) {
      this.signalAfter(k * every, `${cell}/m_x`, m[3 * k]!, w.op, counter);
      this.signalAfter(k * every, `${cell}/m_y`, m[3 * k + 1]!, w.op, counter);
      this.signalAfter(k * every, `${cell}/m_z`, m[3 * k + 2]!, w.op, counter);
    }
  }
}

/**
 * An IRMEN cell's footprint (seed 000, Fig. 1): its transistors beside its magnetoelectric
 * stack, whose ferromagnet is one electrode of the ME capacitor, so the stack covers the
 * magnet: length x width, the cross-section taken square (width = sqrt(cross-section); Table I
 * gives only the 90 nm^2). Longer magnets take more area (seed 000: "at the cost of increased
 * energy and area"); the stack is not counted as hidden over the transistors.
 */
export function irmenCellArea(p: Pick<IrmenParams, 'fm_length' | 'fm_cross_section'>, cellTransistors: number, transistor: number): number {
  return cellTransistors * transistor + p.fm_length * Math.sqrt(p.fm_cross_section);
}

/** A bank of IRMEN cells. */
export const irmenBankArea = (name: string, cells: number, p: IrmenParams, cellTransistors: number, transistor: number): AreaLine =>
  areaLine(name, 'spintronic', cells, irmenCellArea(p, cellTransistors, transistor), `${cellTransistors} transistors and a ${(p.fm_length * 1e9).toFixed(0)} nm x ${(Math.sqrt(p.fm_cross_section) * 1e9).toFixed(1)} nm magnetoelectric stack per cell`);
