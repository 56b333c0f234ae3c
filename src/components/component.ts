import type { Bus, Topic } from '../scheduler/bus.js';
import type { Kernel } from '../scheduler/kernel.js';
import { checkTime, seconds, type Ps } from '../scheduler/time.js';
import { imageStreamFor, streamFor, type RandomStream } from './random.js';
import { ACTIONS, IMAGES, SIGNALS, actionIds, type ActionRecord, type ComponentClass, type RecordValue, type SignalRecord } from './records.js';

/** What every block of one simulation shares: the kernel, the bus and the run's seed. */
export interface SimContext {
  readonly kernel: Kernel;
  readonly bus: Bus;
  readonly seed: string | number;
  /** Which die of the design the devices are (the scenario's `chip`; 0 when absent): keys their process variation. */
  readonly chip?: number;
  /** Someone is tracing: blocks attach values to their records and publish detail. */
  readonly tracing?: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class ComponentError extends Error {
  override name = 'ComponentError';
}

// `bankA/cell[3,4]`, `maap[12]`, `sram/port[0]`: path segments, each with optional indices.
const SEGMENT = String.raw`[A-Za-z_][A-Za-z0-9_.-]*(?:\[\d+(?:,\d+)*\])?`;
const NAME = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);

/**
 * An action a block can perform and what it costs (Accelergy's "action x energy per
 * action"). An energy action costs `energy` joules per count; a power action costs `power`
 * watts for as long as its window lasts.
 */
export interface ActionSpec {
  /** Its number in the simulation (actionIds), which records carry. */
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** Joules per count (energy actions). */
  readonly energy?: number;
  /** Watts while the window is open (power actions). */
  readonly power?: number;
}

export interface PerformDetail {
  /** How long the action occupies the block, in ps; its energy is spread over it. */
  readonly duration?: Ps;
  readonly op?: string;
  readonly values?: Readonly<Record<string, RecordValue>>;
}

/**
 * A hardware block: a name, parameters (validated by the scenario schema before they get
 * here), the actions it performs with their cost, and its own random stream. Blocks talk
 * only through the bus; the ledger and the tracers listen to the records they publish.
 */
export abstract class Component {
  abstract readonly kind: ComponentClass;
  private readonly table = new Map<string, ActionSpec>();
  private stream: RandomStream | undefined;
  private imageId = '';
  private imageStream: RandomStream | undefined;
  private readonly actionTopic: Topic<ActionRecord>;
  private readonly signalTopic: Topic<SignalRecord>;
  /** Whether a tracer listens; values for traces are built only then (untraced runs pay this check). */
  protected readonly tracing: boolean;

  constructor(
    protected readonly ctx: SimContext,
    readonly name: string,
  ) {
    if (!NAME.test(name)) {
      throw new ComponentError(`component name '${name}' is not a path like 'bankA/cell[3,4]' or 'maap[12]'`);
    }
    this.actionTopic = ctx.bus.topic(ACTIONS);
    this.signalTopic = ctx.bus.topic(SIGNALS);
    this.tracing = ctx.tracing === true;
  }

  get kernel(): Kernel {
    return this.ctx.kernel;
  }

  get now(): Ps {
    return this.ctx.kernel.now;
  }


  /** This block's random stream (its process variation), from the run's seed, the chip and its name. */
  get rng(): RandomStream {
    this.stream ??= streamFor(this.ctx.seed, this.name, this.ctx.chip ?? 0);
    return this.stream;
  }

  /**
   * This block's stream for the image in progress (thermal noise), keyed by its name and the
   * image's id; blocks that draw from it call `followImages()` when they are made.
   */
  protected get noise(): RandomStream {
    this.imageStream ??= imageStreamFor(this.ctx.seed, this.name, this.imageId);
    return this.imageStream;
  }

  /** Starts a fresh noise stream at every image's start mark. */
  protected followImages(): void {
    this.ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase !== 'start') return;
      this.imageId = m.id ?? `run/${m.image}`;
      this.imageStream = undefined;
    });
  }

  /** The actions this block declared, in declaration order. */
  get actions(): readonly ActionSpec[] {
    return [...this.table.values()];
  }

  /** Declares an action that costs `energy` joules each time (energy must be finite, >= 0). */
  protected declareEnergy(name: string, energy: number, description: string): ActionSpec {
    if (!Number.isFinite(energy) || energy < 0) {
      throw new ComponentError(`${this.name}: energy of '${name}' must be finite and >= 0 J, got ${energy}`);
    }
    return this.declare({ name, energy, description });
  }

  /** Declares an action that draws `power` watts while its window is open. */
  protected declarePower(name: string, power: number, description: string): ActionSpec {
    if (!Number.isFinite(power) || power < 0) {
      throw new ComponentError(`${this.name}: power of '${name}' must be finite and >= 0 W, got ${power}`);
    }
    return this.declare({ name, power, description });
  }

  private declare(spec: Omit<ActionSpec, 'id'>): ActionSpec {
    if (this.table.has(spec.name)) throw new ComponentError(`${this.name}: action '${spec.name}' declared twice`);
    const declared = { ...spec, id: actionIds(this.ctx.bus).declare(this.name, this.kind, spec.name) };
    this.table.set(spec.name, declared);
    return declared;
  }

  /** Performs an energy action `count` times now, at its declared energy each. */
  protected perform(action: ActionSpec, count = 1, detail?: PerformDetail): void {
    this.performFor(action, count, detail?.duration ?? 0, detail?.op, detail?.values);
  }

  /**
   * `perform` with its details as arguments: what blocks call for every event, so that no
   * detail object is built when nothing traces.
   */
  protected performFor(action: ActionSpec, count: number, duration: Ps, op?: string, values?: Readonly<Record<string, RecordValue>>): void {
    if (action.energy === undefined) {
      throw new ComponentError(`${this.name}: '${action.name}' is a power action; open a power window instead`);
    }
    this.emit(action, count, count * action.energy, duration, op, values);
  }

  /**
   * Performs an action whose energy depends on its arguments (a weight's bits, a word's
   * width): the block computes `energy` joules for the `count` actions from its parameters.
   */
  protected performCosting(action: ActionSpec, count: number, energy: number, detail?: PerformDetail): void {
    if (!Number.isFinite(energy) || energy < 0) throw new ComponentError(`${this.name}: '${action.name}' costs ${energy} J`);
    this.emit(action, count, energy, detail?.duration ?? 0, detail?.op, detail?.values);
  }

  /**
   * Opens a power window from now for `duration` ps: `count` units of a power action, each
   * drawing its declared power, or `watts` in all when the power depends on arguments.
   */
  protected powerFor(action: ActionSpec, duration: Ps, detail?: Omit<PerformDetail, 'duration'> & { count?: number; watts?: number }): void {
    if (action.power === undefined) {
      throw new ComponentError(`${this.name}: '${action.name}' is an energy action, not a power window`);
    }
    checkTime(duration, `${this.name} power window`);
    const count = detail?.count ?? 1;
    const watts = detail?.watts ?? count * action.power;
    if (!Number.isFinite(watts) || watts < 0) throw new ComponentError(`${this.name}: '${action.name}' draws ${watts} W`);
    this.emit(action, count, watts * seconds(duration), duration, detail?.op, detail?.values);
  }

  /** The one record this block publishes its actions in (see ActionRecord). */
  private record: Mutable<ActionRecord> | undefined;

  private emit(action: ActionSpec, count: number, energy: number, duration: Ps, op: string | undefined, values: Readonly<Record<string, RecordValue>> | undefined): void {
    let r = this.record;
    if (r === undefined) {
      r = { time: 0, component: this.name, kind: this.kind, action: '', actionId: -1, count: 0, energy: 0, duration: 0, op: undefined, values: undefined, detail: undefined };
      this.record = r;
    }
    // Filled in place: this runs for every action of every block.
    r.time = this.ctx.kernel.now;
    r.action = action.name;
    r.actionId = action.id;
    r.count = count;
    r.energy = energy;
    r.duration = duration;
    r.op = op;
    r.values = this.tracing ? values : undefined;
    this.actionTopic.publish(r);
  }

  /**
   * Publishes a trace-only record of what happened (a cell's inputs, a dispatch): no action,
   * no energy, ignored by the ledger, and only when someone traces.
   */
  protected note(what: string, op: string | undefined, values: Readonly<Record<string, RecordValue>>, duration: Ps = 0): void {
    if (!this.tracing) return;
    this.actionTopic.publish({
      time: this.ctx.kernel.now,
      component: this.name,
      kind: this.kind,
      action: what,
      actionId: -1,
      count: 0,
      energy: 0,
      duration,
      detail: true,
      op,
      values,
    });
  }

  /** Whether anyone listens to line changes: guard for building a line's name on a hot path. */
  protected get signalling(): boolean {
    return this.signalTopic.observed;
  }

  /**
   * Records a level change `delay` picoseconds from now (as a kernel event, so tracers see
   * times in order); `counter` puts a numeric value on that Perfetto counter track.
   */
  protected signalAfter(delay: Ps, signal: string, value: SignalRecord['value'], op?: string, counter?: string): void {
    if (!this.signalTopic.observed) return;
    this.signalTopic.publishAfter(delay, { time: this.ctx.kernel.now + delay, component: this.name, signal, value, ...(op === undefined ? {} : { op }), ...(counter === undefined ? {} : { counter }) });
  }

  /** Records a level change on one of this block's lines, if anyone is tracing. */
  protected signal(signal: string, value: SignalRecord['value'], op?: string): void {
    if (!this.signalTopic.observed) return;
    this.signalTopic.publish({
      time: this.ctx.kernel.now,
      component: this.name,
      signal,
      value,
      ...(op === undefined ? {} : { op }),
    });
  }
}
