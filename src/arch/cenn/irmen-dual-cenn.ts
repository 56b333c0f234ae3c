import path from 'node:path';
import { z } from 'zod';
import { beyondWarnings } from '../../device-table/beyond.js';
import { InputPort } from '../../components/cenn/input-port.js';
import { CennStageController, checkWindow } from '../../components/cenn/stage-controller.js';
import { IrmenBank, cellReadOf, irmenBankArea, irmenDynamicsOf, irmenParams, type CellSetting } from '../../components/irmen/irmen-bank.js';
import { readSpread, type CellRead } from '../../components/irmen/cell-read.js';
import { FIELD_STEP } from '../../components/irmen/read-physics.js';
import { CellDynamics, SETTLE_TOLERANCE } from '../../components/irmen/cell-dynamics.js';
import { RunError } from '../run-error.js';
import { OtaArray, otaParams } from '../../components/ota/ota-array.js';
import { cennHardwareSize, otaArrayArea } from '../../components/ota/hardware-template.js';
import { areaLine, areaQuantity, areaTable, digitalArea, transistorArea } from '../../components/area.js';
import { WeightSource } from '../../data/weights.js';
import { fromCode, toCode } from '../../components/converters/quantize.js';
import { classifierParams } from '../../components/digital/classifier.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { parseQuantity } from '../../scenario/units.js';
import { defineDesign, type Machine } from '../design.js';
import { buildHead, headArea, headSummary, planHead } from '../head.js';
import { designScenario } from '../scenario-fields.js';
import { imageFeeder } from './feed.js';
import { followCenn } from './follow.js';
import { irmenFunctional, resultEncoding } from './functional.js';
import { compileCennProgram } from './program.js';
import { programSummary, sequenceSpans, sequenceTimes, sequencesOf, stagesRun } from './summary.js';
import { checkOtaRange } from './ota-range.js';
import { cennTrainingProfile } from './training.js';

export const stageBudgetParams = z.strictObject({
  conv_relu: wholeNumber(1, 1000),
  pool: wholeNumber(1, 1000),
});

/**
 * An IRMEN CeNN's timing: a stage delay written as a time, or `derived` from the magnet (the
 * time its LLG macrospin takes to settle within 5 % after a full-scale step, cell-dynamics.ts).
 */
const irmenTimingParams = z
  .strictObject({
    stage_delay: z.union([z.literal('derived'), quantity('time', { min: 1 })], {
      // A time that parses but is too short gets the bound, not the form.
      error: (issue) =>
        parseQuantity(issue.input, 'time').ok ? `must be at least 1 ps (a stage has to last), got '${String(issue.input)}'` : "expected a time with its unit, like '1.5 ns', or 'derived' (the magnet's settling time, from the LLG solver)",
    }),
    window: quantity('time', { min: 1 }),
  })
  .superRefine((t, ctx) => {
    // A derived delay is checked against the window when it is known (stageDelayOf).
    if (t.stage_delay !== 'derived') checkWindow(t.window, t.stage_delay, ctx);
  });

/** The stage delay in picoseconds: as written, or the magnet's settling time (which must leave room for the window). */
export function stageDelayOf(s: { readonly params: { readonly timing: z.output<typeof irmenTimingParams>; readonly irmen: z.output<typeof irmenParams> } }): number {
  const t = s.params.timing;
  if (t.stage_delay !== 'derived') return t.stage_delay;
  const settle = new CellDynamics(irmenDynamicsOf(s.params.irmen, 1)).settlingTime(-0.9, 0.9, SETTLE_TOLERANCE);
  if (!Number.isFinite(settle)) throw new RunError('params.timing.stage_delay: derived, but the magnet does not settle within 20 ns (its damping?)');
  const ps = Math.max(1, Math.round(settle * 1e12));
  if (t.window > ps) throw new RunError(`params.timing.window (${t.window} ps) is longer than the derived stage delay (${ps} ps, the magnet's settling time)`);
  return ps;
}

/** Where the design's cells sit: its stage delay and window, and each cell's input RC (shunt resistor into the ME capacitor). */
export function cellSettingOf(s: IrmenScenario, stageDelayPs: number): CellSetting {
  return { stageDelayPs, windowPs: s.params.timing.window, inputRc: s.params.shunt_resistance * s.params.irmen.me_capacitance };
}

/** The spread of what the next cell receives from a cell at drive u (settled, or from the same drive for the LLG table), noise scale included. */
function readSpreadAt(read: CellRead, u: number): number {
  if (read.kind === 'analytic') return read.scale * read.stats.sd[Math.round(u / FIELD_STEP)]!;
  if (read.kind === 'table') return readSpread(read, u);
  const t = read.table;
  const at = Math.round(((u + t.span) / (2 * t.span)) * (t.states - 1));
  const row = Math.round(((u + t.span) / (2 * t.span)) * (t.previous - 1));
  return read.scale * t.sd[row * t.states + at]!;
}

const params = z.strictObject({
  stages: stageBudgetParams,
  timing: irmenTimingParams,
  irmen: irmenParams,
  ota: otaParams,
  /** Shunt resistor of each cell: the OTA current that saturates a cell is V_sat / R. */
  shunt_resistance: quantity('resistance', { positive: true }),
  /** The converters that digitize the last bank's readout for the digital classifier head. */
  readout_adc: z.strictObject({ bits: wholeNumber(1, 24), energy_per_conversion: quantity('energy', { min: 0 }) }).optional(),
  classifier: classifierParams.optional(),
  /** The area table: the process, the cells' and OTAs' transistors, the head's digital cells. */
  area: areaTable({
    cell_transistors: wholeNumber(1, 1000),
    ota_transistors: wholeNumber(1, 1000),
    ...digitalArea,
    /** One readout ADC (with params.readout_adc): the head reads the result cells one at a time through it. */
    readout_adc: areaQuantity().optional(),
  }),
}).superRefine((p, ctx) => {
  if (p.readout_adc !== undefined && p.area.readout_adc === undefined) {
    ctx.addIssue({ code: 'custom', path: ['area', 'readout_adc'], message: "required key is missing: the area of the readout ADC (params.readout_adc), like '2000 um^2'" });
  }
});

export const irmenScenario = designScenario('irmen-dual-cenn', params);
type IrmenScenario = z.output<typeof irmenScenario>;

const BANKS = ['bankA', 'bankB'] as const;

/** The bank that holds the last stage's result (stages alternate, A computing the first). */
const resultBank = (stages: number): string => BANKS[(stages - 1) % 2]!;

/**
 * How the head's input sees the result plane: each cell read once through its noisy transfer
 * function, digitized by the readout ADC (when the scenario has one), decoded to values.
 */
function headDecoder(s: IrmenScenario, encoding: { scale: number; offset: number }): (states: Float64Array) => Float64Array {
  const adc = s.params.readout_adc;
  return (states) => states.map((x) => encoding.scale * (adc === undefined ? x : fromCode(toCode(x, adc.bits), adc.bits)) + encoding.offset);
}

/**
 * Seed 000's accelerator: two IRMEN CeNN banks that take turns, one holding the previous
 * stage's result as non-volatile analog state and feeding it to the other, which computes
 * and stores; no ADC, DAC or state memory between stages.
 */
/** What one image leaves for the summary: its sequence times, its read error sums, its result plane's range. */
interface IrmenImageFigures {
  readonly spans: readonly number[];
  readonly read_error: readonly [number, number];
  /** Reads beyond a measured transfer table's range. */
  readonly read_beyond: number;
  readonly result: Record<string, unknown>;
}

export const irmenDualCenn = defineDesign({
  name: 'irmen-dual-cenn',
  title: 'IRMEN dual-CeNN (seed 000)',
  schema: irmenScenario,
  imports: { maps: 'irmen-dual-cenn maps conv (3x3 or 1x1 kernels, the cells\' neighbourhood) -> ReLU and max-pooling in the CeNN stages its program budget holds, then dense layers on its digital classifier head' },
  build(scenario, { sim, layers, weights }): Machine<IrmenImageFigures> {
    const p = scenario.params;
    const program = compileCennProgram(layers, weights, { convRelu: p.stages.conv_relu, pool: p.stages.pool });
    checkOtaRange(program.steps, p.ota.weight_bits, p.ota.max_weight, typeof scenario.weights === 'object');
    const head = planHead(program.unmapped, weights, p.classifier);
    const stageDelay = stageDelayOf(scenario);
    const timing = { stage_delay: stageDelay, window: p.timing.window };
    const read = cellReadOf(p.irmen, cellSettingOf(scenario, stageDelay), scenario.seed);
    const banks = [new IrmenBank(sim, BANKS[0], p.irmen, read), new IrmenBank(sim, BANKS[1], p.irmen, read)] as const;
    const cell = banks[0].model;
    const fullScale = cell.saturationVoltage / p.shunt_resistance;
    for (const bank of banks) new OtaArray(sim, `${bank.name}/ota`, bank.name, p.ota, fullScale);
    new InputPort(sim, 'input');
    const controller = new CennStageController(sim, 'cenn', program.steps, BANKS, 'input', timing, head !== undefined);
    const adcEnergy = p.readout_adc?.energy_per_conversion ?? 0;
    const classifier =
      head === undefined
        ? undefined
        : buildHead(sim, head, {
            producer: resultBank(program.steps.length),
            // One read of a cell: its drive current for a window, then a conversion.
            readEnergy: cell.drivePower * p.timing.window * 1e-12 + adcEnergy,
            readDescription: `reading one result cell (drive current for ${p.timing.window} ps${p.readout_adc === undefined ? '' : `, one ${p.readout_adc.bits}-bit conversion`})`,
            decode: headDecoder(scenario, resultEncoding(program.steps)),
          });
    const sequences = sequencesOf(program, layers);
    return {
      countsHead: head?.params.count_in_totals,
      process: imageFeeder(sim, layers, controller),
      follow: (selector) => followCenn(sim, program.steps, selector),
      imageFigures: (image): IrmenImageFigures => ({
        spans: sequenceSpans(controller.runs, image, sequences),
        read_error: [banks[0].readError.sum + banks[1].readError.sum, banks[0].readError.reads + banks[1].readError.reads],
        read_beyond: (banks[0].readError.beyond ?? 0) + (banks[1].readError.beyond ?? 0),
        result: resultOf(banks[(program.steps.length - 1) % 2]!),
      }),
      summary(images, figures: readonly IrmenImageFigures[]) {
        let errorSum = 0;
        let reads = 0;
        for (const f of figures) {
          errorSum += f.read_error[0];
          reads += f.read_error[1];
        }
        // Seed 000's "write energy with external circuitry" per cell: the OTA current that
        // drives it, charging its ME capacitor and cycling its access transistor.
        const lines = images.flatMap((i) => i.lines);
        const part = (action: string, bankOnly = false): number => lines.filter((l) => l.action === action && (!bankOnly || !l.component.endsWith('/ota'))).reduce((a, l) => a + l.energy, 0);
        const writes = lines.filter((l) => l.action === 'irmen_write').reduce((a, l) => a + l.count, 0);
        return {
          stages: stagesRun(images),
          write_energy_with_circuitry_per_cell_j: writes > 0 ? (part('ota_static') + part('irmen_write') + part('access_transistor', true)) / writes : 0,
          ...programSummary(program, layers),
          sequences: sequenceTimes(figures.map((f) => f.spans), sequences),
          device: {
            fm_length_m: p.irmen.fm_length,
            thermal_stability: cell.delta,
            saturation_voltage_v: cell.saturationVoltage,
            full_scale_current_a: fullScale,
            thermal_spread: cell.thermalSpread,
            read_spread_at_zero: readSpreadAt(read, 0),
            read_spread_at_saturation: readSpreadAt(read, 1.5),
            transfer: typeof p.irmen.transfer === 'object' ? `table ${path.basename(p.irmen.transfer.table)}` : (p.irmen.transfer ?? 'analytic'),
            stage_delay_ps: stageDelay,
            write_energy_per_cell_j: cell.writeEnergy,
            drive_resistance_ohm: cell.driveResistance,
          },
          transfer_error_mean: reads > 0 ? errorSum / reads : 0,
          result: figures[figures.length - 1]?.result ?? {},
          ...headSummary(head, classifier),
        };
      },
      derivedCounts: () => ({ adc_conversions: 0, dac_conversions: 0 }),
      warnings: (figures: readonly IrmenImageFigures[]) => beyondWarnings({ table_beyond_share: [figures.reduce((a, f) => a + f.read_beyond, 0), figures.reduce((a, f) => a + f.read_error[1], 0)] }),
    };
  },
  functional(scenario, { layers, weights, seed }) {
    const p = scenario.params;
    const program = compileCennProgram(layers, weights, { convRelu: p.stages.conv_relu, pool: p.stages.pool });
    checkOtaRange(program.steps, p.ota.weight_bits, p.ota.max_weight, typeof scenario.weights === 'object');
    const head = planHead(program.unmapped, weights, p.classifier);
    const decode = headDecoder(scenario, resultEncoding(program.steps));
    const { c, h, w } = layers[0]!.input;
    const model = irmenFunctional({
      steps: program.steps,
      bits: p.ota.weight_bits,
      read: cellReadOf(p.irmen, cellSettingOf(scenario, stageDelayOf(scenario)), seed),
      banks: BANKS,
      inputShape: { maps: c, h, w },
      head: head?.quantized,
      decode,
      seed,
    });
    return model;
  },
  area(scenario, layers) {
    const p = scenario.params;
    const a = p.area;
    const t = transistorArea(a);
    // The program's structure (not its weights' values) sizes the banks.
    const program = compileCennProgram(layers, WeightSource.random(0), { convRelu: p.stages.conv_relu, pool: p.stages.pool });
    const { cells, groupsPerCell } = cennHardwareSize(program.steps);
    return {
      lines: [
        ...BANKS.flatMap((bank) => [irmenBankArea(bank, cells, p.irmen, a.cell_transistors, t), otaArrayArea(`${bank}/ota`, cells, groupsPerCell, p.ota.weight_bits, a.ota_transistors, t)]),
        ...headArea(program.unmapped, p.classifier, a),
        // The head reads the result cells one at a time, through one converter (its energy is the head's too).
        ...(p.readout_adc === undefined || a.readout_adc === undefined || program.unmapped.length === 0 ? [] : [areaLine('classifier/readout_adc', 'classifier', 1, a.readout_adc, `one ${p.readout_adc.bits}-bit ADC reading the result cells`)]),
      ],
      ...(p.classifier === undefined || program.unmapped.length === 0 ? {} : { head: p.classifier.count_in_totals }),
    };
  },
  training: (scenario, layers) => cennTrainingProfile(layers, scenario.params.ota.weight_bits, scenario.params.classifier, 'IRMEN dual-CeNN', false, { budget: { convRelu: scenario.params.stages.conv_relu, pool: scenario.params.stages.pool }, read: (noise) => cellReadOf({ ...scenario.params.irmen, noise_scale: noise, transfer: typeof scenario.params.irmen.transfer === 'object' ? scenario.params.irmen.transfer : 'analytic' }, cellSettingOf(scenario, stageDelayOf(scenario)), scenario.seed) }),
});

/** The last stage's output as the bank holds it: shape and decoded value range. */
function resultOf(bank: IrmenBank): Record<string, unknown> {
  const v = bank.contents.get('v');
  if (v === undefined) return {};
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const s of v.values) {
    const x = v.encoding.scale * s + v.encoding.offset;
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
  }
  return { bank: bank.name, shape: `${v.shape.h}x${v.shape.w}x${v.shape.maps}`, min, max, mean: sum / v.values.length };
}
