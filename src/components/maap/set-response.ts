import { CounterNormals, type RandomStream } from '../random.js';
import { designPair, drawPair, nominalActivation, realizePair, thermalSigma, trimPair, type CircuitParams, type Pair, type PairDesign, type TrimParams, type VariationParams } from './maap-circuit.js';
import { PACKED, SetKernel } from './set-kernel.js';
import { drawTableSet, pairTableModel, tableSetOutput, type PairTableModel } from './table-response.js';

/**
 * One physical MAAP set of a chip: its activation pairs (one per input of the pooling
 * window, each with its own devices) and their trims (the bias currents the calibration
 * chose, each added to its pair's input).
 */
export interface SetDevices {
  readonly pairs: readonly Pair[];
  /** Each pair's trim (shift of its output, fraction of full scale; maap-circuit.ts Pair). */
  readonly trims: Float64Array;
  readonly trimCodes: Int32Array;
  /** Each pair's noiseless error at the calibration input after its trim. */
  readonly residuals: Float64Array;
  /** The pairs' coefficients packed for setOutput (PACKED numbers per pair; see packPair), as `kernel` holds them. */
  readonly packed: Float64Array;
  /** The WebAssembly instance that holds and evaluates the packed pairs (set-kernel.ts), and this set's place in it (a circuit's sets). */
  readonly kernel?: SetKernel;
  readonly slot?: number;
  /** From a pair table: the measured pair each pair is (table-response.ts); then pairs and packed are empty. */
  readonly measured?: Int32Array;
}

/**
 * Pair p's circuit in the form setOutput evaluates (set-kernel.wat `lanes`): the same equations as
 * maap-circuit.ts's cellOutput, rearranged so each cell costs one multiply-add and one division. With
 * G = g0 + g1 m (g0, g1 the mean and half-difference of G_P and G_AP) the inverter reads
 * w = c - gain G / (G + G_ref) = (c - gain) + (gain G_ref / g1) / (m + (g0 + G_ref) / g1),
 * where c holds the switching point and, for cell 2, the trim. Cell 1's m is a1 (x - 1/2)
 * plus noise, cell 2's a2 w1 + b2 plus noise. Then where the pair is quiet (for a sequential
 * stream's draws, and for counter-based ones) and its floor there.
 */
function packPair(design: PairDesign, pair: Pair, into: Float64Array, p: number): void {
  const o = p * PACKED;
  const cells = [pair.c1, pair.c2];
  const { gain } = design;
  for (let k = 0; k < 2; k++) {
    const c = cells[k]!;
    const g0 = 0.5 * (c.gP + c.gAP);
    const g1 = 0.5 * (c.gP - c.gAP);
    const level = 0.5 + gain * c.vM + (k === 1 ? pair.trim : 0);
    const at = o + 2 + 4 * k;
    if (g1 === 0) {
      // No TMR left: the divider does not see the magnet.
      into[at] = level - (gain * g0) / (g0 + c.gRef);
      into[at + 1] = 0;
      into[at + 2] = 1;
    } else {
      into[at] = level - gain;
      into[at + 1] = (gain * c.gRef) / g1;
      into[at + 2] = (g0 + c.gRef) / g1;
    }
  }
  into[o] = design.slope1 * pair.c1.icInv;
  into[o + 1] = pair.streamQuietBelow;
  // Cell 2's drive, k2 (2 w1 - 1) + b2, times its 1 / (1 + c).
  into[o + 5] = 2 * design.k2 * pair.c2.icInv;
  into[o + 9] = (design.b2 - design.k2) * pair.c2.icInv;
  into[o + 10] = pair.quietBelow;
  into[o + 11] = pair.floor;
}

/** What every set of a design shares: the nominal design, the thermal spread, the nominal response. */
export interface SetModel {
  /** Supply times the full-scale current: the power of a trim current of one full scale. */
  readonly trimPower: number;
  readonly design: PairDesign;
  /** Thermal spread of each magnet's m per measurement (0: noise off). */
  readonly sigma: number;
  /** Pairs per set (the largest pooling window the network uses). */
  readonly pairs: number;
  readonly nominal: (x: number) => number;
  /** The pairs from a measured table instead of the circuit (params.maap.pair); sigma is then the table's, referred to the input. */
  readonly table?: PairTableModel;
}

export function setModel(circuit: CircuitParams, pairs: number, thermal: boolean, pair?: { readonly table: string }): SetModel {
  const design = designPair(circuit);
  const trimPower = circuit.supply * circuit.full_scale_current;
  if (pair !== undefined) {
    const table = pairTableModel(pair.table, circuit);
    return { design, sigma: thermal ? table.sigma : 0, pairs, nominal: table.nominal, trimPower, table };
  }
  return { design, sigma: thermal ? thermalSigma(circuit) : 0, pairs, nominal: nominalActivation(design), trimPower };
}

/**
 * Sets' pairs, set i drawn from its own stream `rngs[i]` (once per chip), held in one kernel
 * in groups of `group` consecutive sets (the array's groups, which read the same inputs).
 */
export function drawSets(model: SetModel, rngs: readonly RandomStream[], variation: VariationParams, group = 1): SetDevices[] {
  if (model.table !== undefined) return rngs.map((rng) => drawTableSet(model.table!, model.pairs, rng));
  const n = model.pairs;
  const kernel = new SetKernel(rngs.length, n, group, model.sigma > 0);
  return rngs.map((rng, slot) => {
    const pairs = Array.from({ length: n }, () => realizePair(model.design, drawPair(rng, variation), model.sigma));
    const packed = new Float64Array(n * PACKED);
    pairs.forEach((pair, p) => packPair(model.design, pair, packed, p));
    kernel.store(slot, packed);
    return { pairs, trims: new Float64Array(n), trimCodes: new Int32Array(n), residuals: new Float64Array(n), packed, kernel, slot };
  });
}

/** One set's pairs, drawn from its own stream (a kernel of its own). */
export const drawSet = (model: SetModel, rng: RandomStream, variation: VariationParams): SetDevices => drawSets(model, [rng], variation)[0]!;

/** Draws thermal noise for a measurement: the two normals of pair draw i (CounterNormals or a sequential stream). */
export interface ThermalSource {
  pair(i: number): void;
  first: number;
  second: number;
}

/** A sequential stream as a ThermalSource (the calibration's reads, which run in one order). */
export class StreamNormals implements ThermalSource {
  first = 0;
  second = 0;
  constructor(private readonly rng: RandomStream) {}
  pair(): void {
    this.first = this.rng.normal();
    this.second = this.rng.normal();
  }
}

/**
 * What set `set` reads out for pair inputs `sums[0..count)` (fractions of full scale; the
 * conv sums of the pooling window's positions): the winner-take-all's largest pair output.
 * Pair p's noise is draw `base + p` of `noise`. A pair that sits at its rail for every draw
 * within NORMAL_BOUND reads its rail without being solved (maap-circuit.ts trimPair):
 * counter-based draws never go beyond it, so they are not even made. With a sequential
 * stream (the calibration's reads) the 7-sigma rule decides instead.
 */
export function setOutput(model: SetModel, set: SetDevices, sums: Float64Array, count: number, noise: ThermalSource | undefined, base: number): number {
  if (model.table !== undefined) return tableSetOutput(model.table, set, sums, count, model.sigma > 0 ? noise : undefined, base);
  const kernel = set.kernel!;
  const slot = set.slot!;
  kernel.loadSums(sums, count);
  if (model.sigma === 0 || noise === undefined) return kernel.given(slot, 0, count, 0, 0, false);
  if (noise instanceof CounterNormals) {
    kernel.keys[kernel.keyIndex(slot)] = noise.keyHash;
    return kernel.counted(slot, count, base, model.sigma);
  }
  // A sequential stream's normals are unbounded: a pair is skipped, and takes no draw, only
  // below its 7-sigma quiet input.
  const q = set.packed;
  let best = 0;
  for (let p = 0; p < count; p++) {
    let v: number;
    if (sums[p]! < q[p * PACKED + 1]!) v = q[p * PACKED + 11]!;
    else {
      noise.pair(base + p);
      v = kernel.given(slot, p, p + 1, model.sigma * noise.first, model.sigma * noise.second, true);
    }
    if (v > best) best = v;
  }
  return best;
}

/** The nominal set's output: the nominal activation of the largest input (the activation is monotone). */
export function nominalSetOutput(model: SetModel, sums: Float64Array, count: number): number {
  let best = -Infinity;
  for (let p = 0; p < count; p++) if (sums[p]! > best) best = sums[p]!;
  return model.nominal(best);
}

/**
 * Energy of a set's trim currents during one measurement of `runtime` ps: each pair's DAC
 * sources |trim| of the full-scale current from the supply while the set runs. This is the
 * cost of correcting the mean error that grows with the devices' spread (seed 003 Fig. 4b).
 */
export function trimCurrentEnergy(model: SetModel, set: SetDevices, runtime: number): number {
  let sum = 0;
  for (let p = 0; p < set.trims.length; p++) sum += Math.abs(set.trims[p]!);
  return model.trimPower * sum * runtime * 1e-12;
}

/** Passes of the calibration over a set's pairs: the second redoes each pair with every other pair's zero already trimmed. */
export const TRIM_PASSES = 2;

/** Work one set's calibration does: per pass, a search per pair, `bits` comparisons each after `reads` measurements. */
export const trimSteps = (trim: TrimParams, pairs: number): { comparisons: number; measurements: number } => ({ comparisons: TRIM_PASSES * pairs * trim.bits, measurements: TRIM_PASSES * pairs * trim.bits * trim.reads_per_step });

/** Input that holds a pair at its zero rail during another pair's calibration (full scale below the knee). */
const HELD_AT_ZERO = -1;

/**
 * The mean-error trim of one set (seed 003 Sec. 4.1: "the process variation-induced mean error
 * is easily dealt with"). Each pair has its own bias current sources; the trim adds a DAC-set
 * current to cell 2's bias, which moves both the pair's zero rail and its output. Pair by
 * pair, with the data inputs at zero, the other pairs held below the knee and a calibration
 * current at `calibration_input` injected into this one, a successive-approximation search
 * over the trim DAC's signed code finds the largest trim whose averaged output does not exceed
 * the nominal pair's; each comparison averages
 * `reads_per_step` measurements (thermal noise from `rng`). A pair whose zero sits high
 * spoils the others' comparisons until it is trimmed itself, so the search runs over the
 * pairs twice (TRIM_PASSES). Fills the set's trims, codes and residuals (the noiseless error
 * left at the calibration input).
 */
export function calibrateTrim(model: SetModel, set: SetDevices, trim: TrimParams, rng: RandomStream): void {
  const count = model.pairs;
  const sums = new Float64Array(count);
  const target = model.nominal(trim.calibration_input);
  const half = 2 ** (trim.bits - 1);
  const noise = new StreamNormals(rng);
  for (let pass = 0; pass < TRIM_PASSES; pass++) {
    for (let p = 0; p < count; p++) {
      sums.fill(HELD_AT_ZERO);
      sums[p] = trim.calibration_input;
      const reading = (code: number): number => {
        setTrimCode(model, set, trim, p, code);
        let sum = 0;
        for (let k = 0; k < trim.reads_per_step; k++) sum += setOutput(model, set, sums, count, noise, 0);
        return sum / trim.reads_per_step;
      };
      // Codes -half .. half - 1; the output rises with the code.
      let lo = -half;
      let hi = half - 1;
      for (let step = 0; step < trim.bits; step++) {
        const mid = Math.floor((lo + hi + 1) / 2);
        // (A hair of slack: the target comes from the same circuit through another arithmetic order.)
        if (reading(mid) <= target + 1e-12) lo = mid;
        else hi = mid - 1;
      }
      setTrimCode(model, set, trim, p, lo);
    }
  }
  trimResiduals(model, set, trim);
}

/** Sets pair p's trim DAC to `code` (its current, and with it where the pair is quiet). */
function setTrimCode(model: SetModel, set: SetDevices, trim: TrimParams, p: number, code: number): void {
  const lsb = trim.range / 2 ** (trim.bits - 1);
  set.trimCodes[p] = code;
  set.trims[p] = code * lsb;
  // A table's pair reads its trim from set.trims (table-response.ts); a circuit's is repacked.
  if (model.table !== undefined) return;
  trimPair(model.design, set.pairs[p]!, code * lsb, model.sigma);
  packPair(model.design, set.pairs[p]!, set.packed, p);
  set.kernel!.store(set.slot!, set.packed);
}

/** Each pair's noiseless error at the calibration input after its trim, into set.residuals. */
function trimResiduals(model: SetModel, set: SetDevices, trim: TrimParams): void {
  const count = model.pairs;
  const sums = new Float64Array(count);
  const target = model.nominal(trim.calibration_input);
  for (let p = 0; p < count; p++) {
    sums.fill(HELD_AT_ZERO);
    sums[p] = trim.calibration_input;
    set.residuals[p] = setOutput(model, set, sums, count, undefined, 0) - target;
  }
}

/** A set trimmed to codes a calibration found before (its trims, packing and residuals as calibrateTrim leaves them). */
export function applyTrimCodes(model: SetModel, set: SetDevices, trim: TrimParams, codes: ArrayLike<number>): void {
  for (let p = 0; p < model.pairs; p++) setTrimCode(model, set, trim, p, codes[p]!);
  trimResiduals(model, set, trim);
}
