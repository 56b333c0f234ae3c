import { IDENTITY, encodingOf, settlePlanes, type CennStep, type Encoding, type PlaneData, type PlaneShape } from '../../components/cenn/template.js';
import type { Pass } from '../../components/cenn/pass-controller.js';
import { fromCode, fromCodes, toCodes, type ConverterRange } from '../../components/converters/quantize.js';
import { headForward, type HeadLayer } from '../../components/digital/dense-head.js';
import type { CellRead } from '../../components/irmen/cell-read.js';
import { readPlanes, storeDrives, type HeldPlane, type ReadError } from '../../components/irmen/irmen-bank.js';
import { imagePlanes, selectPlane } from '../../components/memory/state-memory.js';
import { evaluateStage, realizeStage, type HardwareStage } from '../../components/ota/hardware-template.js';
import { imageStreamFor } from '../../components/random.js';
import type { FunctionalModel } from '../design.js';

/** The planes a stage's OTAs drive into its cells' inputs (their summed currents), as the OTA array sends them. */
function driveStage(step: CennStep, hw: HardwareStage, driven: ReadonlyMap<string, PlaneData>): [string, PlaneData][] {
  const currents = evaluateStage(hw, (plane) => {
    const p = driven.get(plane);
    if (p === undefined) throw new Error(`stage ${step.index} needs plane '${plane}', which was not driven`);
    return p.values;
  });
  return step.outputs.map((out) => [out.name, { shape: out.shape, encoding: encodingOf(out), values: currents.get(out.name)! }]);
}

/** The encoding of the plane 'v' the last stage writes (the features the head reads). */
export function resultEncoding(steps: readonly CennStep[]): Encoding {
  const out = steps[steps.length - 1]!.outputs.find((o) => o.name === 'v');
  if (out === undefined) throw new Error('the CeNN program does not end with a value plane');
  return encodingOf(out);
}

/** Scores from the head, or the error that the network has none. */
function classify(head: readonly HeadLayer[] | undefined, features: Float64Array): Float64Array {
  if (head === undefined) throw new Error('the network has no dense layers: nothing to classify');
  return headForward(head, features);
}

export interface IrmenFunctional {
  readonly steps: readonly CennStep[];
  readonly bits: number;
  /** How each cell's readout relates to its state (irmen-bank.ts: cellReadOf). */
  readonly read: CellRead;
  readonly banks: readonly [string, string];
  readonly inputShape: PlaneShape;
  readonly head: readonly HeadLayer[] | undefined;
  /** The head's input: readouts of the result plane to network values. */
  readonly decode: (states: Float64Array) => Float64Array;
  readonly seed: string | number;
}

/**
 * The IRMEN dual-CeNN without the kernel: stage by stage, the holding bank's planes are read
 * through the noisy transfer function (from the bank's stream for this image), the OTAs sum
 * them, and the computing bank stores the saturated result; the head reads the last plane.
 * Every step is the function the event-level block calls, in the same order of draws.
 */
export function irmenFunctional(f: IrmenFunctional): FunctionalModel {
  const hardware = f.steps.map((step) => realizeStage(step, f.bits));
  let readError: ReadError = { sum: 0, reads: 0, beyond: 0 };
  return {
    // The share of reads beyond a measured table's range only where there is a table (other results stay as they were).
    tally: () => ({ transfer_error_mean: [readError.sum, readError.reads], ...(f.read.kind === 'table' ? { table_beyond_share: [readError.beyond ?? 0, readError.reads] as const } : {}) }),
    infer(pixels, image) {
      readError = { sum: 0, reads: 0, beyond: 0 };
      const rngs = f.banks.map((b) => imageStreamFor(f.seed, b, image.id));
      const held: Map<string, HeldPlane>[] = [new Map(), new Map()];
      const input = new Map([['v', { shape: f.inputShape, encoding: IDENTITY, values: pixels }]]);
      const withPrevious = f.read.kind === 'llg';
      f.steps.forEach((step, i) => {
        const holder = (i + 1) % 2;
        const driven = i === 0 ? input : readPlanes(held[holder]!, Object.keys(step.inputs), rngs[holder]!, f.read, readError, f.banks[holder]!);
        held[i % 2] = storeDrives(driveStage(step, hardware[i]!, driven), held[i % 2]!, withPrevious);
      });
      const last = (f.steps.length - 1) % 2;
      const result = readPlanes(held[last]!, ['v'], rngs[last]!, f.read, readError, f.banks[last]!).get('v')!;
      return classify(f.head, f.decode(result.values));
    },
  };
}

/** A converter's resolution and range, as the functional charge CeNN needs them. */
export interface Converter {
  readonly bits: number;
  readonly range: ConverterRange;
}

export interface ChargeFunctional {
  readonly passes: readonly Pass[];
  readonly steps: readonly CennStep[];
  readonly bits: number;
  readonly memoryBits: number;
  readonly adc: Converter;
  readonly dac: Converter;
  readonly inputShape: PlaneShape;
  readonly head: readonly HeadLayer[] | undefined;
}

/** Stored codes of the result plane to network values: the ADC's code to a state, then the plane's encoding. */
export function decodeCodes(adc: Converter, encoding: Encoding) {
  return (codes: Float64Array): Float64Array => codes.map((c) => encoding.scale * fromCode(c, adc.bits, adc.range) + encoding.offset);
}

/**
 * The charge CeNN without the kernel: every pass reads its planes from the state memory as
 * codes, through the DACs, the OTAs sum them, the cells settle, and the ADCs' codes go back
 * to memory; the head reads the last plane's codes.
 */
export function chargeFunctional(f: ChargeFunctional): FunctionalModel {
  const hardware = f.passes.map((pass) => realizeStage(pass.step, f.bits));
  const decode = decodeCodes(f.adc, resultEncoding(f.steps));
  return {
    infer(pixels) {
      const memory = imagePlanes(pixels, f.inputShape, f.memoryBits);
      f.passes.forEach((pass, i) => {
        const driven = new Map<string, PlaneData>();
        for (const ref of Object.keys(pass.step.inputs)) {
          const p = selectPlane(memory, ref, 'memory');
          driven.set(ref, { shape: p.shape, encoding: p.encoding, values: fromCodes(p.values, f.dac.bits, f.dac.range) });
        }
        for (const [name, p] of settlePlanes(driveStage(pass.step, hardware[i]!, driven))) {
          memory.set(name, { shape: p.shape, encoding: p.encoding, values: toCodes(p.values, f.adc.bits, f.adc.range) });
        }
      });
      return classify(f.head, decode(memory.get('v')!.values));
    },
  };
}
