import type { Kernel } from './kernel.js';
import type { Ps } from './time.js';

/** Called when a request gets a server: the server's index and the token the request carried. */
export type Grant<T> = (server: number, token: T) => void;

/**
 * A pool of identical servers (SRAM ports, multipliers, ADCs, MAAP set groups) shared by many
 * requesters, like SimPy's Resource: a request waits, first come first served, until a server
 * is free; the holder releases it when done. Free servers are handed out in the order they
 * were freed, so work spreads over every server.
 *
 * A request is a grant function and a token (the requester's own state) rather than a
 * closure, and free servers and waiting requests sit in ring buffers, so a request costs no
 * allocation. The pool keeps the busy time of every server, so utilization comes out of the run.
 */
export class ServerPool {
  // Free servers, a ring in the order they were freed.
  private readonly free: Int32Array;
  private freeHead = 0;
  private freeCount: number;
  private readonly busyFlag: Uint8Array;
  // Waiting requests, a growable ring.
  private waitFn: Grant<never>[] = [];
  private waitToken: unknown[] = [];
  private waitSince: Float64Array = new Float64Array(16);
  private waitHead = 0;
  private waitCount = 0;
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
    this.free = Int32Array.from({ length: capacity }, (_, i) => i);
    this.freeCount = capacity;
    this.busyFlag = new Uint8Array(capacity);
    this.busySince = new Float64Array(capacity);
    this.busy = new Float64Array(capacity);
    this.waitFn = new Array<Grant<never>>(16);
    this.waitToken = new Array<unknown>(16);
  }

  /** Asks for a server; `granted(server, token)` runs now if one is free and none waits, else when its turn comes. */
  acquire<T>(granted: Grant<T>, token: T): void {
    if (this.waitCount === 0 && this.freeCount > 0) {
      this.grant(granted, token, this.kernel.now);
      return;
    }
    if (this.waitCount === this.waitFn.length) this.growQueue();
    const at = (this.waitHead + this.waitCount) % this.waitFn.length;
    this.waitFn[at] = granted as Grant<never>;
    this.waitToken[at] = token;
    this.waitSince[at] = this.kernel.now;
    this.waitCount++;
    if (this.waitCount > this.maxQueue) this.maxQueue = this.waitCount;
  }

  release(server: number): void {
    const now = this.kernel.now;
    this.busy[server]! += now - this.busySince[server]!;
    this.busyFlag[server] = 0;
    this.free[(this.freeHead + this.freeCount) % this.capacity] = server;
    this.freeCount++;
    while (this.waitCount > 0 && this.freeCount > 0) {
      const at = this.waitHead;
      const fn = this.waitFn[at]! as Grant<unknown>;
      const token = this.waitToken[at];
      const since = this.waitSince[at]!;
      this.waitFn[at] = undefined as unknown as Grant<never>;
      this.waitToken[at] = undefined;
      this.waitHead = (this.waitHead + 1) % this.waitFn.length;
      this.waitCount--;
      this.grant(fn, token, since);
    }
  }

  private grant<T>(granted: Grant<T>, token: T, since: Ps): void {
    const now = this.kernel.now;
    const server = this.free[this.freeHead]!;
    this.freeHead = (this.freeHead + 1) % this.capacity;
    this.freeCount--;
    this.busyFlag[server] = 1;
    this.busySince[server] = now;
    this.grants++;
    this.waited += now - since;
    granted(server, token);
  }

  private growQueue(): void {
    const n = this.waitFn.length;
    const fns = new Array<Grant<never>>(2 * n);
    const tokens = new Array<unknown>(2 * n);
    const since = new Float64Array(2 * n);
    for (let i = 0; i < this.waitCount; i++) {
      const at = (this.waitHead + i) % n;
      fns[i] = this.waitFn[at]!;
      tokens[i] = this.waitToken[at];
      since[i] = this.waitSince[at]!;
    }
    this.waitFn = fns;
    this.waitToken = tokens;
    this.waitSince = since;
    this.waitHead = 0;
  }

  /** Busy server-time over available server-time, from `from` to now (servers still held count until now). */
  utilization(from: Ps, to: Ps = this.kernel.now): number {
    if (to <= from) return 0;
    let total = 0;
    for (let s = 0; s < this.capacity; s++) total += this.busy[s]!;
    for (let s = 0; s < this.capacity; s++) if (this.busyFlag[s] === 1) total += to - this.busySince[s]!;
    return total / (this.capacity * (to - from));
  }

  /**
   * Forgets busy time so far (at the start of an image). With every server free, the free
   * ones go back to index order, so that which server takes which request in an image does
   * not depend on the images before it.
   */
  resetStatistics(): void {
    if (this.freeCount === this.capacity) {
      for (let s = 0; s < this.capacity; s++) this.free[s] = s;
      this.freeHead = 0;
    }
    this.busy.fill(0);
    const now = this.kernel.now;
    for (let s = 0; s < this.capacity; s++) this.busySince[s] = now;
    this.grants = 0;
    this.waited = 0;
    this.maxQueue = 0;
  }
}
