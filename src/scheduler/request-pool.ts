import { FreeList } from './free-list.js';

/**
 * Reusable request objects, each with its index in the pool as `id` (so a caller can keep
 * per-request state in typed arrays indexed by it): a new one is made only when none is free.
 */
export class RequestPool<T extends { id: number }> {
  private readonly items: T[] = [];
  private readonly free = new FreeList();

  constructor(private readonly make: () => T) {}

  acquire(): T {
    const i = this.free.pop();
    if (i >= 0) return this.items[i]!;
    const r = this.make();
    r.id = this.items.length;
    this.items.push(r);
    return r;
  }

  release(r: T): void {
    this.free.push(r.id);
  }
}
