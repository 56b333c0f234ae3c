import { z } from 'zod';
import { topicKey, type TopicKey } from '../../scheduler/bus.js';
import { ServerPool } from '../../scheduler/server-pool.js';
import { quantity, wholeNumber } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { IMAGES, type ComponentClass } from '../records.js';

export const multiplierParams = z.strictObject({
  /** Multipliers working in parallel. */
  units: wholeNumber(1, 1 << 20),
  /** Energy per gate switched (seed 003: 125.4 fJ, 16 nm). */
  energy_per_gate: quantity('energy', { min: 0 }),
  /** Delay of one gate; an array multiplier's path is about 2b gates. */
  gate_delay: quantity('time', { min: 1 }),
});

export type MultiplierParams = z.output<typeof multiplierParams>;

export interface MultiplyRequest {
  readonly id: number;
  readonly a: number;
  readonly b: number;
  readonly op?: string;
  readonly reply: TopicKey<MultiplyReply>;
}

export interface MultiplyReply {
  readonly id: number;
  readonly product: number;
  readonly op?: string;
}

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
    this.units.acquire(1, ([unit]) => {
      const product = r.a * r.b;
      this.perform(this.multiply, 1, { duration: this.latency, ...(r.op === undefined ? {} : { op: r.op }), ...(this.tracing ? { values: { a: r.a, b: r.b, product, unit: unit! } } : {}) });
      this.kernel.after(this.latency, () => {
        this.units.release([unit!]);
        this.ctx.bus.topic(r.reply).publish({ id: r.id, product, ...(r.op === undefined ? {} : { op: r.op }) });
      }, 0);
    });
  }
}
