/** The analog range a converter maps onto its codes. */
export type ConverterRange = 'bipolar' | 'unipolar';

/** Uniform quantization of a normalized value to a `bits`-bit code (clipped to the range). */
export function toCode(x: number, bits: number, range: ConverterRange = 'bipolar'): number {
  const levels = 2 ** bits - 1;
  if (range === 'unipolar') return Math.round((x > 1 ? 1 : x < 0 ? 0 : x) * levels);
  const clipped = x > 1 ? 1 : x < -1 ? -1 : x;
  return Math.round(((clipped + 1) / 2) * levels);
}

export function fromCode(code: number, bits: number, range: ConverterRange = 'bipolar'): number {
  const levels = 2 ** bits - 1;
  return range === 'unipolar' ? code / levels : (2 * code) / levels - 1;
}
