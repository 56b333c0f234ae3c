import { grown } from './grown.js';

/**
 * Numbers of free slots (pooled requests, buffers) as a stack in a typed array. A plain
 * array's pop and push shrink and regrow its store, which allocates on every event.
 */
export class FreeList {
  private items: Int32Array;
  private top = 0;

  constructor(capacity = 64) {
    this.items = new Int32Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.top;
  }

  push(id: number): void {
    if (this.top === this.items.length) this.items = grown(this.items);
    this.items[this.top++] = id;
  }

  /** The last number pushed, or -1 when none is free. */
  pop(): number {
    return this.top === 0 ? -1 : this.items[--this.top]!;
  }
}
