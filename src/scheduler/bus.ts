import { Subject, Subscription } from 'rxjs';
import type { Kernel } from './kernel.js';
import type { Ps } from './time.js';

/** Names a topic and the type of its messages (the type lives only in the compiler). */
export interface TopicKey<T> {
  readonly name: string;
  /** Phantom field tying the key to its message type; never set. */
  readonly message?: T;
}

export const topicKey = <T>(name: string): TopicKey<T> => ({ name });

export type Listener<T> = (message: T) => void;

/**
 * One typed channel of the bus: an RxJS Subject, so any RxJS operator can observe it
 * (`topic.pipe(bufferTime(1000, scheduler))`). Publishing "after" a delay is a kernel event
 * that delivers the message when its time comes: this is how blocks signal each other
 * across simulated time, as SST links do.
 *
 * Blocks register plain listeners with `listen`; those are called straight from `next`,
 * before the Subject's own observers. RxJS's Subscriber chain costs about 150 ns a message
 * at a thousand topics, which would halve the kernel's event rate; the order of delivery and
 * what every listener sees are the same either way.
 */
export class Topic<T> extends Subject<T> {
  private listeners: Listener<T>[] = [];
  /** Delivers a message now; made once so the kernel can schedule it without a closure. */
  readonly deliver: Listener<T>;

  constructor(
    readonly name: string,
    private readonly kernel: Kernel,
  ) {
    super();
    this.deliver = (message: T) => this.next(message);
  }

  override next(message: T): void {
    const listeners = this.listeners;
    try {
      for (let i = 0; i < listeners.length; i++) listeners[i]!(message);
    } catch (error) {
      // Reported to the kernel so that `run` throws it; see Kernel.fail.
      this.kernel.fail(error);
    }
    if (super.observed) super.next(message);
  }

  /** Publishes now (an alias of `next` that reads as what a block does). */
  publish(message: T): void {
    this.next(message);
  }

  publishAfter(delay: Ps, message: T): void {
    this.kernel.after(delay, this.deliver, message);
  }

  publishAt(time: Ps, message: T): void {
    this.kernel.at(time, this.deliver, message);
  }

  /**
   * Calls `listener` with every message from now on; an error it throws stops the run and
   * `Kernel.run` rethrows it. Unsubscribing the result removes the listener.
   */
  listen(listener: Listener<T>): Subscription {
    // Copy on write, so a listener may unsubscribe while a message is being delivered.
    this.listeners = [...this.listeners, listener];
    return new Subscription(() => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    });
  }

  /** Whether anyone listens: publishers of costly records (traces) check this first. */
  override get observed(): boolean {
    return this.listeners.length > 0 || super.observed;
  }

  override complete(): void {
    this.listeners = [];
    super.complete();
  }
}

/** The set of topics of one simulation. Blocks publish and listen; none holds another. */
export class Bus {
  private readonly topics = new Map<string, Topic<unknown>>();

  constructor(readonly kernel: Kernel) {}

  topic<T>(key: TopicKey<T>): Topic<T> {
    let topic = this.topics.get(key.name);
    if (topic === undefined) {
      topic = new Topic<unknown>(key.name, this.kernel);
      this.topics.set(key.name, topic);
    }
    return topic as Topic<T>;
  }

  has(name: string): boolean {
    return this.topics.has(name);
  }

  names(): string[] {
    return [...this.topics.keys()];
  }

  /** Completes every topic, so observers flush what they hold. */
  close(): void {
    for (const topic of this.topics.values()) topic.complete();
  }
}
