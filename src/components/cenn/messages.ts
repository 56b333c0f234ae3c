import { topicKey } from '../../scheduler/bus.js';
import type { Ps } from '../../scheduler/time.js';
import type { Samples } from '../converters/samples.js';
import { planeSize, type CennStep, type Encoding, type PlaneData, type PlaneShape } from './template.js';

/** Starts one CeNN stage (or one pass of it): which block feeds it and which computes it. */
export interface StageCommand {
  readonly stage: number;
  readonly step: CennStep;
  /** The block that feeds this stage (a bank, the input port, or the state memory). */
  readonly holder: string;
  /** The block whose cells compute and store this stage's result. */
  readonly computer: string;
  /** How long the computing cells' OTAs are powered. */
  readonly window: Ps;
}

/** Where each plane sits in a flattened batch of values. */
export interface PlaneSlot {
  readonly name: string;
  readonly shape: PlaneShape;
  readonly encoding: Encoding;
  readonly offset: number;
}

export interface PlaneBatch {
  readonly stage: number;
  readonly from: string;
  readonly planes: readonly PlaneSlot[];
}

/**
 * Planes on the move: states read out of a bank, currents into one, codes to memory. The
 * values of all planes travel in one array, so converters and memories treat them as a batch.
 */
export type PlaneSamples = Samples<PlaneBatch>;

export function packPlanes(stage: number, from: string, planes: ReadonlyMap<string, PlaneData>, op?: string): PlaneSamples {
  let size = 0;
  for (const p of planes.values()) size += p.values.length;
  const values = new Float64Array(size);
  const slots: PlaneSlot[] = [];
  let offset = 0;
  for (const [name, p] of planes) {
    values.set(p.values, offset);
    slots.push({ name, shape: p.shape, encoding: p.encoding, offset });
    offset += p.values.length;
  }
  return { meta: { stage, from, planes: slots }, values, ...(op === undefined ? {} : { op }) };
}

/** The op id of a CeNN stage, which every record of the stage carries. */
export const stageOp = (stage: number): string => `stage[${stage}]`;

/** Asks the blocks to detail one cell of one stage's output (for `trace --op`). */
export interface CellWatch {
  readonly stage: number;
  readonly plane: string;
  readonly index: number;
  readonly op: string;
}

export const WATCH = topicKey<CellWatch>('cenn/watch');

/** The planes of a batch (views into its values, not copies). */
export function unpackPlanes(s: PlaneSamples): Map<string, PlaneData> {
  return new Map(s.meta.planes.map((slot) => [slot.name, { shape: slot.shape, encoding: slot.encoding, values: s.values.subarray(slot.offset, slot.offset + planeSize(slot.shape)) }]));
}

export const STAGES = topicKey<StageCommand>('cenn/stage');
/** States driven out to feed a stage. */
export const READOUTS = topicKey<PlaneSamples>('cenn/readout');
/** Summed input currents (full-scale units) into a block's cells, at the end of a stage's window. */
export const cellInputsOf = (block: string) => topicKey<PlaneSamples>(`${block}/inputs`);
