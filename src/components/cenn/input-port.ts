import { topicKey, type Topic } from '../../scheduler/bus.js';
import { Component, type SimContext } from '../component.js';
import type { ComponentClass } from '../records.js';
import { READOUTS, STAGES, packPlanes, type PlaneSamples } from './messages.js';
import { IDENTITY, type PlaneData, type PlaneShape } from './template.js';

/** An image arriving at the accelerator's input, grey levels in [0, 1]. */
export interface ImageIn {
  readonly image: number;
  readonly shape: PlaneShape;
  readonly pixels: Float64Array;
}

export const IMAGE_IN = topicKey<ImageIn>('input/image');

/**
 * The accelerator's input: it holds the current image and feeds it, as plane `v`, to the
 * stage it is asked to feed (the first one). The input drivers' energy is outside the
 * accelerator, as in seed 000, so it costs nothing here.
 */
export class InputPort extends Component {
  readonly kind: ComponentClass = 'driver';
  private image: PlaneData | undefined;
  private readonly readouts: Topic<PlaneSamples>;

  constructor(ctx: SimContext, name: string) {
    super(ctx, name);
    this.readouts = ctx.bus.topic(READOUTS);
    ctx.bus.topic(IMAGE_IN).listen((m) => {
      this.image = { shape: m.shape, encoding: IDENTITY, values: m.pixels };
    });
    ctx.bus.topic(STAGES).listen((cmd) => {
      if (cmd.holder !== this.name) return;
      if (this.image === undefined) throw new Error(`${this.name}: asked to feed stage ${cmd.stage} before any image arrived`);
      this.readouts.publishAfter(0, packPlanes(cmd.stage, this.name, new Map([['v', this.image]])));
    });
  }
}
