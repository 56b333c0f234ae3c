import { topicKey } from '../scheduler/bus.js';
import type { Ps } from '../scheduler/time.js';

/**
 * What a block is, for grouping energy across designs (compare's rows): memory, data
 * converters, digital logic, analog compute, spintronic devices, line drivers, and the
 * digital classifier head that turns an accelerator's features into a class (outside the
 * seeds' energy scope unless a scenario counts it in).
 */
export type ComponentClass = 'memory' | 'adc-dac' | 'digital' | 'analog' | 'spintronic' | 'driver' | 'classifier';

export const COMPONENT_CLASSES: readonly ComponentClass[] = ['memory', 'adc-dac', 'digital', 'analog', 'spintronic', 'driver', 'classifier'];

/** A value a record carries for traces: a number, a label, or a small vector. */
export type RecordValue = number | string | boolean | readonly number[];

/**
 * One performed action: `count` times the action's energy, at `time`. With a duration it
 * is also a power window: the energy is spent evenly over [time, time + duration).
 *
 * Blocks reuse one record object for their actions (no allocation per event), so a record
 * is valid only while it is delivered: an observer copies what it keeps.
 */
export interface ActionRecord {
  readonly time: Ps;
  readonly component: string;
  readonly kind: ComponentClass;
  readonly action: string;
  /** The action's number in its simulation (see actionIds); -1 for records from elsewhere. */
  readonly actionId: number;
  readonly count: number;
  /** Joules, count x energy per action. */
  readonly energy: number;
  /** Picoseconds the action occupies its block (0 for an instantaneous cost). */
  readonly duration: Ps;
  /** The operation this belongs to (for following one op through the machine). */
  readonly op?: string;
  readonly values?: Readonly<Record<string, RecordValue>>;
  /** A trace-only note (no action, no cost): the ledger skips it. */
  readonly detail?: boolean;
}

/** Memory traffic: accesses and bits moved, by direction (reused like ActionRecord: copy what you keep). */
export interface TrafficRecord {
  readonly time: Ps;
  readonly component: string;
  readonly direction: 'read' | 'write';
  readonly accesses: number;
  readonly bits: number;
  readonly op?: string;
}

/** A level change on a named line or status signal, for waveform traces. */
export interface SignalRecord {
  readonly time: Ps;
  readonly component: string;
  readonly signal: string;
  /** A logic level, 'z' for high impedance, or an analog value in volts (or any unit). */
  readonly value: number | 'z' | '0' | '1';
  readonly op?: string;
  /** For numeric values: the counter track Perfetto draws them on (its series named by the signal's last segment). */
  readonly counter?: string;
}

/**
 * Marks one image's processing: its start, the moment the accelerator has computed its
 * features (`computed`; a classifier head then works until the `end`), and its end. Image
 * SETUP (-1) is the one-off work before the first image, such as writing the weights.
 */
export interface ImageMark {
  readonly time: Ps;
  readonly image: number;
  readonly phase: 'start' | 'computed' | 'end';
  /** The image's id (start marks): what its noise streams are keyed by. */
  readonly id?: string;
}

export const SETUP = -1;

/** An image's class, as the design's last stage decided it: its output scores and their argmax. */
export interface Classification {
  readonly image: number;
  readonly outputs: Float64Array;
  readonly predicted: number;
}

export const ACTIONS = topicKey<ActionRecord>('ledger/actions');
export const TRAFFIC = topicKey<TrafficRecord>('ledger/traffic');
export const SIGNALS = topicKey<SignalRecord>('trace/signals');
export const IMAGES = topicKey<ImageMark>('run/images');
export const CLASSIFIED = topicKey<Classification>('run/classified');

/** An inference in an analog array: the read path is enabled from `start` for `period`. */
export interface InferenceWindow {
  readonly image: number;
  readonly start: Ps;
  readonly period: Ps;
}

export const INFERENCE = topicKey<InferenceWindow>('run/inference');

/** An action declared by a block: its number, whose it is and what it is called. */
export interface DeclaredAction {
  readonly id: number;
  readonly component: string;
  readonly kind: ComponentClass;
  readonly action: string;
}

/**
 * The actions declared in one simulation, numbered in declaration order, so that an
 * observer (the ledger) can sum by number into arrays instead of looking up names.
 */
export class ActionIds {
  readonly declared: DeclaredAction[] = [];

  declare(component: string, kind: ComponentClass, action: string): number {
    const id = this.declared.length;
    this.declared.push({ id, component, kind, action });
    return id;
  }
}

const registries = new WeakMap<object, ActionIds>();

/** The action numbering of the simulation that `bus` belongs to. */
export function actionIds(bus: object): ActionIds {
  let r = registries.get(bus);
  if (r === undefined) {
    r = new ActionIds();
    registries.set(bus, r);
  }
  return r;
}
