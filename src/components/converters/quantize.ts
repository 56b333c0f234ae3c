/** The analog range a converter maps onto its codes. */
export type ConverterRange = 'bipolar' | 'unipolar';

// 2^b - 1 for b = 0..53, looked up rather than raised to a power at every conversion.
const LEVELS = Array.from({ length: 54 }, (_, b) => 2 ** b - 1);
const levelsOf = (bits: number): number => LEVELS[bits] ?? 2 ** bits - 1;

/** How a converter resolves a value between two codes (converters/params.ts: rounding). */
export type Rounding = 'nearest' | 'truncate';

/** Uniform quantization of a normalized value to a `bits`-bit code (clipped to the range), to the nearest code or truncated. */
export function toCode(x: number, bits: number, range: ConverterRange = 'bipolar', rounding: Rounding = 'nearest'): number {
  const levels = levelsOf(bits);
  const scaled = range === 'unipolar' ? (x > 1 ? 1 : x < 0 ? 0 : x) * levels : (((x > 1 ? 1 : x < -1 ? -1 : x) + 1) / 2) * levels;
  return rounding === 'nearest' ? Math.round(scaled) : Math.floor(scaled);
}

export function fromCode(code: number, bits: number, range: ConverterRange = 'bipolar'): number {
  const levels = levelsOf(bits);
  return range === 'unipolar' ? code / levels : (2 * code) / levels - 1;
}

/**
 * Sign-magnitude words of `bits` bits (a sign bit and bits - 1 of magnitude), full scale at
 * the largest |w|: code = round(w / scale), scale = max |w| / (2^(bits-1) - 1). How weights
 * are stored in digital memory (seed 003's templates in SRAM, a classifier head's weights).
 */
export function signMagnitudeScale(weights: ArrayLike<number>, bits: number): number {
  let max = 0;
  for (let i = 0; i < weights.length; i++) max = Math.max(max, Math.abs(weights[i]!));
  return (max || 1) / Math.max(1, 2 ** (bits - 1) - 1);
}

/** The code of `w` at `scale` (see signMagnitudeScale). */
export const signMagnitudeCode = (w: number, scale: number): number => Math.round(w / scale);

/** A batch of values to codes (an ADC array, a host writing an image into memory). */
export function toCodes(values: ArrayLike<number>, bits: number, range: ConverterRange = 'bipolar', rounding: Rounding = 'nearest'): Float64Array {
  const codes = new Float64Array(values.length);
  for (let i = 0; i < codes.length; i++) codes[i] = toCode(values[i]!, bits, range, rounding);
  return codes;
}

/** A batch of codes to values (a DAC array). */
export function fromCodes(codes: ArrayLike<number>, bits: number, range: ConverterRange = 'bipolar'): Float64Array {
  const values = new Float64Array(codes.length);
  for (let i = 0; i < values.length; i++) values[i] = fromCode(codes[i]!, bits, range);
  return values;
}
