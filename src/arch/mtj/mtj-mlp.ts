import { z } from 'zod';
import { argmax } from '../../components/digital/dense-head.js';
import { cellStatistics } from '../../components/mtj/cell-statistics.js';
import { MTJ_OUTPUTS, MtjNeurons, layerDelay, mtjNeuronArea, mtjNeuronParams, neuronOutput, opampSettle } from '../../components/mtj/neuron.js';
import type { SerialCell } from '../../components/mtj/serial-mtj.js';
import { MultiLevelSynapses, drawCells, synapseArea, multiLevelCellParams, mtjInputsOf, mtjProgramOf, mtjProgrammedOf, rvTableOf } from '../../components/mtj/synapse-array.js';
import type { MtjRvTable } from '../../components/mtj/rv-table.js';
import { beyondWarnings } from '../../device-table/beyond.js';
import { streamFor } from '../../components/random.js';
import { areaQuantity, areaTable, transistorArea } from '../../components/area.js';
import { CLASSIFIED, IMAGES, INFERENCE, SETUP } from '../../components/records.js';
import type { WeightSource } from '../../data/weights.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import type { Activation, TrainLayer } from '../../train/profile.js';
import { defineDesign, type Machine } from '../design.js';
import { followPerceptron, onePerLayer, perceptronArrays, type ArrayShape } from '../mlp.js';
import type { Layer } from '../network.js';
import { designScenario } from '../scenario-fields.js';
import { mtjFunctional } from './functional.js';
import { checkProgramming, checkReadVoltages, mapLayer, type LayerLevels } from './mapping.js';

const params = z.strictObject({
  cell: multiLevelCellParams,
  neuron: mtjNeuronParams,
  /** Input voltage of a full-scale input (a white pixel); inputs are bipolar analog voltages. */
  input_full_scale: quantity('voltage', { positive: true }),
  /** Cells drawn for the Monte Carlo statistics of levels and write voltages (seed 002: 300). */
  monte_carlo_cells: wholeNumber(0, 10_000),
  /** The area table: the 180 nm process, one MTJ's footprint, each multi-cell's select transistors. */
  area: areaTable({
    mtj_footprint: areaQuantity(),
    cell_select_transistors: wholeNumber(1, 100),
  }),
});

export const mtjScenario = designScenario('mtj-mlp', params);
type MtjScenario = z.output<typeof mtjScenario>;

/**
 * Each layer's full-scale input voltage: a white pixel's for the first, the neurons' output
 * swing for the others (their outputs are bipolar). The bias column is driven there, so a
 * bias weighs as one full-scale input, as in the trained tanh(W x + b).
 */
const fullScales = (p: MtjScenario['params'], layers: number): number[] => Array.from({ length: layers }, (_, l) => (l === 0 ? p.input_full_scale : p.neuron.output_swing));

/** The read voltages of the layers, each at the key that sets it, checked against what would write the cells. */
const checkScales = (p: MtjScenario['params'], layers: number): void =>
  checkReadVoltages(p.cell, [{ keyPath: ['params', 'input_full_scale'], volts: p.input_full_scale }, ...(layers > 1 ? [{ keyPath: ['params', 'neuron', 'output_swing'], volts: p.neuron.output_swing }] : [])]);

/** Each layer's weights mapped onto its cells' own levels (cells as drawn, fresh). */
function levelsOf(dense: readonly Layer[], shapes: readonly ArrayShape[], weights: WeightSource, cells: readonly (readonly SerialCell[])[], p: MtjScenario['params']): LayerLevels[] {
  return dense.map((layer, l) => {
    const { rows, columns } = shapes[l]!;
    const lw = weights.forLayer(layer.index, [rows, columns - 1], rows);
    return mapLayer(lw.weights, lw.bias, rows, columns, cells[l]!, p.cell);
  });
}

/**
 * The summing amplifiers' R_f per layer, given or derived: the gain that maps the layer's
 * weight range (wMax) onto the nominal conductance span, so that V_d / scale = -(W x + b).
 */
function feedbackOf(p: MtjScenario['params'], mapped: readonly LayerLevels[]): number[] {
  const f = p.neuron.feedback;
  if (f !== 'derived') {
    onePerLayer(f, mapped.length, ['params', 'neuron', 'feedback']);
    return [...f];
  }
  const scales = fullScales(p, mapped.length);
  return mapped.map((m, l) => (p.neuron.input_scale * m.wMax) / (scales[l]! * m.span));
}

/**
 * Seed 002's perceptron: synapses of serially connected MTJs holding N + 1 levels, in pairs
 * (G_P - G_N), summing and differential op-amps and a sigmoid inverter per neuron. The
 * weights are programmed once, by pulse-and-verify; an inference is the settling of every
 * layer's amplifiers in turn.
 */
/** What its neurons compute between layers (seed 002): tanh. */
const NEURON = 'tanh';

/** What an image leaves for the summary: the last layer's outputs, and its V(I) evaluations (beyond a measured table's range). */
interface MtjImageFigures {
  readonly outputs: readonly number[];
  readonly calls: number;
  readonly beyond: number;
}

const rvCount = (rv: MtjRvTable | undefined): { calls: number; beyond: number } => ({ calls: rv?.count.calls ?? 0, beyond: rv?.count.beyond ?? 0 });

export const mtjMlp = defineDesign({
  name: 'mtj-mlp',
  title: 'Multi-level serial-MTJ MLP (seed 002)',
  schema: mtjScenario,
  imports: { maps: 'mtj-mlp maps dense layers (Gemm, MatMul + Add) with tanh neurons between them, each weight on a pair of multi-level cells' },
  build(scenario, { sim, layers, weights }): Machine<MtjImageFigures> {
    const p = scenario.params;
    const { dense, shapes } = perceptronArrays(layers, 'a multi-level MTJ perceptron', NEURON);
    checkProgramming(p.cell);
    checkScales(p, shapes.length);
    const scales = fullScales(p, shapes.length);
    const arrays = shapes.map((s, l) => new MultiLevelSynapses(sim, `layer[${l}]/synapses`, l, s.rows, s.columns, p.cell, scales[l]!));
    const mapped = levelsOf(dense, shapes, weights, arrays.map((a) => a.cells), p);
    const feedback = feedbackOf(p, mapped);
    shapes.forEach((s, l) => new MtjNeurons(sim, `layer[${l}]/neurons`, l, s.rows, p.neuron, feedback[l]!, l === shapes.length - 1));
    const latency = shapes.length * layerDelay(p.neuron);
    const marks = sim.bus.topic(IMAGES);
    const inference = sim.bus.topic(INFERENCE);
    const firstInputs = sim.bus.topic(mtjInputsOf(0));
    const classified = sim.bus.topic(CLASSIFIED);
    let programmedLayers = 0;
    shapes.forEach((_, l) =>
      sim.bus.topic(mtjProgrammedOf(l)).listen(() => {
        if (++programmedLayers === shapes.length) marks.publish({ time: sim.kernel.now, image: SETUP, phase: 'end' });
      }),
    );
    let image = 0;
    let outputs: Float64Array = new Float64Array(0);
    // A measured R(V) table counts its evaluations beyond its range; an image's are the difference over it.
    const rv = rvTableOf(p.cell);
    let counted = rvCount(rv);
    sim.bus.topic(MTJ_OUTPUTS).listen((o) => {
      outputs = o.voltages;
      // The class of an image: the output neuron with the highest voltage.
      classified.publish({ image, outputs: o.voltages, predicted: argmax(o.voltages) });
      marks.publish({ time: sim.kernel.now, image, phase: 'end' });
    });
    return {
      setup() {
        programmedLayers = 0;
        mapped.forEach((m, l) => sim.bus.topic(mtjProgramOf(l)).publish({ levels: m.levels }));
      },
      follow: (selector) => followPerceptron(shapes, selector),
      warnings(figures: readonly MtjImageFigures[]) {
        const failed = arrays.reduce((a, x) => a + x.failed, 0);
        const cells = arrays.reduce((a, x) => a + x.cells.length, 0);
        const beyond = beyondWarnings({ rv_beyond_share: [figures.reduce((a, f) => a + f.beyond, 0), figures.reduce((a, f) => a + f.calls, 0)] });
        return [...(failed === 0 ? [] : [`${failed} of ${cells} cells could not be programmed to their level within params.cell.program.max_voltage (${p.cell.program.max_voltage} V); they keep the level they reached, and the accuracy shows it`]), ...beyond];
      },
      process(pixels, index) {
        image = index;
        counted = rvCount(rv);
        const start = sim.kernel.now;
        inference.publish({ image: index, start, period: latency });
        firstInputs.publish({ image: index, voltages: pixels.map((x) => x * p.input_full_scale), until: start + latency });
      },
      imageFigures: (): MtjImageFigures => {
        const now = rvCount(rv);
        return { outputs: [...outputs], calls: now.calls - counted.calls, beyond: now.beyond - counted.beyond };
      },
      summary(_images, figures: readonly MtjImageFigures[]) {
        const last = figures.map((f) => f.outputs);
        const pulses = arrays.flatMap((a) => a.pulses);
        return {
          layers: shapes.map((s, l) => `${s.rows} neurons x ${s.columns - 1} inputs + bias: ${s.rows * s.columns * 2} cells of ${p.cell.mtjs} MTJs (layer ${l})`),
          layer_latency_ps: layerDelay(p.neuron),
          opamp_settle_ps: opampSettle(p.neuron),
          weight_levels: 2 * p.cell.mtjs + 1,
          feedback_ohm: feedback,
          programming: { cells: pulses.length, pulses_mean: pulses.reduce((a, b) => a + b, 0) / Math.max(1, pulses.length), pulses_max: pulses.reduce((a, b) => Math.max(a, b), 0), failed: arrays.reduce((a, x) => a + x.failed, 0) },
          cell_statistics: p.monte_carlo_cells > 0 ? cellStatistics(p.cell, p.monte_carlo_cells, scenario.seed, 'monte-carlo') : null,
          outputs_v: last[last.length - 1] ?? [],
        };
      },
    };
  },
  functional(scenario, { seed, chip, layers, weights }) {
    const p = scenario.params;
    const { dense, shapes } = perceptronArrays(layers, 'a multi-level MTJ perceptron', NEURON);
    checkProgramming(p.cell);
    checkScales(p, shapes.length);
    // The same cells as the event-level synapse arrays: drawn from each array's own stream.
    const cells = shapes.map((s, l) => drawCells(s.rows * s.columns * 2, p.cell, streamFor(seed, `layer[${l}]/synapses`, chip)));
    const mapped = levelsOf(dense, shapes, weights, cells, p);
    return mtjFunctional({ rv: rvTableOf(p.cell), shapes, cells, levels: mapped.map((m) => m.levels), cell: p.cell, neuron: p.neuron, feedback: feedbackOf(p, mapped), fullScales: fullScales(p, shapes.length) });
  },
  area(scenario, layers) {
    const p = scenario.params;
    const { shapes } = perceptronArrays(layers, 'a multi-level MTJ perceptron', NEURON);
    const t = transistorArea(p.area);
    return {
      lines: shapes.flatMap((s, l) => [
        synapseArea(`layer[${l}]/synapses`, s.rows, s.columns, p.cell.mtjs, p.area.mtj_footprint, p.area.cell_select_transistors, t),
        mtjNeuronArea(`layer[${l}]/neurons`, s.rows, t),
      ]),
    };
  },
  training(scenario, layers) {
    const p = scenario.params;
    const { dense } = perceptronArrays(layers, 'a multi-level MTJ perceptron', NEURON);
    // The neuron in the network's units: V_out / swing for V_d = -input_scale * y, which is tanh(y).
    const unit = p.neuron.input_scale;
    const tanh: Activation = { name: 'tanh', f: (y) => neuronOutput(p.neuron, 1, y * unit, 0) / p.neuron.output_swing, df: (_y, o) => 1 - o * o };
    const out: TrainLayer[] = [];
    dense.forEach((l, i) => {
      out.push({ kind: 'dense', index: l.index, input: l.input, output: l.output });
      if (i < dense.length - 1) out.push({ kind: 'activation', index: l.index, input: l.output, output: l.output, activation: tanh });
    });
    return {
      description: 'serial-MTJ MLP (seed 002): float weights, tanh hidden layers, softmax output (the weights are replaced by the cells\' levels after training, as in the paper)',
      layers: out,
      epochs: 10,
    };
  },
});
