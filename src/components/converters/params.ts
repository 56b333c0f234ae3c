import { z } from 'zod';
import { quantity, wholeNumber } from '../../scenario/fields.js';

/** A converter array (ADC or DAC): resolution, time per conversion, energy per conversion. */
export const converterParams = z.strictObject({
  bits: wholeNumber(1, 24),
  conversion_time: quantity('time', { min: 0 }),
  energy_per_conversion: quantity('energy', { min: 0 }),
});

export type ConverterParams = z.output<typeof converterParams>;
