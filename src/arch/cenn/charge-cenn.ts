import { z } from 'zod';
import { ChargeCellArray, chargeCellArea, chargeCellParams } from '../../components/cenn/charge-cell-array.js';
import { READOUTS, type PlaneSamples } from '../../components/cenn/messages.js';
import { CennPassController, type Pass } from '../../components/cenn/pass-controller.js';
import { IDENTITY, type CennStep, type TemplateTerm } from '../../components/cenn/template.js';
import { Adc } from '../../components/converters/adc.js';
import { Dac } from '../../components/converters/dac.js';
import { converterArea, converterParams } from '../../components/converters/params.js';
import { areaQuantity, areaTable, digitalArea, permittivity, transistorArea } from '../../components/area.js';
import { sramArea } from '../../components/memory/sram.js';
import { cennHardwareSize, otaArrayArea } from '../../components/ota/hardware-template.js';
import { WeightSource } from '../../data/weights.js';
import { StateMemory, stateMemoryParams } from '../../components/memory/state-memory.js';
import { OtaArray, otaParams } from '../../components/ota/ota-array.js';
import { topicKey } from '../../scheduler/bus.js';
import type { Ps } from '../../scheduler/time.js';
import { classifierParams } from '../../components/digital/classifier.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { defineDesign, type Machine } from '../design.js';
import { buildHead, headArea, headSummary, planHead } from '../head.js';
import type { Layer } from '../network.js';
import { designScenario } from '../scenario-fields.js';
import { stageBudgetParams } from './irmen-dual-cenn.js';
import { imageFeeder } from './feed.js';
import { followCenn } from './follow.js';
import { chargeFunctional, decodeCodes, resultEncoding } from './functional.js';
import { compileCennProgram } from './program.js';
import { programSummary, sequenceSpans, sequenceTimes, sequencesOf, stagesRun } from './summary.js';
import { checkOtaRange } from './ota-range.js';
import { cennTrainingProfile } from './training.js';

const params = z.strictObject({
  stages: stageBudgetParams,
  timing: z.strictObject({
    /** Settling of a convolution template (per input map). */
    conv_settle: quantity('time', { min: 1 }),
    /** Settling of the other templates (ReLU, pooling steps, hold). */
    settle: quantity('time', { min: 1 }),
  }),
  ota: otaParams,
  /** OTA output current that drives a cell to saturation. */
  full_scale_current: quantity('current', { positive: true }),
  cells: chargeCellParams,
  adc: converterParams,
  dac: converterParams,
  memory: stateMemoryParams,
  classifier: classifierParams.optional(),
  /** The area table: the process, the cells' capacitor dielectric and transistors, the OTAs, one ADC and one DAC, the SRAM's cells. */
  area: areaTable({
    cell_transistors: wholeNumber(1, 1000),
    capacitor_dielectric_thickness: quantity('length', { positive: true }),
    capacitor_relative_permittivity: permittivity(),
    ota_transistors: wholeNumber(1, 1000),
    adc: areaQuantity(),
    dac: areaQuantity(),
    ...digitalArea,
  }),
});

export const chargeScenario = designScenario('charge-cenn', params);
type ChargeScenario = z.output<typeof chargeScenario>;

const TO_DAC = topicKey<PlaneSamples>('dac/in');
const TO_ADC = topicKey<PlaneSamples>('adc/in');
const TO_MEMORY = topicKey<PlaneSamples>('memory/write');

/**
 * Splits a convolution over several input maps into one pass per map: a charge CeNN sums
 * one input map at a time and carries the partial sum through the state memory ('p').
 */
export function passesOf(steps: readonly CennStep[], settle: (step: CennStep) => Ps): Pass[] {
  const passes: Pass[] = [];
  for (const step of steps) {
    if (step.kind !== 'conv' || step.inputMaps <= 1) {
      passes.push({ stage: step.index, step, settle: settle(step) });
      continue;
    }
    const v = step.inputs['v']!;
    const out = step.outputs[0]!;
    for (let j = 0; j < step.inputMaps; j++) {
      const slice = `v#${j}`;
      const terms: TemplateTerm[][] = out.terms.map((ts, k) => [
        ...ts.filter((t) => t.map === j).map((t) => ({ ...t, plane: slice, map: 0 })),
        ...(j > 0 ? [{ plane: 'p', map: k, dy: 0, dx: 0, weight: 1 }] : []),
      ]);
      const inputs = {
        [slice]: { shape: { ...v.shape, maps: 1 }, encoding: v.encoding },
        ...(j > 0 ? { p: { shape: out.shape, encoding: IDENTITY } } : {}),
      };
      const last = j === step.inputMaps - 1;
      passes.push({
        stage: step.index,
        settle: settle(step),
        step: {
          ...step,
          label: `${step.label}, input map ${j}`,
          inputs,
          outputs: [{ ...out, name: last ? 'v' : 'p', terms, bias: j === 0 ? out.bias : out.bias.map(() => 0) }],
        },
      });
    }
  }
  return passes;
}

/**
 * The charge-based CeNN baseline (Lou et al., quoted by seeds 000 and 003): the same stages
 * on charge-based cells, whose volatile state goes through ADCs to a state memory after
 * every pass and comes back through DACs for the next.
 */
export const chargeCenn = defineDesign({
  name: 'charge-cenn',
  title: 'Charge-based CeNN baseline (Lou et al.)',
  schema: chargeScenario,
  imports: { maps: 'charge-cenn maps conv (3x3 or 1x1 kernels, the cells\' neighbourhood) -> ReLU and max-pooling in the CeNN stages its program budget holds, then dense layers on its digital classifier head' },
  build(scenario, { sim, layers, weights }): Machine<readonly number[]> {
    const p = scenario.params;
    const { program, passes, head } = plan(scenario, layers, weights);
    new StateMemory(sim, 'memory', p.memory, TO_DAC, TO_MEMORY);
    new Dac(sim, 'dac', p.dac, TO_DAC, READOUTS);
    new OtaArray(sim, 'array/ota', 'array', p.ota, p.full_scale_current);
    new ChargeCellArray(sim, 'array', p.cells, TO_ADC);
    new Adc(sim, 'adc', p.adc, TO_ADC, TO_MEMORY);
    const controller = new CennPassController(sim, 'cenn', passes, 'memory', 'array', head !== undefined);
    const classifier =
      head === undefined
        ? undefined
        : buildHead(sim, head, {
            producer: 'memory',
            readEnergy: p.memory.word_bits * p.memory.energy_per_bit,
            readDescription: `reading one ${p.memory.word_bits}-bit result word from the state memory`,
            decode: decodeCodes(p.adc, resultEncoding(program.steps)),
          });
    const sequences = sequencesOf(program, layers);
    return {
      countsHead: head?.params.count_in_totals,
      process: imageFeeder(sim, layers, controller),
      follow: (selector) => followCenn(sim, program.steps, selector),
      imageFigures: (image) => sequenceSpans(controller.runs, image, sequences),
      summary(images, spans: readonly (readonly number[])[]) {
        return {
          stages: stagesRun(images),
          ...programSummary(program, layers),
          passes: passes.length,
          sequences: sequenceTimes(spans, sequences),
          ...headSummary(head, classifier),
        };
      },
      derivedCounts: (c) => ({
        stages: c['stage'] ?? 0,
        adc_conversions: c['adc_conversion'] ?? 0,
        dac_conversions: c['dac_conversion'] ?? 0,
        memory_accesses: (c['memory_read'] ?? 0) + (c['memory_write'] ?? 0),
      }),
    };
  },
  functional(scenario, { layers, weights }) {
    const p = scenario.params;
    const { program, passes, head } = plan(scenario, layers, weights);
    const { c, h, w } = layers[0]!.input;
    return chargeFunctional({ passes, steps: program.steps, bits: p.ota.weight_bits, memoryBits: p.memory.word_bits, adc: p.adc, dac: p.dac, inputShape: { maps: c, h, w }, head: head?.quantized });
  },
  area(scenario, layers) {
    const p = scenario.params;
    const a = p.area;
    const t = transistorArea(a);
    // The passes' structure (not the weights' values) sizes the array: one input map per pass.
    const program = compileCennProgram(layers, WeightSource.random(0), { convRelu: p.stages.conv_relu, pool: p.stages.pool });
    const passes = passesOf(program.steps, () => 1);
    const { cells, groupsPerCell } = cennHardwareSize(passes.map((pass) => pass.step));
    return {
      lines: [
        chargeCellArea('array', cells, p.cells, { thickness: a.capacitor_dielectric_thickness, permittivity: a.capacitor_relative_permittivity }, a.cell_transistors, t),
        otaArrayArea('array/ota', cells, groupsPerCell, p.ota.weight_bits, a.ota_transistors, t),
        // Converters left unnumbered are one per cell (a column-parallel array, params.ts).
        converterArea('adc', 'ADC', p.adc.units ?? cells, a.adc, p.adc.bits),
        converterArea('dac', 'DAC', p.dac.units ?? cells, a.dac, p.dac.bits),
        // The state memory holds a pass's input planes and its result: two planes of the array's cells.
        sramArea('memory', 2 * cells, p.memory.word_bits, a.sram_bit_cell, a.sram_array_efficiency),
        ...headArea(program.unmapped, p.classifier, a),
      ],
      ...(p.classifier === undefined || program.unmapped.length === 0 ? {} : { head: p.classifier.count_in_totals }),
    };
  },
  training: (scenario, layers) => cennTrainingProfile(layers, scenario.params.ota.weight_bits, scenario.params.classifier, 'charge CeNN', true),
});

/** The CeNN program, its passes and the head, from the scenario (both modes build from this). */
function plan(scenario: ChargeScenario, layers: readonly Layer[], weights: WeightSource) {
  const p = scenario.params;
  const program = compileCennProgram(layers, weights, { convRelu: p.stages.conv_relu, pool: p.stages.pool });
  const passes = passesOf(program.steps, (step) => (step.kind === 'conv' ? p.timing.conv_settle : p.timing.settle));
  checkOtaRange(passes.map((pass) => pass.step), p.ota.weight_bits, p.ota.max_weight, typeof scenario.weights === 'object');
  return { program, passes, head: planHead(program.unmapped, weights, p.classifier) };
}
