import type { Topic } from '../scheduler/bus.js';
import { Component, type SimContext } from './component.js';
import { TRAFFIC, type ComponentClass, type TrafficRecord } from './records.js';

/** Running totals of a memory's traffic. */
export interface TrafficCounters {
  reads: number;
  writes: number;
  bitsRead: number;
  bitsWritten: number;
}

/**
 * A block that stores data and counts its traffic: every read and write is published as a
 * traffic record (accesses and bits) beside the energy of the access.
 */
export abstract class MemoryComponent extends Component {
  readonly kind: ComponentClass = 'memory';
  readonly traffic: TrafficCounters = { reads: 0, writes: 0, bitsRead: 0, bitsWritten: 0 };
  private readonly trafficTopic: Topic<TrafficRecord>;

  constructor(ctx: SimContext, name: string) {
    super(ctx, name);
    this.trafficTopic = ctx.bus.topic(TRAFFIC);
    this.trafficRecord = { time: 0, component: name, direction: 'read', accesses: 0, bits: 0, op: undefined };
  }

  /** Counts `accesses` reads of `bitsEach` bits (the energy is charged by the block's own action). */
  protected countRead(accesses: number, bitsEach: number, op?: string): void {
    this.count('read', accesses, bitsEach, op);
  }

  protected countWrite(accesses: number, bitsEach: number, op?: string): void {
    this.count('write', accesses, bitsEach, op);
  }

  /** The one traffic record this memory publishes in (see TrafficRecord: valid while delivered). */
  private readonly trafficRecord: { time: number; component: string; direction: 'read' | 'write'; accesses: number; bits: number; op: string | undefined };

  private count(direction: 'read' | 'write', accesses: number, bitsEach: number, op: string | undefined): void {
    const bits = accesses * bitsEach;
    if (direction === 'read') {
      this.traffic.reads += accesses;
      this.traffic.bitsRead += bits;
    } else {
      this.traffic.writes += accesses;
      this.traffic.bitsWritten += bits;
    }
    const r = this.trafficRecord;
    r.time = this.now;
    r.direction = direction;
    r.accesses = accesses;
    r.bits = bits;
    r.op = op;
    this.trafficTopic.publish(r);
  }
}
