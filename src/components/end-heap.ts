import { grown } from '../scheduler/grown.js';

/**
 * Open windows ordered by when they end: a binary min-heap of window numbers, keyed by
 * `ends[number]`, an array the caller owns and passes in (it may grow between calls). The
 * ledger and the Perfetto tracer both sweep power this way, closing windows as time passes
 * them. Only small integers go in and out, never times or watts, so calls box nothing and
 * the heap allocates nothing once it has grown to its working size.
 */
export class EndHeap {
  private items = new Int32Array(64);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** The window that ends first (-1 when none is open). */
  peek(): number {
    return this.n === 0 ? -1 : this.items[0]!;
  }

  push(window: number, ends: Float64Array): void {
    if (this.n === this.items.length) this.items = grown(this.items);
    const it = this.items;
    const end = ends[window]!;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (ends[it[p]!]! <= end) break;
      it[i] = it[p]!;
      i = p;
    }
    it[i] = window;
  }

  /** Removes the window that ends first and returns its number (the heap must not be empty). */
  pop(ends: Float64Array): number {
    const it = this.items;
    const top = it[0]!;
    const n = --this.n;
    const item = it[n]!;
    if (n === 0) return top;
    const end = ends[item]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && ends[it[c + 1]!]! < ends[it[c]!]!) c++;
      if (ends[it[c]!]! >= end) break;
      it[i] = it[c]!;
      i = c;
    }
    it[i] = item;
    return top;
  }
}
