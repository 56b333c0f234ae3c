import { z } from 'zod';
import { cellStatistics } from '../../components/mtj/cell-statistics.js';
import { MTJ_OUTPUTS, MtjNeurons, layerDelay, mtjNeuronParams, opampSettle } from '../../components/mtj/neuron.js';
import { MultiLevelSynapses, multiLevelCellParams, mtjInputsOf, mtjProgramOf, mtjProgrammedOf } from '../../components/mtj/synapse-array.js';
import { IMAGES, INFERENCE, SETUP } from '../../components/records.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { defineDesign, type Machine } from '../design.js';
import { followPerceptron, onePerLayer, perceptronArrays } from '../mlp.js';
import { designScenario } from '../scenario-fields.js';

const params = z.strictObject({
  cell: multiLevelCellParams,
  neuron: mtjNeuronParams,
  /** Input voltage of a full-scale input (a white pixel); inputs are bipolar analog voltages. */
  input_full_scale: quantity('voltage', { positive: true }),
  /** Voltage on every layer's bias column. */
  bias_voltage: quantity('voltage'),
  /** Cells drawn for the Monte Carlo statistics of levels and write voltages (seed 002: 300). */
  monte_carlo_cells: wholeNumber(0, 100_000),
});

export const mtjScenario = designScenario('mtj-mlp', params);

/** Nominal read conductance of level k of an N-MTJ cell (mean parameters, zero bias). */
const levelConductance = (p: z.output<typeof multiLevelCellParams>, k: number): number => 1 / (k * p.table.b1.mean + (p.mtjs - k) * p.table.b0.mean);

/**
 * A weight as a pair of levels: the cell pair's conductance difference G_P - G_N, one cell
 * at the lowest conductance (level N) and the other at the level nearest the target, so a
 * weight takes one of 2N + 1 values (seed 002, Sec. III: weights "replaced by a discrete
 * version corresponding to multi-state MTJ synapses").
 */
function weightLevels(w: number, wMax: number, p: z.output<typeof multiLevelCellParams>): [number, number] {
  const n = p.mtjs;
  const gMin = levelConductance(p, n);
  const target = (Math.abs(w) / wMax) * (levelConductance(p, 0) - gMin);
  let best = n;
  for (let k = 0; k <= n; k++) if (Math.abs(levelConductance(p, k) - gMin - target) < Math.abs(levelConductance(p, best) - gMin - target)) best = k;
  return w >= 0 ? [best, n] : [n, best];
}


/**
 * Seed 002's perceptron: synapses of serially connected MTJs holding N + 1 levels, in pairs
 * (G_P - G_N), summing and differential op-amps and a sigmoid inverter per neuron. The
 * weights are programmed once, by pulse-and-verify; an inference is the settling of every
 * layer's amplifiers in turn.
 */
export const mtjMlp = defineDesign({
  name: 'mtj-mlp',
  title: 'Multi-level serial-MTJ MLP (seed 002)',
  schema: mtjScenario,
  build(scenario, { sim, layers, weights }): Machine {
    const p = scenario.params;
    const { dense, shapes } = perceptronArrays(layers, 'a multi-level MTJ perceptron');
    onePerLayer(p.neuron.feedback, dense.length, ['params', 'neuron', 'feedback']);
    const arrays = shapes.map((s, l) => new MultiLevelSynapses(sim, `layer[${l}]/synapses`, l, s.rows, s.columns, p.cell, p.bias_voltage));
    shapes.forEach((s, l) => new MtjNeurons(sim, `layer[${l}]/neurons`, l, s.rows, p.neuron, l === shapes.length - 1));
    const programs = dense.map((layer, l) => {
      const { rows, columns } = shapes[l]!;
      const lw = weights.forLayer(layer.index, [rows, columns - 1], rows);
      const all = [...lw.weights, ...lw.bias];
      const wMax = all.reduce((m, w) => Math.max(m, Math.abs(w)), 0) || 1;
      const levels = new Int16Array(rows * columns * 2);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < columns; c++) {
          const w = c < columns - 1 ? lw.weights[r * (columns - 1) + c]! : lw.bias[r]!;
          const [lp, ln] = weightLevels(w, wMax, p.cell);
          levels[(r * columns + c) * 2] = lp;
          levels[(r * columns + c) * 2 + 1] = ln;
        }
      }
      return levels;
    });
    const latency = shapes.length * layerDelay(p.neuron);
    const marks = sim.bus.topic(IMAGES);
    const inference = sim.bus.topic(INFERENCE);
    const firstInputs = sim.bus.topic(mtjInputsOf(0));
    let programmedLayers = 0;
    shapes.forEach((_, l) =>
      sim.bus.topic(mtjProgrammedOf(l)).listen(() => {
        if (++programmedLayers === shapes.length) marks.publish({ time: sim.kernel.now, image: SETUP, phase: 'end' });
      }),
    );
    let image = 0;
    let outputs: Float64Array = new Float64Array(0);
    sim.bus.topic(MTJ_OUTPUTS).listen((o) => {
      outputs = o.voltages;
      marks.publish({ time: sim.kernel.now, image, phase: 'end' });
    });
    return {
      setup() {
        programmedLayers = 0;
        programs.forEach((levels, l) => sim.bus.topic(mtjProgramOf(l)).publish({ levels }));
      },
      follow: (selector) => followPerceptron(shapes, selector),
      process(pixels, index) {
        image = index;
        const start = sim.kernel.now;
        inference.publish({ image: index, start, period: latency });
        firstInputs.publish({ image: index, voltages: pixels.map((x) => x * p.input_full_scale), until: start + latency });
      },
      summary() {
        const pulses = arrays.flatMap((a) => a.pulses);
        const out = [...outputs];
        return {
          layers: shapes.map((s, l) => `${s.rows} neurons x ${s.columns - 1} inputs + bias: ${s.rows * s.columns * 2} cells of ${p.cell.mtjs} MTJs (layer ${l})`),
          layer_latency_ps: layerDelay(p.neuron),
          opamp_settle_ps: opampSettle(p.neuron),
          weight_levels: 2 * p.cell.mtjs + 1,
          programming: { cells: pulses.length, pulses_mean: pulses.reduce((a, b) => a + b, 0) / Math.max(1, pulses.length), pulses_max: pulses.reduce((a, b) => Math.max(a, b), 0), failed: arrays.reduce((a, x) => a + x.failed, 0) },
          cell_statistics: p.monte_carlo_cells > 0 ? cellStatistics(p.cell, p.monte_carlo_cells, scenario.seed, 'monte-carlo') : null,
          outputs_v: out,
          predicted: out.length > 0 ? out.indexOf(Math.max(...out)) : null,
        };
      },
    };
  },
});
