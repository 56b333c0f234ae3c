import { Component, type ActionSpec, type SimContext } from '../component.js';
import type { ComponentClass } from '../records.js';
import { maapRunOf } from './maap-set.js';

/**
 * The OTA current sources that feed one MAAP set's inputs: b-bit current sources, powered
 * for each measurement the set runs. Their static and dynamic dissipation is part of what
 * seed 003 counts as a MAAP operation's energy.
 */
export class OtaDrive extends Component {
  readonly kind: ComponentClass = 'analog';
  private readonly drive: ActionSpec;

  constructor(ctx: SimContext, name: string, set: string, runtime: number, energyPerOp: number) {
    super(ctx, name);
    this.drive = this.declareEnergy('ota_drive', energyPerOp, "driving one measurement's inputs (static and dynamic OTA dissipation)");
    ctx.bus.topic(maapRunOf(set)).listen((r) => this.performFor(this.drive, 1, runtime, r.op));
  }
}
