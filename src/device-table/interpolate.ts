/**
 * Linear interpolation on a table's strictly increasing argument. Past either end the value
 * is the end's (never extrapolated); the caller counts such reads (`outsideTable`) so a run
 * that leaves the measured range says so. Allocation-free: this runs per cell read.
 */

/** Index i of the segment [xs[i], xs[i+1]] holding x (clamped to the first and last). */
export function segmentOf(xs: Float64Array, x: number): number {
  let lo = 0;
  let hi = xs.length - 2;
  if (x <= xs[0]!) return 0;
  if (x >= xs[hi + 1]!) return hi;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where x falls in its segment, in [0, 1] (0 or 1 past the ends). */
export function fractionIn(xs: Float64Array, i: number, x: number): number {
  const f = (x - xs[i]!) / (xs[i + 1]! - xs[i]!);
  return f <= 0 ? 0 : f >= 1 ? 1 : f;
}

/** ys at x in segment i (segmentOf or SegmentIndex.find), linear between its ends. */
export function valueIn(xs: Float64Array, ys: Float64Array, i: number, x: number): number {
  return ys[i]! + fractionIn(xs, i, x) * (ys[i + 1]! - ys[i]!);
}

/** ys at x, linear between the table's points, the end value past them. */
export const interpolate = (xs: Float64Array, ys: Float64Array, x: number): number => valueIn(xs, ys, segmentOf(xs, x), x);

/** Whether x lies outside the table's measured range. */
export const outsideTable = (xs: Float64Array, x: number): boolean => x < xs[0]! || x > xs[xs.length - 1]!;

/**
 * segmentOf in O(1) for a table read millions of times (an MTJ's V(I) in every Newton step):
 * a guide of evenly spaced buckets over the range, each holding the first segment that reaches
 * into it, then a step or two forward. The same segment as segmentOf, for any spacing of xs.
 */
export class SegmentIndex {
  private readonly guide: Int32Array;
  private readonly lo: number;
  private readonly scale: number;

  constructor(readonly xs: Float64Array) {
    const n = xs.length;
    const buckets = 4 * n;
    this.lo = xs[0]!;
    this.scale = buckets / (xs[n - 1]! - this.lo);
    this.guide = new Int32Array(buckets + 1);
    let seg = 0;
    for (let b = 0; b <= buckets; b++) {
      const x = this.lo + b / this.scale;
      while (seg < n - 2 && xs[seg + 1]! <= x) seg++;
      this.guide[b] = seg;
    }
  }

  /** Index i of the segment [xs[i], xs[i+1]] holding x (clamped to the first and last). */
  find(x: number): number {
    const xs = this.xs;
    const last = xs.length - 2;
    if (!(x > xs[0]!)) return 0;
    if (x >= xs[last + 1]!) return last;
    let i = this.guide[Math.floor((x - this.lo) * this.scale)]!;
    while (i < last && xs[i + 1]! <= x) i++;
    return i;
  }
}
