import { EventQueue, type EventFn } from './event-queue.js';
import { TimeError, checkTime, type Ps } from './time.js';

export interface KernelOptions {
  /** log2 of the event queue's bucket window in ps (default 12: 4096 ps). */
  windowBits?: number;
}

/**
 * The discrete-event kernel: simulated time in integer picoseconds and the events pending
 * in it. Like SimPy's Environment, it knows nothing of what the events mean; components
 * schedule functions, and the bus builds message delivery on top.
 */
export class Kernel {
  private readonly queue: EventQueue;
  private stopRequested = false;
  private failure: { error: unknown } | undefined;
  private running = false;
  /** Events run since the kernel was made. */
  processed = 0;

  constructor(options: KernelOptions = {}) {
    this.queue = new EventQueue(options.windowBits);
  }

  /** Current simulated time in ps. */
  get now(): Ps {
    return this.queue.now;
  }

  /** Events scheduled and not yet run. */
  get pending(): number {
    return this.queue.size;
  }

  /** Runs `fn(arg)` after `delay` ps (0 runs after everything already due now). */
  after<T>(delay: Ps, fn: EventFn<T>, arg: T): void {
    if (!Number.isSafeInteger(delay) || delay < 0) checkTime(delay, 'delay');
    const t = this.queue.now + delay;
    if (!Number.isSafeInteger(t)) throw new TimeError(`delay ${delay} ps from ${this.queue.now} ps passes 2^53 ps`);
    this.queue.push(t, fn, arg);
  }

  /** Runs `fn(arg)` at absolute time `time` ps, which must not be in the past. */
  at<T>(time: Ps, fn: EventFn<T>, arg: T): void {
    checkTime(time, 'event time');
    if (time < this.queue.now) {
      throw new TimeError(`cannot schedule at ${time} ps: the simulation is already at ${this.queue.now} ps`);
    }
    this.queue.push(time, fn, arg);
  }

  /**
   * Runs events in order until none are left, the next one lies after `until` ps, `stop()`
   * is called, or `maxEvents` have run. Returns the number of events run.
   */
  run(until: Ps = Number.MAX_SAFE_INTEGER, maxEvents = Number.MAX_SAFE_INTEGER): number {
    checkTime(until, 'run limit');
    this.stopRequested = false;
    const q = this.queue;
    let n = 0;
    this.running = true;
    try {
      while (n < maxEvents && !this.stopRequested && q.runNext(until)) n++;
    } finally {
      this.running = false;
      this.processed += n;
    }
    const failure = this.failure;
    if (failure !== undefined) {
      this.failure = undefined;
      throw failure.error;
    }
    return n;
  }

  /**
   * Stops the run and makes `run` throw `error` once the current event returns. Listeners
   * called through RxJS report here, because RxJS would otherwise rethrow their errors
   * later on a timer, after the simulation has gone on in a broken state.
   */
  fail(error: unknown): void {
    if (!this.running) throw error;
    if (this.failure === undefined) this.failure = { error };
    this.stopRequested = true;
  }

  /** Asks `run` to return after the event now running. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Lets time pass to `time` ps while nothing is pending (a machine waiting for its next
   * input); no event runs, so none is counted.
   */
  idleUntil(time: Ps): void {
    checkTime(time, 'idle time');
    this.queue.idleUntil(time);
  }

  /** Time of the next pending event, if any. */
  nextEventTime(): Ps | undefined {
    return this.queue.peekTime();
  }
}
