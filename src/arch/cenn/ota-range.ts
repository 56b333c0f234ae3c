import type { CennStep } from '../../components/cenn/template.js';
import { realizeStage } from '../../components/ota/hardware-template.js';
import { NetworkError } from '../network.js';

/**
 * Checks that every stage's template fits the OTA groups: its full scale (the largest
 * |weight| or |bias| it must realize, in units of a cell's saturating current) is at most
 * `maxWeight`. A weight beyond it is not realizable; it is reported at the weights, with the
 * layer and stage, never turned into a silent, absurd current and energy.
 */
export function checkOtaRange(steps: readonly CennStep[], bits: number, maxWeight: number, weightsFromFile: boolean): void {
  for (const step of steps) {
    const hw = realizeStage(step, bits);
    const full = hw.lsb * (2 ** bits - 1);
    if (full > maxWeight) {
      const where = weightsFromFile ? { keyPath: ['weights', 'file'], path: 'weights.file' } : { keyPath: ['params', 'ota', 'max_weight'], path: 'params.ota.max_weight' };
      throw new NetworkError({
        ...where,
        message: `layer ${step.layer} (stage ${step.index}, ${step.label}) needs weights up to ${full.toPrecision(3)} times a cell's saturating current; the OTA groups source at most ${maxWeight} (params.ota.max_weight)`,
      });
    }
  }
}
