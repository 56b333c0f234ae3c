import { z } from 'zod';
import { topicKey } from '../../scheduler/bus.js';
import { quantity } from '../../scenario/fields.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { ComponentClass } from '../records.js';

/**
 * A template buffer beside the MAAP controller: the first output of an image that needs a
 * template word reads it from SRAM; the buffer keeps it for the rest of the image and
 * broadcasts it to every group of sets that needs it (outputs waiting for a word in flight
 * take it when it lands). Without one, every output reads its own template (seed 003 Eq. 2).
 */
export const templateBufferParams = z.strictObject({
  /** Energy per bit of a template word delivered from the buffer to a group's OTAs. */
  energy_per_bit: quantity('energy', { min: 0 }),
});
export type TemplateBufferParams = z.output<typeof templateBufferParams>;

/** Words of one output's template delivered from the buffer (one pooled message, published synchronously). */
export interface TemplateDelivery {
  words: number;
  op: string | undefined;
}

export const TEMPLATE_DELIVERIES = topicKey<TemplateDelivery>('maap/template-deliveries');

export class TemplateBuffer extends Component {
  readonly kind: ComponentClass = 'memory';
  private readonly deliver: ActionSpec;

  constructor(ctx: SimContext, name: string, params: TemplateBufferParams, bits: number) {
    super(ctx, name);
    this.deliver = this.declareEnergy('template_broadcast', params.energy_per_bit * bits, `delivering one ${bits}-bit template word from the buffer to a group's OTAs`);
    ctx.bus.topic(TEMPLATE_DELIVERIES).listen((d) => this.performFor(this.deliver, d.words, 0, d.op));
  }
}
