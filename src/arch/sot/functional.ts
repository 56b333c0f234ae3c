import { drawCrossbar, readLayout, rowCurrents, type CrossbarDevices } from '../../components/sot/crossbar.js';
import { amplify } from '../../components/sot/differential-amplifier.js';
import { neuronTransfer, type SigmoidNeuronParams } from '../../components/sot/sigmoid-neuron.js';
import type { SotDeviceParams, SotVariation } from '../../components/sot/sot-mram.js';
import { streamFor } from '../../components/random.js';
import type { FunctionalModel } from '../design.js';
import type { ArrayShape } from '../mlp.js';

export interface SotFunctional {
  readonly seed: string | number;
  /** Which die (streamFor's chip): keys the devices' variation. */
  readonly chip: number;
  readonly shapes: readonly ArrayShape[];
  /** Per layer, per row, one +1/-1 per column (the last column is the bias). */
  readonly program: readonly (readonly Int8Array[])[];
  readonly device: SotDeviceParams;
  readonly variation: SotVariation | undefined;
  readonly neuron: SigmoidNeuronParams;
  readonly inputFullScale: number;
  readonly biasVoltages: readonly number[];
  readonly transimpedance: readonly number[];
}

/**
 * The SOT-MRAM perceptron without the kernel: each layer's inputs (and bias column) drive its
 * crossbar's devices, as drawn from the crossbar's stream, the row amplifiers turn I+ - I- into
 * voltages and the 2T-2R neurons into outputs, which drive the next layer. The scores are the
 * last layer's output voltages.
 */
export function sotFunctional(f: SotFunctional): FunctionalModel {
  const devices: CrossbarDevices[] = f.shapes.map((s, l) => drawCrossbar(f.device, f.variation, s.rows, s.columns, streamFor(f.seed, `layer[${l}]/crossbar`, f.chip)));
  const weights = f.program.map((rows, l) => {
    const w = new Int8Array(f.shapes[l]!.rows * f.shapes[l]!.columns);
    rows.forEach((row, r) => w.set(row, r * f.shapes[l]!.columns));
    return w;
  });
  // Eq. 2's devices read through their layout (a measured table's through deviceResistance).
  const layouts = devices.map((d, l) => readLayout(d, weights[l]!));
  let counted = { reads: 0, beyond: 0 };
  return {
    // The share of device reads beyond a measured R(V) table's range, where there is a table.
    ...(f.device.mtj === undefined ? {} : { tally: () => ({ rv_beyond_share: [counted.beyond, counted.reads] as const }) }),
    infer(pixels) {
      for (const d of devices) {
        d.source.count.reads = 0;
        d.source.count.beyond = 0;
      }
      let values = pixels.map((x) => x * f.inputFullScale);
      f.shapes.forEach((s, l) => {
        const voltages = new Float64Array(s.columns);
        voltages.set(values.subarray(0, s.columns - 1));
        voltages[s.columns - 1] = f.biasVoltages[l]!;
        const plus = new Float64Array(s.rows);
        const minus = new Float64Array(s.rows);
        rowCurrents(devices[l]!, weights[l]!, layouts[l], voltages, plus, minus);
        values = amplify(plus, minus, f.neuron.vdd / 2, f.transimpedance[l]!).map((v) => neuronTransfer(f.neuron, v));
      });
      counted = { reads: 0, beyond: 0 };
      for (const d of devices) {
        counted.reads += d.source.count.reads;
        counted.beyond += d.source.count.beyond;
      }
      return values;
    },
  };
}
