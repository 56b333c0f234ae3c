import { z } from 'zod';
import { topicKey, type Topic } from '../../scheduler/bus.js';
import { ServerPool } from '../../scheduler/server-pool.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { IMAGES, type ComponentClass } from '../records.js';
import { areaLine, type AreaLine } from '../area.js';

export const multiplierParams = z.strictObject({
  /** Multipliers working in parallel. */
  units: wholeNumber(1, 1 << 20),
  /** Energy per gate switched (seed 003: 125.4 fJ, 16 nm). */
  energy_per_gate: quantity('energy', { min: 0 }),
  /** Delay of one gate; an array multiplier's path is about 2b gates. */
  gate_delay: quantity('time', { min: 1 }),
});

export type MultiplierParams = z.output<typeof multiplierParams>;

/**
 * A multiply. The requester owns the object and may reuse it once its reply has come: the pool
 * fills in `product` (and `unit`) and hands the same object back on `reply`.
 */
export interface MultiplyRequest {
  id: number;
  a: number;
  b: number;
  op: string | undefined;
  /** Where the reply goes: the requester's own topic, resolved once. */
  reply: Topic<MultiplyRequest>;
  product: number;
  unit: number;
}

/** A fresh request object for a requester to fill and reuse. */
export const newMultiplyRequest = (reply: Topic<MultiplyRequest>): MultiplyRequest => ({ id: 0, a: 0, b: 0, op: undefined, reply, product: 0, unit: 0 });

export const multiplyRequestsOf = (name: string) => topicKey<MultiplyRequest>(`${name}/request`);

/**
 * Digital b x b multipliers: about b^2 gates each (seed 003), so a multiply costs b^2 times
 * the energy per gate and takes about 2b gate delays. Requests queue for a free unit.
 */
export class MultiplierPool extends Component {
  readonly kind: ComponentClass = 'digital';
  readonly units: ServerPool;
  readonly gates: number;
  readonly latency: number;
  private readonly multiply: ActionSpec;

  constructor(
    ctx: SimContext,
    name: string,
    readonly params: MultiplierParams,
    readonly bits: number,
  ) {
    super(ctx, name);
    this.gates = bits * bits;
    this.latency = 2 * bits * params.gate_delay;
    this.units = new ServerPool(ctx.kernel, name, params.units);
    this.multiply = this.declareEnergy('multiply', this.gates * params.energy_per_gate, `one ${bits} x ${bits}-bit multiply (${this.gates} gates)`);
    ctx.bus.topic(multiplyRequestsOf(name)).listen((r) => this.request(r));
    ctx.bus.topic(IMAGES).listen((m) => {
      if (m.phase === 'start') this.units.resetStatistics();
    });
  }

  private request(r: MultiplyRequest): void {
    this.units.acquire(this.granted, r);
  }

  private readonly granted = (unit: number, r: MultiplyRequest): void => {
    r.unit = unit;
    r.product = r.a * r.b;
    this.performFor(this.multiply, 1, this.latency, r.op, this.tracing ? { a: r.a, b: r.b, product: r.product, unit } : undefined);
    this.kernel.after(this.latency, this.complete, r);
  };

  private readonly complete = (r: MultiplyRequest): void => {
    this.units.release(r.unit);
    r.reply.publish(r);
  };
}

/** The multipliers' area: b^2 gates each, the gates its energy counts (seed 003: b^2 gates per b-bit multiply). */
export const multiplierArea = (name: string, units: number, bits: number, gate: number): AreaLine =>
  areaLine(name, 'digital', units, bits * bits * gate, `${bits * bits} gates per ${bits}-bit multiplier`);
