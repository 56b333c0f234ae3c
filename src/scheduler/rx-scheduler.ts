import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import type { Kernel } from './kernel.js';
import type { Ps } from './time.js';

/**
 * One scheduled piece of RxJS work. Rescheduling (as `bufferTime` and `interval` do from
 * inside their work) replaces the pending run: a stale kernel event finds its ticket
 * outdated and does nothing, so cancelling costs nothing in the queue.
 */
class KernelAction<T> extends Subscription implements SchedulerAction<T> {
  private ticket = 0;
  private state: T | undefined;

  constructor(
    private readonly kernel: Kernel,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  schedule(state?: T, delay: Ps = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.kernel.after(delay, this.fire, ++this.ticket);
    return this;
  }

  private readonly fire = (ticket: number): void => {
    if (this.closed || ticket !== this.ticket) return;
    try {
      this.work.call(this, this.state);
    } catch (error) {
      this.unsubscribe();
      throw error;
    }
  };
}

/**
 * An RxJS scheduler whose clock is the kernel's: `delay(1500, scheduler)` waits 1500
 * simulated picoseconds, interleaved with every other kernel event in time-then-FIFO order.
 * (RxJS's VirtualTimeScheduler re-sorts all its actions on every schedule; this one costs
 * what a kernel event costs.)
 */
export class KernelScheduler implements SchedulerLike {
  constructor(private readonly kernel: Kernel) {}

  now(): Ps {
    return this.kernel.now;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay: Ps = 0, state?: T): Subscription {
    return new KernelAction<T>(this.kernel, work).schedule(state, delay);
  }
}
