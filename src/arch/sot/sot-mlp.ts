import { z } from 'zod';
import { argmax } from '../../components/digital/dense-head.js';
import { CLASSIFIED } from '../../components/records.js';
import { areaTable, transistorArea } from '../../components/area.js';
import { SotCrossbar, crossbarArea, synapseSignal, synapseWeight } from '../../components/sot/crossbar.js';
import { DifferentialAmplifiers, amplifierArea } from '../../components/sot/differential-amplifier.js';
import { outputsOf } from '../../components/sot/messages.js';
import { SigmoidNeurons, neuronArea, neuronTransfer, sigmoidNeuronParams } from '../../components/sot/sigmoid-neuron.js';
import { ANTIPARALLEL, PARALLEL, heavyMetalResistance, parallelResistance, resistanceAt, sotDeviceParams, sotVariationOf, sotVariationParams, tmrAt, writeEnergy } from '../../components/sot/sot-mram.js';
import { beyondWarnings } from '../../device-table/beyond.js';
import { INFER, PROGRAM, WriteDriver, driverArea, writeDriverParams } from '../../components/sot/write-driver.js';
import type { WeightSource } from '../../data/weights.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import type { Activation, TrainLayer, WeightQuantizer } from '../../train/profile.js';
import { defineDesign, type Machine } from '../design.js';
import { followPerceptron, onePerLayer, perceptronArrays, type ArrayShape } from '../mlp.js';
import { NetworkError, type Layer } from '../network.js';
import { designScenario } from '../scenario-fields.js';
import { sotFunctional } from './functional.js';

const params = z
  .strictObject({
  device: sotDeviceParams,
  /** Device-to-device spread of the crossbars' MTJs, drawn per device from each crossbar's stream. */
  device_variation: sotVariationParams.optional(),
  neuron: sigmoidNeuronParams,
  amplifier: z.strictObject({
    power: quantity('power', { min: 0 }),
    settle: quantity('time', { min: 0 }),
    /**
     * Transimpedance of each layer's amplifiers: one value per dense layer, or `derived`: the
     * gain that makes one full-scale input through one W = +1 synapse move a neuron's input
     * by one slope voltage, so the hardware computes the trained sigmoid(-(W x + b)).
     */
    transimpedance: z.union([z.literal('derived'), z.array(quantity('resistance', { positive: true })).min(1)]),
  }),
  crossbar: z.strictObject({ settle: quantity('time', { min: 0 }) }),
  driver: writeDriverParams,
  /** The area table: the 14 nm process, and the transistor counts of the blocks the paper leaves open. */
  area: areaTable({
    amplifier_transistors: wholeNumber(1, 10_000),
    line_driver_transistors: wholeNumber(1, 10_000),
  }),
  })
  .superRefine((p, ctx) => {
    // One row is written per cycle (Table II): its pulse must fit in the cycle.
    if (p.device.write_pulse > p.driver.clock_period) {
      ctx.addIssue({ code: 'custom', path: ['driver', 'clock_period'], message: `a clock cycle (${p.driver.clock_period} ps) must hold the write pulse (params.device.write_pulse, ${p.device.write_pulse} ps): one row is written per cycle` });
    }
    // The driver pushes the write current through the heavy metal from VDD.
    const drop = p.device.write_current * heavyMetalResistance(p.device);
    if (drop > p.neuron.vdd) {
      ctx.addIssue({ code: 'custom', path: ['device', 'write_current'], message: `VDD (params.neuron.vdd, ${p.neuron.vdd} V) cannot push ${p.device.write_current} A through the heavy metal (${heavyMetalResistance(p.device).toFixed(0)} Ohm needs ${drop.toFixed(3)} V)` });
    }
  });

export const sotScenario = designScenario('sot-mlp', params);

/** What an image leaves for the summary: the last layer's outputs, and its device reads (beyond a measured table's range). */
interface SotImageFigures {
  readonly outputs: readonly number[];
  readonly reads: number;
  readonly beyond: number;
}
type SotScenario = z.output<typeof sotScenario>;

/**
 * Each layer's full-scale input voltage: a white pixel's for the first, VDD (a neuron's
 * high output) for the others. The bias column is driven there too, so a binary bias weighs
 * as one full-scale input, as in the trained y = W x + b.
 */
function fullScales(p: SotScenario['params'], layers: number): number[] {
  return Array.from({ length: layers }, (_, l) => (l === 0 ? p.driver.input_full_scale : p.neuron.vdd));
}

/** The amplifiers' transimpedance per layer, given or derived from the devices (see the schema). */
function transimpedances(p: SotScenario['params'], layers: number): number[] {
  const t = p.amplifier.transimpedance;
  if (t !== 'derived') {
    onePerLayer(t, layers, ['params', 'amplifier', 'transimpedance']);
    return [...t];
  }
  return fullScales(p, layers).map((v) => p.neuron.slope_voltage / synapseSignal(p.device, v));
}

/** The weights as the driver writes them: per layer, per row, one +1/-1 per column, the bias last. */
function programOf(dense: readonly Layer[], shapes: readonly ArrayShape[], weights: WeightSource): Int8Array[][] {
  return dense.map((l, i) => {
    const { rows, columns } = shapes[i]!;
    const lw = weights.forLayer(l.index, [rows, columns - 1], rows);
    return Array.from({ length: rows }, (_, r) => {
      const row = new Int8Array(columns);
      for (let c = 0; c < columns - 1; c++) row[c] = synapseWeight(lw.weights[r * (columns - 1) + c]!);
      row[columns - 1] = synapseWeight(lw.bias[r]!);
      return row;
    });
  });
}

/** Weights and biases binarized at 0 (seed 004, Eq. 3), the student network's. */
const binarize: WeightQuantizer = (w, b, qw, qb) => {
  for (let i = 0; i < w.length; i++) qw[i] = synapseWeight(w[i]!);
  for (let i = 0; i < b.length; i++) qb[i] = synapseWeight(b[i]!);
};

/**
 * Seed 004's perceptron of SOT-MRAM crossbars: binary synapses of SOT-MRAM pairs, a
 * differential amplifier per row, 2T-2R sigmoid neurons, and a write driver that programs
 * one row per clock cycle; inference runs through every layer in one cycle.
 */
/** What its 2T-2R neurons compute between layers (seed 004): a sigmoid (of -y, see training). */
const NEURON = 'sigmoid';

export const sotMlp = defineDesign({
  name: 'sot-mlp',
  title: 'SOT-MRAM crossbar MLP (seed 004)',
  schema: sotScenario,
  imports: { maps: 'sot-mlp maps dense layers (Gemm, MatMul + Add) with sigmoid neurons between them, binarizing weights and biases at 0', negated: true },
  build(scenario, { sim, layers, weights }): Machine<SotImageFigures> {
    const p = scenario.params;
    const { dense, shapes } = perceptronArrays(layers, 'an SOT-MRAM perceptron', NEURON);
    const gains = transimpedances(p, dense.length);
    const program = programOf(dense, shapes, weights);
    const variation = sotVariationOf(p.device, p.device_variation);
    const crossbars = shapes.map((s, l) => {
      const crossbar = new SotCrossbar(sim, `layer[${l}]/crossbar`, l, s.rows, s.columns, p.device, variation, p.crossbar.settle);
      new DifferentialAmplifiers(sim, `layer[${l}]/amp`, l, s.rows, gains[l]!, p.neuron.vdd / 2, p.amplifier.power, p.amplifier.settle);
      new SigmoidNeurons(sim, `layer[${l}]/neurons`, l, s.rows, p.neuron, p.device);
      return crossbar;
    });
    const driver = new WriteDriver(sim, 'driver', p.driver, shapes, fullScales(p, shapes.length), p.neuron.vdd, p.device);
    const perLayer = p.crossbar.settle + p.amplifier.settle + p.neuron.settle;
    if (perLayer * shapes.length > p.driver.clock_period) {
      throw new NetworkError({ keyPath: ['params', 'driver', 'clock_period'], path: 'params.driver.clock_period', message: `${shapes.length} layers settle in ${perLayer * shapes.length} ps, more than one clock cycle (${p.driver.clock_period} ps)` });
    }
    const programTopic = sim.bus.topic(PROGRAM);
    const inferTopic = sim.bus.topic(INFER);
    // The class of an image: the last layer's neuron with the highest output voltage.
    const classified = sim.bus.topic(CLASSIFIED);
    sim.bus.topic(outputsOf(shapes.length - 1)).listen((o) => classified.publish({ image: o.image, outputs: o.voltages, predicted: argmax(o.voltages) }));
    return {
      setup() {
        programTopic.publish({ layers: program });
      },
      follow: (selector) => followPerceptron(shapes, selector),
      process(pixels, index) {
        inferTopic.publish({ image: index, inputs: pixels });
      },
      frame: p.driver.clock_period,
      imageFigures: (): SotImageFigures => {
        // Reads beyond a measured R(V) table, this image's (the counts start again for the next).
        let reads = 0;
        let beyond = 0;
        for (const c of crossbars) {
          reads += c.devices.source.count.reads;
          beyond += c.devices.source.count.beyond;
          c.devices.source.count.reads = 0;
          c.devices.source.count.beyond = 0;
        }
        return { outputs: [...driver.lastOutputs], reads, beyond };
      },
      warnings: (figures: readonly SotImageFigures[]) => beyondWarnings({ rv_beyond_share: [figures.reduce((a, f) => a + f.beyond, 0), figures.reduce((a, f) => a + f.reads, 0)] }),
      summary(_images, figures: readonly SotImageFigures[]) {
        const outputs = figures.map((f) => f.outputs);
        const d = p.device;
        return {
          clock_period_ps: p.driver.clock_period,
          inference_cycles: 1,
          write_cycles: driver.programCycles,
          crossbars: shapes.map((s) => `${s.rows} rows x ${s.columns} columns (${s.columns - 1} inputs + bias)`),
          transimpedance_ohm: gains,
          device: {
            r_p_ohm: d.mtj === undefined ? parallelResistance(d) : resistanceAt(d, PARALLEL, 0),
            r_ap_ohm: resistanceAt(d, ANTIPARALLEL, 0),
            tmr_zero_bias: tmrAt(d, 0),
            tmr_at_v0: tmrAt(d, d.v0),
            r_p_at_input_full_scale_ohm: resistanceAt(d, PARALLEL, p.driver.input_full_scale),
            r_ap_at_input_full_scale_ohm: resistanceAt(d, ANTIPARALLEL, p.driver.input_full_scale),
            heavy_metal_ohm: heavyMetalResistance(d),
            write_energy_per_device_j: writeEnergy(d),
          },
          outputs_v: outputs[outputs.length - 1] ?? [],
        };
      },
    };
  },
  functional(scenario, { seed, chip, layers, weights }) {
    const p = scenario.params;
    const { dense, shapes } = perceptronArrays(layers, 'an SOT-MRAM perceptron', NEURON);
    return sotFunctional({
      seed,
      chip,
      shapes,
      program: programOf(dense, shapes, weights),
      device: p.device,
      variation: sotVariationOf(p.device, p.device_variation),
      neuron: p.neuron,
      inputFullScale: p.driver.input_full_scale,
      biasVoltages: fullScales(p, shapes.length),
      transimpedance: transimpedances(p, shapes.length),
    });
  },
  area(scenario, layers) {
    const p = scenario.params;
    const { shapes } = perceptronArrays(layers, 'an SOT-MRAM perceptron', NEURON);
    const t = transistorArea(p.area);
    return {
      lines: [
        ...shapes.flatMap((s, l) => [
          crossbarArea(`layer[${l}]/crossbar`, s.rows, s.columns, p.device, t),
          amplifierArea(`layer[${l}]/amp`, s.rows, p.area.amplifier_transistors, t),
          neuronArea(`layer[${l}]/neurons`, s.rows, p.device, t),
        ]),
        driverArea('driver', shapes, p.area.line_driver_transistors, t),
      ],
    };
  },
  training(scenario, layers) {
    const p = scenario.params;
    const { dense } = perceptronArrays(layers, 'an SOT-MRAM perceptron', NEURON);
    // The 2T-2R neuron in the network's units: o = V_out / VDD for V_in = VDD/2 + V_s y, which is sigmoid(-y).
    const neuron: Activation = { name: 'sigmoid(-y)', f: (y) => neuronTransfer(p.neuron, p.neuron.vdd / 2 + p.neuron.slope_voltage * y) / p.neuron.vdd, df: (_y, o) => -o * (1 - o) };
    // The output neurons' class is the largest V_out, that is the largest -y: the scores.
    const scores: Activation = { name: '-y', f: (y) => -y, df: () => -1 };
    const out: TrainLayer[] = [];
    dense.forEach((l, i) => {
      out.push({ kind: 'dense', index: l.index, input: l.input, output: l.output, quantize: binarize, clip: 1 });
      out.push({ kind: 'activation', index: l.index, input: l.output, output: l.output, activation: i < dense.length - 1 ? neuron : scores });
    });
    return {
      description: 'SOT-MRAM MLP (seed 004): a real-valued teacher (weights clipped to [-1, 1]), then a binarized student (weights and biases in {-1, +1} at threshold 0, gradients to the clipped real-valued copy), sigmoid(-y) neurons',
      layers: out,
      teacher: true,
      exportQuantized: true,
      epochs: 10,
    };
  },
});
