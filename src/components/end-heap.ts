/**
 * Open windows ordered by when they end: a binary min-heap of (end, item). The ledger and
 * the Perfetto tracer both sweep power this way, closing windows as time passes them.
 */
export class EndHeap<T> {
  private readonly ends: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.ends.length;
  }

  /** End time of the window that ends first, if any. */
  peekEnd(): number | undefined {
    return this.ends[0];
  }

  push(end: number, item: T): void {
    const e = this.ends;
    const it = this.items;
    let i = e.length;
    e.push(end);
    it.push(item);
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

  /** Removes the window that ends first and returns its item. */
  pop(): T {
    const e = this.ends;
    const it = this.items;
    const top = it[0]!;
    const end = e.pop()!;
    const item = it.pop()!;
    const n = e.length;
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
}
