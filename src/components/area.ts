import { z } from 'zod';
import { quantity, ratio } from '../scenario/fields.js';
import type { ComponentClass } from './records.js';


/**
 * Silicon area of one block (or of its `count` identical instances), as the block's own
 * area function works it out from its parameters: Accelergy's area reference table beside
 * its energy table. `basis` says how, in words a reader can check.
 */
export interface AreaLine {
  readonly component: string;
  readonly kind: ComponentClass;
  /** Identical instances on the chip. */
  readonly count: number;
  /** Square metres of all `count` instances. */
  readonly area: number;
  readonly basis: string;
}

/** A design's area: the lines of its blocks (the classifier head's apart in scope, like its energy). */
export interface AreaPlan {
  readonly lines: readonly AreaLine[];
  /** Whether the classifier head's lines count in the total (its energy's scope); undefined: no head. */
  readonly head?: boolean;
}

const VACUUM_PERMITTIVITY = 8.8541878128e-12;

/**
 * The process a design is drawn in, for the areas of its transistors: the node's feature
 * size (lambda = node / 2, Mead-Conway scalable rules) and a transistor's footprint in
 * lambda^2 (contacts and spacing included), sourced in each scenario.
 */
export const processArea = {
  /** Feature size of the node (14 nm FinFET: 14 nm). */
  node: quantity('length', { positive: true }),
  /** One transistor's footprint, in lambda^2 (lambda = node / 2), with its contacts and spacing. */
  transistor_lambda2: ratio(1, 1e6),
};

/** Footprint of one transistor: lambda^2 units at lambda = node / 2. */
export const transistorArea = (p: { readonly node: number; readonly transistor_lambda2: number }): number => p.transistor_lambda2 * (p.node / 2) ** 2;

/** A parallel-plate capacitor's plate area: A = C t / (eps0 eps_r). */
export const capacitorArea = (capacitance: number, thickness: number, relativePermittivity: number): number => (capacitance * thickness) / (VACUUM_PERMITTIVITY * relativePermittivity);

/** An elliptical MTJ's footprint, l x w x pi / 4 (seed 004 Table I). */
export const ellipseArea = (length: number, width: number): number => (length * width * Math.PI) / 4;

/**
 * A device fabricated over transistors (an MTJ on the back end) adds no footprint of its own
 * unless it is larger than what lies under it (seed 004: "SOT-MRAM devices can be fabricated
 * on top of the transistors, thus incurring no area overhead").
 */
export const stacked = (under: number, over: number): number => Math.max(under, over);

/** One line of the plan. */
export const areaLine = (component: string, kind: ComponentClass, count: number, each: number, basis: string): AreaLine => {
  if (!Number.isFinite(each) || each < 0) throw new RangeError(`${component}: area ${each} m^2 is not a finite area >= 0`);
  return { component, kind, count, area: count * each, basis };
};

/** A positive area with its unit (`0.07 um^2`). */
export const areaQuantity = () => quantity('area', { positive: true });

/** A relative permittivity (dimensionless, >= 1). */
export const permittivity = () => ratio(1, 1e5);

/** The total of a plan within its scope (the head only when it counts). */
export const planTotal = (plan: AreaPlan): number => plan.lines.reduce((a, l) => a + (l.kind === 'classifier' && plan.head !== true ? 0 : l.area), 0);

/** The schema of a design's area table: its process and the entries its blocks read. */
export const areaTable = <S extends z.ZodRawShape>(entries: S) => z.strictObject({ ...processArea, ...entries });

/** Area entries of a design's digital side: a logic gate, an SRAM bit cell and how much of a macro is cells. */
export const digitalArea = {
  /** One NAND2-equivalent gate of the node's standard cells. */
  gate: areaQuantity(),
  /** One SRAM bit cell. */
  sram_bit_cell: areaQuantity(),
  /** Fraction of an SRAM macro that is bit cells (the rest: decoders, sense amplifiers, I/O). */
  sram_array_efficiency: ratio(0.01, 1),
  /** NAND2-equivalent gates per bit of an accumulator (its full adder and register). */
  accumulator_gates_per_bit: ratio(1, 1000),
};

/** The digital entries of an area table, as the blocks read them. */
export interface DigitalArea {
  readonly gate: number;
  readonly sram_bit_cell: number;
  readonly sram_array_efficiency: number;
  readonly accumulator_gates_per_bit: number;
}
