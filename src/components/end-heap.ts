import { grown } from '../scheduler/grown.js';

/**
 * Open windows ordered by when they end: a binary min-heap of (end, value). The ledger and
 * the Perfetto tracer both sweep power this way, closing windows as time passes them.
 * Ends and values sit in typed arrays and the heap keeps its own size, so pushing and
 * popping (once per timed action) allocate nothing once the heap has grown to its working
 * size. A value is a number (watts, or the caller's index of what it needs back).
 */
export class EndHeap {
  private ends = new Float64Array(64);
  private items = new Float64Array(64);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** End time of the window that ends first, if any. */
  peekEnd(): number | undefined {
    return this.n === 0 ? undefined : this.ends[0];
  }

  push(end: number, item: number): void {
    if (this.n === this.ends.length) this.grow();
    const e = this.ends;
    const it = this.items;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (e[p]! <= end) break;
      e[i] = e[p]!;
      it[i] = it[p]!;
      i = p;
    }
    e[i] = end;
    it[i] = item;
  }

  /** Removes the window that ends first and returns its item (the heap must not be empty). */
  pop(): number {
    const e = this.ends;
    const it = this.items;
    const top = it[0]!;
    const n = --this.n;
    const end = e[n]!;
    const item = it[n]!;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && e[c + 1]! < e[c]!) c++;
      if (e[c]! >= end) break;
      e[i] = e[c]!;
      it[i] = it[c]!;
      i = c;
    }
    e[i] = end;
    it[i] = item;
    return top;
  }

  private grow(): void {
    this.ends = grown(this.ends);
    this.items = grown(this.items);
  }
}
