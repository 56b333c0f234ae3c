import { TRANSFER_GAIN, saturatedLinear } from '../../components/cenn/template.js';
import type { ClassifierParams } from '../../components/digital/classifier.js';
import { otaCode, otaLsb } from '../../components/ota/hardware-template.js';
import type { Activation, TrainingProfile, WeightQuantizer } from '../../train/profile.js';
import type { Layer } from '../network.js';
import { cnnTrainLayers } from '../training.js';

/**
 * A conv layer's weights as b-bit OTA groups realize them: full scale at the layer's largest
 * |weight| or |bias|, each a whole number of LSB currents (realizeStage, for a stage whose
 * input plane holds values as they are, which is what a conv after the input or a pooling reads).
 */
export function otaQuantizer(bits: number): WeightQuantizer {
  return (w, b, qw, qb) => {
    let full = 0;
    for (let i = 0; i < w.length; i++) full = Math.max(full, Math.abs(w[i]!));
    for (let i = 0; i < b.length; i++) full = Math.max(full, Math.abs(b[i]!));
    const lsb = otaLsb(full, bits);
    for (let i = 0; i < w.length; i++) qw[i] = otaCode(w[i]!, lsb, bits) * lsb;
    for (let i = 0; i < b.length; i++) qb[i] = otaCode(b[i]!, lsb, bits) * lsb;
  };
}

/** A conv stage's cells: the saturated-linear transfer (Chua-Yang, and the IRMEN's M-H curve). */
const CONV_STAGE: Activation = { name: 'saturated linear', f: saturatedLinear, df: (x) => (x > -1 && x < 1 ? 1 : 0) };

/** A ReLU stage's cells: the same transfer on 2u - 1, read back as 0.5 * state + 0.5 (template.ts). */
const { gain, shift, encoding } = TRANSFER_GAIN.relu;
const RELU_STAGE: Activation = {
  name: 'CeNN ReLU stage',
  f: (u) => encoding.scale * saturatedLinear(gain * u + shift) + encoding.offset,
  df: (u) => {
    const x = gain * u + shift;
    return x > -1 && x < 1 ? encoding.scale * gain : 0;
  },
};

/**
 * Training for a CeNN design: its cells' transfer functions and its b-bit OTA weights; the
 * head's words. `passes`: the design sums a convolution one input map per pass, each partial
 * sum saturating in the cells (a charge CeNN); otherwise all maps in one stage (IRMEN).
 */
export function cennTrainingProfile(layers: readonly Layer[], weightBits: number, head: ClassifierParams | undefined, what: string, passes = false): TrainingProfile {
  return {
    description: `${what}: conv and ReLU stages through the saturated-linear cell transfer${passes ? ' (convolutions summed one input map per pass, each partial sum saturating)' : ''}, ${weightBits}-bit OTA weights${head === undefined ? '' : `, ${head.weight_bits}-bit classifier weights`}`,
    layers: cnnTrainLayers(layers, { convWeights: otaQuantizer(weightBits), convTransfer: CONV_STAGE, ...(passes ? { passTransfer: CONV_STAGE } : {}), relu: RELU_STAGE }, head),
  };
}
