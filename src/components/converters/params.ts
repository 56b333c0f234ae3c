import { z } from 'zod';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { areaLine, type AreaLine } from '../area.js';

/** A converter array (ADC or DAC): resolution, time per conversion, energy per conversion. */
export const converterParams = z.strictObject({
  bits: wholeNumber(1, 24),
  conversion_time: quantity('time', { min: 0 }),
  energy_per_conversion: quantity('energy', { min: 0 }),
  /**
   * Converters shared by the design; conversions queue for a free one. Leave it out for one
   * converter per value (a column-parallel array that converts a whole batch at once).
   */
  units: wholeNumber(1, 65_536).optional(),
  /** `bipolar` maps [-1, 1] onto the codes; `unipolar` maps [0, 1] (for ReLU outputs). */
  range: z.enum(['bipolar', 'unipolar']).default('bipolar'),
  /**
   * How a value between two codes is resolved: `nearest` (the default: a mid-tread quantizer,
   * thresholds half an LSB off the codes, as a SAR ADC's DAC is usually offset) or `truncate`
   * (a floor quantizer: thresholds at the codes, on average half an LSB low).
   */
  rounding: z.enum(['nearest', 'truncate']).optional(),
});

export type ConverterParams = z.output<typeof converterParams>;

/** A converter array's area: `units` converters of the area the scenario's area table gives one. */
export const converterArea = (name: string, what: 'ADC' | 'DAC', units: number, each: number, bits: number): AreaLine =>
  areaLine(name, 'adc-dac', units, each, `${units.toLocaleString('en-US')} ${bits}-bit ${what}s`);
