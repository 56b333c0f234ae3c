/** Uniform quantization of a normalized value in [-1, 1] to a `bits`-bit code and back (mid-tread). */
export function toCode(x: number, bits: number): number {
  const levels = 2 ** bits - 1;
  const clipped = x > 1 ? 1 : x < -1 ? -1 : x;
  return Math.round(((clipped + 1) / 2) * levels);
}

export function fromCode(code: number, bits: number): number {
  return (2 * code) / (2 ** bits - 1) - 1;
}
