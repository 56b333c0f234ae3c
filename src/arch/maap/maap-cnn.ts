import { z } from 'zod';
import { Adc } from '../../components/converters/adc.js';
import { converterArea, converterParams } from '../../components/converters/params.js';
import { areaQuantity, areaTable, digitalArea, transistorArea } from '../../components/area.js';
import { fromCode, toCode } from '../../components/converters/quantize.js';
import { classifierParams } from '../../components/digital/classifier.js';
import { MultiplierPool, multiplierArea, multiplierParams } from '../../components/digital/multiplier.js';
import { MAAP_RESULTS, MaapArray, maapArea, maapErrors, maapParams, trimResidual, type MaapErrorSums } from '../../components/maap/maap-array.js';
import { DEVICE_PARAMETERS, pairSensitivities } from '../../components/maap/maap-circuit.js';
import { maapPairTable } from '../../components/maap/pair-table.js';
import { beyondWarnings } from '../../device-table/beyond.js';
import { displayPath } from '../../scenario/load.js';
import { IMAGES, SETUP } from '../../components/records.js';
import { MAAP_CONVERTED, MaapController } from '../../components/maap/maap-controller.js';
import { Sram, sramArea, sramParams } from '../../components/memory/sram.js';
import { TemplateBuffer, templateBufferParams } from '../../components/maap/template-buffer.js';
import { wholeNumber } from '../../scenario/fields.js';
import { NetworkError } from '../network.js';
import type { WeightSource } from '../../data/weights.js';
import { defineDesign, type Machine } from '../design.js';
import { buildHead, headArea, headSummary, planHead } from '../head.js';
import type { Layer } from '../network.js';
import { designScenario } from '../scenario-fields.js';
import { cnnTrainLayers, signMagnitudeQuantizer } from '../training.js';
import { maapFunctional, pairsPerSet } from './functional.js';
import { describeMaapLayer, fanIn, mapMaapLayers, maapCounts, planMaap } from './mapping.js';

const params = z.strictObject({
  /** b: bits of weights, activations, SRAM words, multipliers and ADC codes (seed 003: 4, 8, 32). */
  bits: wholeNumber(1, 32),
  maap: maapParams,
  sram: sramParams,
  multipliers: multiplierParams,
  /** The ADCs that convert MAAP outputs (their resolution is `bits`; outputs are ReLU'd, so unipolar). */
  adc: converterParams.omit({ bits: true, range: true }),
  /** Outputs in progress per group of R sets: 2 lets one output's template load while another runs. */
  outputs_in_flight_per_group: wholeNumber(1, 64),
  /**
   * A template buffer (template-buffer.ts): each template word is read from SRAM once per
   * image and broadcast to every group that needs it. Absent: every output reads its own
   * template, as seed 003's Eq. 2 counts memory accesses.
   */
  template_buffer: templateBufferParams.optional(),
  classifier: classifierParams.optional(),
  /** The area table: the process, the MAAP sets' devices, the digital side's cells, one ADC. */
  area: areaTable({
    cell_transistors: wholeNumber(1, 1000),
    she_footprint: areaQuantity(),
    ota_transistors: wholeNumber(1, 1000),
    ...digitalArea,
    adc: areaQuantity(),
  }),
});

export const maapScenario = designScenario('maap-cnn', params);
type MaapScenario = z.output<typeof maapScenario>;

/** The mapping, the SRAM plan and the head, from the scenario (both modes build from this). */
function layout(scenario: MaapScenario, layers: readonly Layer[], weights: WeightSource) {
  const p = scenario.params;
  const { maap, unmapped } = mapMaapLayers(layers);
  const sram = planMaap(maap, weights, p.bits);
  if (sram.words > p.sram.words) {
    throw new NetworkError({ keyPath: ['params', 'sram', 'words'], path: 'params.sram.words', message: `the network needs ${sram.words} words (templates, image, outputs), the SRAM has ${p.sram.words}` });
  }
  if (p.maap.redundancy > p.maap.sets) {
    throw new NetworkError({ keyPath: ['params', 'maap', 'redundancy'], path: 'params.maap.redundancy', message: `each output is measured on R = ${p.maap.redundancy} distinct sets, but there are only ${p.maap.sets} (params.maap.sets)` });
  }
  if (p.maap.pair !== undefined) checkPairTable(p.maap);
  const last = sram.plans[sram.plans.length - 1]!;
  const region = { address: last.outputBase, words: last.output.c * last.output.h * last.output.w };
  // The head reads the last layer's words and decodes them as the ADC coded them.
  const decode = (codes: Float64Array): Float64Array => codes.map((c) => fromCode(c, p.bits, 'unipolar'));
  return { maap, unmapped, sram, region, decode, head: planHead(unmapped, weights, p.classifier) };
}

/**
 * A pair table replaces the circuit's devices: their spread is its columns', and its noise its
 * sd_I, so what the circuit would draw (params.maap.variation) must be zero, and thermal noise
 * needs the table to give it.
 */
function checkPairTable(maap: MaapScenario['params']['maap']): void {
  const v = maap.variation;
  const table = maapPairTable(maap.pair!.table);
  if (v.resistance_sigma !== 0 || v.tmr_sigma !== 0 || v.critical_current_sigma !== 0 || v.threshold_sigma !== 0) {
    throw new NetworkError({ keyPath: ['params', 'maap', 'variation'], path: 'params.maap.variation', message: `the pair table ${displayPath(table.file)} gives the pairs (${table.devices.length} measured; their spread is the variation), so the circuit's device spreads do not apply: set resistance_sigma, tmr_sigma, critical_current_sigma and threshold_sigma to 0` });
  }
  if (maap.thermal_noise && table.noise === undefined) {
    throw new NetworkError({ keyPath: ['params', 'maap', 'thermal_noise'], path: 'params.maap.thermal_noise', message: `the pair table ${displayPath(table.file)} has no sd_I column (the input-referred thermal noise of one measurement): add it, or set thermal_noise: false` });
  }
}

/**
 * Seed 003's MAAP-CNN: convolution, ReLU and max-pooling in one SHE-MTJ operation per
 * output, surrounded by digital storage: inputs and templates in SRAM, multiplied digitally,
 * driven by OTAs into M physical MAAP sets, each output measured R times and converted by
 * an ADC back to SRAM. SRAM ports, multipliers, ADCs and sets are shared, so the latency is
 * whatever the contention makes it.
 */
/** What one image leaves for the summary: how busy each shared resource was, and its error sums. */
interface MaapImageFigures {
  readonly utilization: { readonly sram_ports: number; readonly multipliers: number; readonly maap_sets: number; readonly adcs: number };
  readonly errors: MaapErrorSums;
  /** A pair table's reads in the image, and those beyond its range. */
  readonly table?: { readonly reads: number; readonly beyond: number };
}

/**
 * What the circuit gives the report: the output's first-order sensitivity to one sigma of
 * each device parameter at mid-scale input (from the circuit equations, maap-circuit.ts),
 * the thermal spread per magnet, and what the trim left.
 */
function circuitFigures(array: MaapArray, variation: MaapScenario['params']['maap']['variation']) {
  const table = array.model.table;
  if (table !== undefined) {
    return {
      pair_table: { file: displayPath(table.table.file), source: table.table.source, measured_pairs: table.devices.length },
      thermal_sigma_input_at_half_scale: array.model.sigma,
      ...(array.params.trim.enabled ? { trim_residual: trimResidual(array.chip, array.params.trim.bits) } : {}),
    };
  }
  const s = pairSensitivities(array.model.design, 0.5);
  const sigma = { r: variation.resistance_sigma, t: variation.tmr_sigma, c: variation.critical_current_sigma, f: variation.resistance_sigma, vt: variation.threshold_sigma };
  const names = { r: 'mtj_resistance', t: 'tmr', c: 'critical_current', f: 'reference_resistor', vt: 'inverter_threshold' } as const;
  const perSigma = (cell: Record<(typeof DEVICE_PARAMETERS)[number], number>) => Object.fromEntries(DEVICE_PARAMETERS.map((k) => [names[k], cell[k] * sigma[k]]));
  const c1 = perSigma(s.cell1);
  const c2 = perSigma(s.cell2);
  const pairSpread = Math.sqrt([...Object.values(c1), ...Object.values(c2)].reduce((a, v) => a + v * v, 0));
  return {
    output_change_per_sigma_at_half_scale: { cell1: c1, cell2: c2 },
    pair_spread_at_half_scale: pairSpread,
    thermal_sigma_m: array.model.sigma,
    ...(array.params.trim.enabled ? { trim_residual: trimResidual(array.chip, array.params.trim.bits) } : {}),
  };
}

export const maapCnn = defineDesign({
  name: 'maap-cnn',
  title: 'MAAP-CNN, SHE-MTJ MAAP sets (seed 003)',
  schema: maapScenario,
  imports: { maps: 'maap-cnn maps conv -> ReLU [-> max-pool] groups (any kernel, stride and pooling window its sets sum, group = 1; ReLU saturates at the set\'s full scale), then dense layers on its digital classifier head' },
  build(scenario, { sim, layers, weights }): Machine<MaapImageFigures> {
    const p = scenario.params;
    const { maap, unmapped, sram: words, region, decode, head } = layout(scenario, layers, weights);
    const sram = new Sram(sim, 'sram', p.sram, p.bits);
    for (const t of words.templates) sram.preload(t.address, t.codes);
    const mult = new MultiplierPool(sim, 'mult', p.multipliers, p.bits);
    const array = new MaapArray(sim, 'maap', p.maap, p.bits, pairsPerSet(words.plans), p.adc.energy_per_conversion);
    const adc = new Adc(sim, 'adc', { ...p.adc, bits: p.bits, range: 'unipolar' }, MAAP_RESULTS, MAAP_CONVERTED);
    const groups = Math.floor(p.maap.sets / p.maap.redundancy);
    const controller = new MaapController(sim, 'maap/controller', words.plans, p.bits, p.maap.averaging === 'digital', groups * p.outputs_in_flight_per_group, 'sram', 'mult', groups, head !== undefined, p.template_buffer !== undefined);
    if (p.template_buffer !== undefined) new TemplateBuffer(sim, 'maap/template-buffer', p.template_buffer, p.bits);
    const classifier =
      head === undefined
        ? undefined
        : buildHead(sim, head, { producer: 'sram', region, readEnergy: p.bits * p.sram.energy_per_bit, readDescription: `reading one ${p.bits}-bit result word from SRAM`, decode });
    const expected = maapCounts(maap);
    const marks = sim.bus.topic(IMAGES);
    return {
      countsHead: head?.params.count_in_totals,
      // The mean-error calibration, once per chip: every set's search at once.
      ...(p.maap.trim.enabled
        ? {
            setup() {
              const duration = array.calibrate() + p.maap.trim.bits * p.adc.conversion_time;
              sim.kernel.after(duration, () => marks.publish({ time: sim.kernel.now, image: SETUP, phase: 'end' }), undefined);
            },
          }
        : {}),
      process(pixels, index) {
        sram.preload(words.imageBase, Array.from(pixels, (x) => toCode(x, p.bits, 'unipolar')));
        controller.start(index);
      },
      follow: (selector) => controller.relatedOps(selector),
      imageFigures: (image): MaapImageFigures => ({
        utilization: {
          sram_ports: sram.utilization(image.start, image.end),
          multipliers: mult.units.utilization(image.start, image.end),
          maap_sets: array.utilization(image.start, image.end),
          adcs: adc.pool?.utilization(image.start, image.end) ?? 0,
        },
        errors: { ...array.squared },
        ...(array.model.table === undefined ? {} : { table: { ...array.model.table.count } }),
      }),
      warnings: (figures: readonly MaapImageFigures[]) => beyondWarnings({ pair_beyond_share: [figures.reduce((a, f) => a + (f.table?.beyond ?? 0), 0), figures.reduce((a, f) => a + (f.table?.reads ?? 0), 0)] }),
      summary(_images, figures: readonly MaapImageFigures[]) {
        // Utilization of the last image (they differ only by contention, which all images share).
        const utilization = figures[figures.length - 1]?.utilization ?? { sram_ports: 0, multipliers: 0, maap_sets: 0, adcs: 0 };
        const busiest = Object.entries(utilization).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
        return {
          bits: p.bits,
          redundancy: p.maap.redundancy,
          averaging: p.maap.averaging,
          sets: p.maap.sets,
          maap_layers: maap.map(describeMaapLayer),
          unmapped_layers: unmapped.map((l) => `dense ${l.output.w}`),
          count_rule: expected,
          utilization,
          busiest,
          errors: maapErrors(figures.map((f) => f.errors)),
          circuit: circuitFigures(array, p.maap.variation),
          ...headSummary(head, classifier),
        };
      },
      derivedCounts: (c) => ({
        maap_outputs: c['maap_output'] ?? 0,
        maap_ops: c['maap_op'] ?? 0,
        adc_conversions: c['adc_conversion'] ?? 0,
        multiplies: c['multiply'] ?? 0,
        memory_accesses: (c['sram_read'] ?? 0) + (c['sram_write'] ?? 0),
      }),
    };
  },
  functional(scenario, { layers, weights, seed, chip }) {
    const p = scenario.params;
    const { sram, decode, head } = layout(scenario, layers, weights);
    return maapFunctional({ plans: sram.plans, templates: sram.templates, bits: p.bits, rounding: p.adc.rounding ?? 'nearest', maap: p.maap, seed, chip, head: head?.quantized, decode });
  },
  area(scenario, layers) {
    const p = scenario.params;
    const a = p.area;
    const { maap, unmapped } = mapMaapLayers(layers);
    const t = transistorArea(a);
    const pairs = Math.max(1, ...maap.map((l) => l.pool * l.pool));
    const weightsPerPair = Math.max(1, ...maap.map(fanIn));
    return {
      lines: [
        ...maapArea(p.maap, p.bits, pairs, weightsPerPair, a, t),
        sramArea('sram', p.sram.words, p.bits, a.sram_bit_cell, a.sram_array_efficiency),
        // The template buffer holds every template word of the network, counted at the SRAM's
        // bit-cell density (a lower bound: a register file's cells are larger).
        ...(p.template_buffer === undefined ? [] : [sramArea('maap/template-buffer', maap.reduce((sum, l) => sum + l.templates * fanIn(l), 0), p.bits, a.sram_bit_cell, a.sram_array_efficiency)]),
        multiplierArea('mult', p.multipliers.units, p.bits, a.gate),
        converterArea('adc', 'ADC', p.adc.units ?? 1, a.adc, p.bits),
        ...headArea(unmapped, p.classifier, a),
      ],
      ...(p.classifier === undefined || unmapped.length === 0 ? {} : { head: p.classifier.count_in_totals }),
    };
  },
  training(scenario, layers) {
    const p = scenario.params;
    // The ADC's b-bit unipolar code of an output, as the next layer and the head read it.
    const adc = (y: number): number => fromCode(toCode(y, p.bits, 'unipolar', p.adc.rounding), p.bits, 'unipolar');
    return {
      description: `MAAP-CNN: ${p.bits}-bit sign-magnitude templates, ReLU saturating at the MAAP set's output range, ${p.bits}-bit ADC codes between layers${p.classifier === undefined ? '' : `, ${p.classifier.weight_bits}-bit classifier weights`}`,
      input: adc,
      layers: cnnTrainLayers(
        layers,
        {
          convWeights: signMagnitudeQuantizer(p.bits),
          relu: { name: 'MAAP activation', f: (x) => (x < 0 ? 0 : x > 1 ? 1 : x), df: (x) => (x > 0 && x < 1 ? 1 : 0) },
          reluQuantize: adc,
        },
        p.classifier,
      ),
    };
  },
});
