import { z } from 'zod';
import { SotCrossbar } from '../../components/sot/crossbar.js';
import { DifferentialAmplifiers } from '../../components/sot/differential-amplifier.js';
import { SigmoidNeurons, sigmoidNeuronParams } from '../../components/sot/sigmoid-neuron.js';
import { ANTIPARALLEL, PARALLEL, heavyMetalResistance, parallelResistance, resistanceAt, sotDeviceParams, tmrAt, writeEnergy } from '../../components/sot/sot-mram.js';
import { INFER, PROGRAM, WriteDriver, writeDriverParams } from '../../components/sot/write-driver.js';
import { quantity } from '../../scenario/fields.js';
import { defineDesign, type Machine } from '../design.js';
import { followPerceptron, onePerLayer, perceptronArrays } from '../mlp.js';
import { NetworkError } from '../network.js';
import { designScenario } from '../scenario-fields.js';

const params = z.strictObject({
  device: sotDeviceParams,
  neuron: sigmoidNeuronParams,
  amplifier: z.strictObject({
    power: quantity('power', { min: 0 }),
    settle: quantity('time', { min: 0 }),
    /** Transimpedance of each layer's amplifiers (one value per dense layer). */
    transimpedance: z.array(quantity('resistance', { positive: true })).min(1),
  }),
  crossbar: z.strictObject({ settle: quantity('time', { min: 0 }) }),
  driver: writeDriverParams,
});

export const sotScenario = designScenario('sot-mlp', params);


/** Binarizes a weight as seed 004 Eq. 3 does (threshold 0). */
const binary = (w: number): 1 | -1 => (w >= 0 ? 1 : -1);

/**
 * Seed 004's perceptron of SOT-MRAM crossbars: binary synapses of SOT-MRAM pairs, a
 * differential amplifier per row, 2T-2R sigmoid neurons, and a write driver that programs
 * one row per clock cycle; inference runs through every layer in one cycle.
 */
export const sotMlp = defineDesign({
  name: 'sot-mlp',
  title: 'SOT-MRAM crossbar MLP (seed 004)',
  schema: sotScenario,
  build(scenario, { sim, layers, weights }): Machine {
    const p = scenario.params;
    const { dense, shapes } = perceptronArrays(layers, 'an SOT-MRAM perceptron');
    onePerLayer(p.amplifier.transimpedance, dense.length, ['params', 'amplifier', 'transimpedance']);
    const program = dense.map((l, i) => {
      const { rows, columns } = shapes[i]!;
      const lw = weights.forLayer(l.index, [rows, columns - 1], rows);
      return Array.from({ length: rows }, (_, r) => {
        const row = new Int8Array(columns);
        for (let c = 0; c < columns - 1; c++) row[c] = binary(lw.weights[r * (columns - 1) + c]!);
        row[columns - 1] = binary(lw.bias[r]!);
        return row;
      });
    });
    shapes.forEach((s, l) => {
      new SotCrossbar(sim, `layer[${l}]/crossbar`, l, s.rows, s.columns, p.device, p.crossbar.settle);
      new DifferentialAmplifiers(sim, `layer[${l}]/amp`, l, s.rows, p.amplifier.transimpedance[l]!, p.neuron.vdd / 2, p.amplifier.power, p.amplifier.settle);
      new SigmoidNeurons(sim, `layer[${l}]/neurons`, l, s.rows, p.neuron, p.device);
    });
    const driver = new WriteDriver(sim, 'driver', p.driver, shapes, p.neuron.vdd, p.device);
    const perLayer = p.crossbar.settle + p.amplifier.settle + p.neuron.settle;
    if (perLayer * shapes.length > p.driver.clock_period) {
      throw new NetworkError({ keyPath: ['params', 'driver', 'clock_period'], path: 'params.driver.clock_period', message: `${shapes.length} layers settle in ${perLayer * shapes.length} ps, more than one clock cycle (${p.driver.clock_period} ps)` });
    }
    const programTopic = sim.bus.topic(PROGRAM);
    const inferTopic = sim.bus.topic(INFER);
    return {
      setup() {
        programTopic.publish({ layers: program });
      },
      follow: (selector) => followPerceptron(shapes, selector),
      process(pixels, index) {
        inferTopic.publish({ image: index, inputs: pixels });
      },
      summary() {
        const d = p.device;
        const out = [...driver.lastOutputs];
        return {
          clock_period_ps: p.driver.clock_period,
          inference_cycles: 1,
          write_cycles: driver.programCycles,
          crossbars: shapes.map((s) => `${s.rows} rows x ${s.columns} columns (${s.columns - 1} inputs + bias)`),
          device: {
            r_p_ohm: parallelResistance(d),
            r_ap_ohm: resistanceAt(d, ANTIPARALLEL, 0),
            tmr_zero_bias: tmrAt(d, 0),
            tmr_at_v0: tmrAt(d, d.v0),
            r_p_at_input_full_scale_ohm: resistanceAt(d, PARALLEL, p.driver.input_full_scale),
            r_ap_at_input_full_scale_ohm: resistanceAt(d, ANTIPARALLEL, p.driver.input_full_scale),
            heavy_metal_ohm: heavyMetalResistance(d),
            write_energy_per_device_j: writeEnergy(d),
          },
          outputs_v: out,
          predicted: out.length > 0 ? out.indexOf(Math.max(...out)) : null,
        };
      },
    };
  },
});
