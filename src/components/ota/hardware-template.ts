import { TRANSFER_GAIN, planeSize, type CennStep, type OutputPlane } from '../cenn/template.js';
import { areaLine, type AreaLine } from '../area.js';

/** One input of an output cell in hardware terms: a flat offset into the input plane and a quantized weight. */
export interface HardwareTerm {
  readonly plane: string;
  /** Offset from the cell's base index in the input plane (map * h * w + dy * w + dx). */
  readonly offset: number;
  /** Width of the input plane it reads: output cell (y, x) reads around (y * stride) * width + x * stride. */
  readonly width: number;
  /** Quantized weight in units of the cell's full-scale input current. */
  readonly weight: number;
  /** |weight| in LSB units: which binary-weighted OTAs of the group are powered. */
  readonly code: number;
}

export interface HardwarePlane {
  readonly plane: OutputPlane;
  /** Per output map: its terms and its quantized bias (a bias OTA with constant input). */
  readonly maps: readonly { readonly terms: readonly HardwareTerm[]; readonly bias: number; readonly biasCode: number }[];
}

/** A stage's template realized by b-bit OTA groups, with what it costs to power. */
export interface HardwareStage {
  readonly step: CennStep;
  readonly planes: readonly HardwarePlane[];
  /** Weight of one LSB, in units of the full-scale current (the stage's largest |weight| / (2^b - 1)). */
  readonly lsb: number;
  /** OTA groups powered (one per non-zero template entry per output cell). */
  readonly groups: number;
  /** Sum over powered groups of their codes: the bias current drawn, in LSB currents. */
  readonly lsbUnits: number;
  /** Unit OTAs switched on (set bits of the codes). */
  readonly unitsOn: number;
  /**
   * Weight bits read from weight storage through access transistors. Templates are the
   * same for every cell, so each entry's bits are read once per stage and broadcast to the
   * cells' OTA gates (whose charging is counted as switching).
   */
  readonly bitsLoaded: number;
  /** Output cells written. */
  readonly cells: number;
}

/**
 * A weight as a b-bit OTA group realizes it: |w| in LSB currents, at most 2^b - 1, the sign
 * being the current's direction. Returns the signed code (code * lsb is the weight).
 */
export function otaCode(w: number, lsb: number, bits: number): number {
  const code = Math.min(2 ** bits - 1, Math.round(Math.abs(w) / lsb));
  return w < 0 ? -code : code;
}

/** The LSB of b-bit OTA groups whose full scale is `full` (the largest |weight| or |bias| they must give). */
export const otaLsb = (full: number, bits: number): number => (full > 0 ? full / (2 ** bits - 1) : 1);

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x; v > 0; v >>>= 1) n += v & 1;
  return n;
};

/**
 * Realizes a stage's logical template in hardware. A consumer reads states, so each weight
 * is multiplied by its input plane's encoding scale and the offsets fold into the bias; the
 * transfer (linear or ReLU) adds its gain and shift. Weights are quantized to `bits` bits of
 * magnitude (the sign is the current's direction), full scale set per stage, since the OTAs
 * are reprogrammed for every stage (seed 000, Sec. IV-A).
 */
export function realizeStage(step: CennStep, bits: number): HardwareStage {
  // First pass: hardware weights in full-scale units, to find the stage's full scale.
  const raw = step.outputs.map((plane) => {
    const { gain, shift } = TRANSFER_GAIN[plane.transfer];
    return plane.terms.map((terms, k) => {
      let bias = plane.bias[k]!;
      const hw = terms.map((t) => {
        const input = step.inputs[t.plane];
        if (input === undefined) throw new Error(`stage ${step.index}: template reads plane '${t.plane}' that the stage has no input for`);
        bias += t.weight * input.encoding.offset;
        return { t, weight: gain * t.weight * input.encoding.scale, inputShape: input.shape };
      });
      return { hw, bias: gain * bias + shift };
    });
  });
  let full = 0;
  for (const plane of raw) for (const map of plane) {
    for (const h of map.hw) full = Math.max(full, Math.abs(h.weight));
    full = Math.max(full, Math.abs(map.bias));
  }
  const lsb = otaLsb(full, bits);
  const quantize = (w: number): { weight: number; code: number } => {
    const code = otaCode(w, lsb, bits);
    return { weight: code * lsb, code: Math.abs(code) };
  };

  let groups = 0;
  let lsbUnits = 0;
  let unitsOn = 0;
  let bitsLoaded = 0;
  let cells = 0;
  const planes: HardwarePlane[] = step.outputs.map((plane, p) => {
    const cellsPerMap = plane.shape.h * plane.shape.w;
    cells += planeSize(plane.shape);
    const maps = raw[p]!.map((map) => {
      const terms: HardwareTerm[] = [];
      for (const { t, weight, inputShape } of map.hw) {
        const q = quantize(weight);
        bitsLoaded += bits;
        if (q.code === 0) continue;
        terms.push({ plane: t.plane, offset: t.map * inputShape.h * inputShape.w + t.dy * inputShape.w + t.dx, width: inputShape.w, weight: q.weight, code: q.code });
        groups += cellsPerMap;
        lsbUnits += q.code * cellsPerMap;
        unitsOn += popcount(q.code) * cellsPerMap;
      }
      const b = quantize(map.bias);
      bitsLoaded += bits;
      if (b.code > 0) {
        groups += cellsPerMap;
        lsbUnits += b.code * cellsPerMap;
        unitsOn += popcount(b.code) * cellsPerMap;
      }
      return { terms, bias: b.weight, biasCode: b.code };
    });
    return { plane, maps };
  });
  return { step, planes, lsb, groups, lsbUnits, unitsOn, bitsLoaded, cells };
}

/**
 * Sums each output cell's input current (in full-scale units) from the states it reads:
 * u = sum(weight * state) + bias.
 */
export function evaluateStage(hw: HardwareStage, read: (plane: string) => Float64Array): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const { plane, maps } of hw.planes) {
    const { h, w } = plane.shape;
    const u = new Float64Array(planeSize(plane.shape));
    const s = plane.stride;
    maps.forEach((map, k) => {
      const sources = map.terms.map((t) => read(t.plane));
      const terms = map.terms;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let sum = map.bias;
          // Each term reads its own plane, whose width may differ (a partial sum beside its input map).
          for (let i = 0; i < terms.length; i++) {
            const t = terms[i]!;
            sum += t.weight * sources[i]![y * s * t.width + x * s + t.offset]!;
          }
          u[k * h * w + y * w + x] = sum;
        }
      }
    });
    out.set(plane.name, u);
  }
  return out;
}

/**
 * The cells and OTA groups a CeNN bank is built with, from its program: as many cells as the
 * largest stage writes, and in every cell as many b-bit OTA groups as the widest template a
 * stage gives one output (its entries and its bias): the OTAs are reprogrammed per stage,
 * not duplicated. The structure, not the weights' values, sets it.
 */
export function cennHardwareSize(steps: readonly CennStep[]): { readonly cells: number; readonly groupsPerCell: number } {
  let cells = 0;
  let groupsPerCell = 0;
  for (const step of steps) {
    cells = Math.max(cells, step.outputs.reduce((a, p) => a + planeSize(p.shape), 0));
    for (const p of step.outputs) for (const terms of p.terms) groupsPerCell = Math.max(groupsPerCell, terms.length + 1);
  }
  return { cells, groupsPerCell };
}

/** A bank's OTAs: per cell, `groupsPerCell` groups of b binary-weighted unit OTAs of `otaTransistors` each. */
export function otaArrayArea(name: string, cells: number, groupsPerCell: number, bits: number, otaTransistors: number, transistor: number): AreaLine {
  return areaLine(name, 'analog', cells, groupsPerCell * bits * otaTransistors * transistor, `${groupsPerCell} groups of ${bits} unit OTAs (${otaTransistors} transistors each) per cell`);
}
