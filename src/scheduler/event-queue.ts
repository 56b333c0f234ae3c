import type { Ps } from './time.js';

/** What an event does when its time comes: a function and the one argument it gets. */
export type EventFn<T> = (arg: T) => void;
type AnyEventFn = EventFn<unknown>;

const NONE = -1;

/**
 * The pending-event set, ordered by time and then by insertion order (FIFO for equal times).
 *
 * Times are integer picoseconds, so the near future is kept as a circular window of
 * `2^windowBits` buckets, one per picosecond, each a FIFO list of events; a bitmap of
 * non-empty buckets finds the next one with a few word scans. Events beyond the window wait
 * in a binary heap keyed by (time, insertion number) and move into their bucket, in heap
 * order, as soon as the window reaches them, before anything else can be added there; so
 * FIFO holds across both parts. Scheduling is O(1) inside the window and O(log n) beyond;
 * taking the next event is O(1) amortised plus the bitmap scan (at most window/32 words).
 * Unlike a plain heap, a million pending events spread over a few thousand picoseconds
 * cost no more per event than four thousand.
 */
export class EventQueue {
  private readonly mask: number;
  /** Time of the lowest bucket in the window: the time of the last event taken. */
  private base: Ps = 0;
  private count = 0;

  // Event slots (structure of arrays; slots are recycled through a free stack).
  private time: Float64Array;
  private link: Int32Array;
  private fns: (AnyEventFn | undefined)[];
  private args: unknown[];
  private freeSlots: Int32Array;
  private freeTop = 0;
  private used = 0;

  // The window: a FIFO list per picosecond, and one bit per non-empty bucket.
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly occupied: Uint32Array;

  // The overflow heap: slots ordered by (time, insertion number).
  private heapSlot: Int32Array;
  private heapSeq: Float64Array;
  private heapSize = 0;
  private seq = 0;

  constructor(windowBits = 12, initialSlots = 1024) {
    if (!Number.isInteger(windowBits) || windowBits < 5 || windowBits > 24) {
      throw new RangeError(`windowBits must be an integer in 5..24, got ${windowBits}`);
    }
    this.mask = (1 << windowBits) - 1;
    const width = 1 << windowBits;
    this.head = new Int32Array(width).fill(NONE);
    this.tail = new Int32Array(width).fill(NONE);
    this.occupied = new Uint32Array(width >>> 5);
    this.time = new Float64Array(initialSlots);
    this.link = new Int32Array(initialSlots);
    this.fns = new Array<AnyEventFn | undefined>(initialSlots);
    this.args = new Array<unknown>(initialSlots);
    this.freeSlots = new Int32Array(initialSlots);
    this.heapSlot = new Int32Array(64);
    this.heapSeq = new Float64Array(64);
  }

  get size(): number {
    return this.count;
  }

  /** The time of the last event taken (0 before the first). */
  get now(): Ps {
    return this.base;
  }

  /** Moves time on to `t` with nothing pending (no event runs, none is counted). */
  idleUntil(t: Ps): void {
    if (this.count !== 0) throw new RangeError(`cannot idle to ${t} ps with ${this.count} events pending`);
    if (t < this.base) throw new RangeError(`cannot idle back to ${t} ps from ${this.base} ps`);
    this.base = t;
  }

  /** Adds an event. `t` must be a checked integer time, not before `now`. */
  push<T>(t: Ps, fn: EventFn<T>, arg: T): void {
    const s = this.allocate();
    this.time[s] = t;
    this.fns[s] = fn as AnyEventFn;
    this.args[s] = arg;
    this.count++;
    if (t - this.base <= this.mask) this.append(s, t);
    else this.heapPush(s);
  }

  /**
   * Takes the next event, if its time is at most `limit`, and runs it; returns false when
   * the queue is empty or the next event lies beyond `limit` (then nothing changes).
   */
  runNext(limit: Ps = Number.MAX_SAFE_INTEGER): boolean {
    if (this.count === 0) return false;
    let pos = this.nextOccupied();
    if (pos === NONE) {
      // The window is empty: jump to the earliest overflow event and refill the window.
      const t = this.time[this.heapSlot[0]!]!;
      if (t > limit) return false;
      this.base = t;
      this.migrate();
      pos = t & this.mask;
    } else {
      const t = this.base + ((pos - (this.base & this.mask)) & this.mask);
      if (t > limit) return false;
      if (t !== this.base) {
        this.base = t;
        if (this.heapSize > 0) this.migrate();
      }
    }
    const s = this.head[pos]!;
    const nxt = this.link[s]!;
    this.head[pos] = nxt;
    if (nxt === NONE) {
      this.tail[pos] = NONE;
      this.occupied[pos >>> 5]! &= ~(1 << (pos & 31));
    }
    const fn = this.fns[s]!;
    const arg = this.args[s];
    this.fns[s] = undefined;
    this.args[s] = undefined;
    this.freeSlots[this.freeTop++] = s;
    this.count--;
    fn(arg);
    return true;
  }

  /** Time of the next event, or undefined if there is none. */
  peekTime(): Ps | undefined {
    if (this.count === 0) return undefined;
    const pos = this.nextOccupied();
    if (pos === NONE) return this.time[this.heapSlot[0]!]!;
    return this.base + ((pos - (this.base & this.mask)) & this.mask);
  }

  private append(s: number, t: Ps): void {
    const pos = t & this.mask;
    this.link[s] = NONE;
    const last = this.tail[pos]!;
    if (last === NONE) {
      this.head[pos] = s;
      this.occupied[pos >>> 5]! |= 1 << (pos & 31);
    } else {
      this.link[last] = s;
    }
    this.tail[pos] = s;
  }

  /** Position of the first non-empty bucket at or after `base`, going round once; NONE if empty. */
  private nextOccupied(): number {
    const occ = this.occupied;
    const start = this.base & this.mask;
    const words = occ.length;
    const w0 = start >>> 5;
    let w = occ[w0]! & (-1 << (start & 31));
    if (w !== 0) return (w0 << 5) | (31 - Math.clz32(w & -w));
    for (let i = w0 + 1; i < words; i++) {
      w = occ[i]!;
      if (w !== 0) return (i << 5) | (31 - Math.clz32(w & -w));
    }
    for (let i = 0; i <= w0; i++) {
      w = occ[i]!;
      if (w !== 0) return (i << 5) | (31 - Math.clz32(w & -w));
    }
    return NONE;
  }

  /** Moves overflow events that the window now covers into their buckets, earliest first. */
  private migrate(): void {
    const end = this.base + this.mask;
    while (this.heapSize > 0) {
      const s = this.heapSlot[0]!;
      const t = this.time[s]!;
      if (t > end) return;
      this.heapPop();
      this.append(s, t);
    }
  }

  private allocate(): number {
    if (this.freeTop > 0) return this.freeSlots[--this.freeTop]!;
    if (this.used === this.time.length) this.grow();
    return this.used++;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const time = new Float64Array(n);
    time.set(this.time);
    this.time = time;
    const link = new Int32Array(n);
    link.set(this.link);
    this.link = link;
    const free = new Int32Array(n);
    free.set(this.freeSlots);
    this.freeSlots = free;
    this.fns.length = n;
    this.args.length = n;
  }

  // Binary heap on (time, seq) for events beyond the window.

  private heapPush(s: number): void {
    if (this.heapSize === this.heapSlot.length) {
      const slots = new Int32Array(this.heapSize * 2);
      slots.set(this.heapSlot);
      this.heapSlot = slots;
      const seqs = new Float64Array(this.heapSize * 2);
      seqs.set(this.heapSeq);
      this.heapSeq = seqs;
    }
    const hs = this.heapSlot;
    const hq = this.heapSeq;
    const time = this.time;
    const t = time[s]!;
    const q = this.seq++;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >>> 1;
      const ps = hs[p]!;
      const pt = time[ps]!;
      if (pt < t || (pt === t && hq[p]! < q)) break;
      hs[i] = ps;
      hq[i] = hq[p]!;
      i = p;
    }
    hs[i] = s;
    hq[i] = q;
  }

  private heapPop(): void {
    const hs = this.heapSlot;
    const hq = this.heapSeq;
    const time = this.time;
    const n = --this.heapSize;
    if (n === 0) return;
    const s = hs[n]!;
    const q = hq[n]!;
    const t = time[s]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let cs = hs[c]!;
      let ct = time[cs]!;
      const r = c + 1;
      if (r < n) {
        const rs = hs[r]!;
        const rt = time[rs]!;
        if (rt < ct || (rt === ct && hq[r]! < hq[c]!)) {
          c = r;
          cs = rs;
          ct = rt;
        }
      }
      if (t < ct || (t === ct && q < hq[c]!)) break;
      hs[i] = cs;
      hq[i] = hq[c]!;
      i = c;
    }
    hs[i] = s;
    hq[i] = q;
  }
}
