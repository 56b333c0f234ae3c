import { neuronOutput, type MtjNeuronParams } from '../../components/mtj/neuron.js';
import type { MtjRvTable } from '../../components/mtj/rv-table.js';
import type { SerialCell } from '../../components/mtj/serial-mtj.js';
import { programCell, synapseCurrents, type MultiLevelCellParams } from '../../components/mtj/synapse-array.js';
import type { FunctionalModel } from '../design.js';
import type { ArrayShape } from '../mlp.js';

export interface MtjFunctional {
  /** A measured R(V) table the cells read, whose evaluations beyond its range are tallied. */
  readonly rv: MtjRvTable | undefined;
  readonly shapes: readonly ArrayShape[];
  /** Each layer's cells as drawn (fresh, all MTJs low) and the levels to program them to. */
  readonly cells: readonly (readonly SerialCell[])[];
  readonly levels: readonly Int16Array[];
  readonly cell: MultiLevelCellParams;
  readonly neuron: MtjNeuronParams;
  readonly feedback: readonly number[];
  /** Each layer's full-scale input voltage, at which its bias column is driven. */
  readonly fullScales: readonly number[];
}

/**
 * The serial-MTJ perceptron without the kernel: every cell is programmed once by the same
 * pulse-and-verify as the setup phase (a cell that fails keeps the level it reached), then
 * each image's input voltages drive every cell's own I(V) into its row's amplifiers and
 * neurons, layer after layer. The scores are the last layer's output voltages.
 */
export function mtjFunctional(f: MtjFunctional): FunctionalModel & { readonly failed: number } {
  let failed = 0;
  f.cells.forEach((cells, l) => cells.forEach((cell, i) => {
    if (!programCell(cell, f.levels[l]![i]!, f.cell).reached) failed++;
  }));
  let counted: readonly [number, number] = [0, 0];
  const rv = f.rv;
  return {
    failed,
    ...(rv === undefined ? {} : { tally: () => ({ rv_beyond_share: [counted[0], counted[1]] as const }) }),
    infer(pixels) {
      const before = rv === undefined ? [0, 0] : [rv.count.beyond, rv.count.calls];
      let values = pixels.map((x) => x * f.fullScales[0]!);
      f.shapes.forEach((s, l) => {
        const inputs = new Float64Array(s.columns);
        inputs.set(values.subarray(0, s.columns - 1));
        inputs[s.columns - 1] = f.fullScales[l]!;
        const plus = new Float64Array(s.rows);
        const minus = new Float64Array(s.rows);
        synapseCurrents(f.cells[l]!, s.rows, s.columns, inputs, plus, minus);
        values = plus.map((p, r) => neuronOutput(f.neuron, f.feedback[l]!, p, minus[r]!));
      });
      if (rv !== undefined) counted = [rv.count.beyond - before[0]!, rv.count.calls - before[1]!];
      return values;
    },
  };
}
