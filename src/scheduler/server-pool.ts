import type { Kernel } from './kernel.js';
import type { Ps } from './time.js';

interface Waiting {
  readonly count: number;
  readonly granted: (servers: number[]) => void;
  readonly since: Ps;
}

/**
 * A pool of identical servers (SRAM ports, multipliers, ADCs, MAAP sets) shared by many
 * requesters, like SimPy's Resource: a request for `count` servers waits, first come first
 * served, until that many are free; the holder releases them when done. Free servers are
 * handed out in the order they were freed, so work spreads over every server.
 *
 * It keeps the busy time of every server, so utilization comes out of the run.
 */
export class ServerPool {
  private readonly free: number[];
  private readonly queue: Waiting[] = [];
  private head = 0;
  private readonly busySince: Float64Array;
  private readonly busy: Float64Array;
  /** Requests granted so far. */
  grants = 0;
  /** Sum over granted requests of the time they waited. */
  waited = 0;
  /** Longest queue seen. */
  maxQueue = 0;

  constructor(
    private readonly kernel: Kernel,
    readonly name: string,
    readonly capacity: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`${name}: capacity must be a whole number >= 1, got ${capacity}`);
    this.free = Array.from({ length: capacity }, (_, i) => i);
    this.busySince = new Float64Array(capacity);
    this.busy = new Float64Array(capacity);
  }

  /** Asks for `count` distinct servers; `granted` runs (now or later) with their indices. */
  acquire(count: number, granted: (servers: number[]) => void): void {
    if (count > this.capacity) throw new RangeError(`${this.name}: asked for ${count} servers, it has ${this.capacity}`);
    if (this.head === this.queue.length && this.free.length >= count) {
      this.grant(count, granted, this.kernel.now);
      return;
    }
    this.queue.push({ count, granted, since: this.kernel.now });
    this.maxQueue = Math.max(this.maxQueue, this.queue.length - this.head);
  }

  /** Holds one server for `duration` ps, then frees it and calls `done` with its index. */
  use(duration: Ps, done: (server: number) => void): void {
    this.acquire(1, ([server]) => {
      this.kernel.after(duration, (s: number) => {
        this.release([s]);
        done(s);
      }, server!);
    });
  }

  release(servers: readonly number[]): void {
    const now = this.kernel.now;
    for (const s of servers) {
      this.busy[s]! += now - this.busySince[s]!;
      this.free.push(s);
    }
    while (this.head < this.queue.length && this.free.length >= this.queue[this.head]!.count) {
      const w = this.queue[this.head++]!;
      this.grant(w.count, w.granted, w.since);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private grant(count: number, granted: (servers: number[]) => void, since: Ps): void {
    const now = this.kernel.now;
    const servers = this.free.splice(0, count);
    for (const s of servers) this.busySince[s] = now;
    this.grants++;
    this.waited += now - since;
    granted(servers);
  }

  /** Busy server-time over available server-time, from `from` to now (servers still held count until now). */
  utilization(from: Ps, to: Ps = this.kernel.now): number {
    if (to <= from) return 0;
    let total = 0;
    for (let s = 0; s < this.capacity; s++) total += this.busy[s]!;
    const held = new Set(this.free);
    for (let s = 0; s < this.capacity; s++) if (!held.has(s)) total += to - this.busySince[s]!;
    return total / (this.capacity * (to - from));
  }

  /** Forgets busy time so far (at the start of an image). */
  resetStatistics(): void {
    this.busy.fill(0);
    const now = this.kernel.now;
    for (let s = 0; s < this.capacity; s++) this.busySince[s] = now;
    this.grants = 0;
    this.waited = 0;
    this.maxQueue = 0;
  }
}
