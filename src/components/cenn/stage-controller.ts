import { z } from 'zod';
import { quantity } from '../../scenario/fields.js';
import type { SimContext } from '../component.js';
import { CennSequencer } from './sequencer.js';
import type { CennStep } from './template.js';

export const stageTimingParams = z.strictObject({
  /** From one stage's start to the next's (seed 000: 1.5 ns, set by magnetic switching). */
  stage_delay: quantity('time', { min: 1 }),
  /** How long each stage is powered (seed 000: about 130 ps of OTA and electrical delay). */
  window: quantity('time', { min: 1 }),
});

export type StageTiming = z.output<typeof stageTimingParams>;

/**
 * Sequences a CeNN program on a pair of banks that take turns (seed 000, Fig. 6): the input
 * feeds the first stage, then in each stage one bank holds the previous result and feeds
 * it while the other computes and stores; the roles swap every stage. Each stage takes the
 * stage delay before the next begins; after the last, the image is done.
 */
export class CennStageController extends CennSequencer {
  constructor(
    ctx: SimContext,
    name: string,
    readonly steps: readonly CennStep[],
    readonly banks: readonly [string, string],
    readonly input: string,
    readonly timing: StageTiming,
    headed: boolean,
  ) {
    super(ctx, name, headed);
    if (timing.window > timing.stage_delay) throw new Error(`${name}: the power window (${timing.window} ps) is longer than the stage delay (${timing.stage_delay} ps)`);
  }

  protected begin(first: number): void {
    this.runStage(first);
  }

  private readonly runStage = (i: number): void => {
    const step = this.steps[i]!;
    const computer = this.banks[i % 2]!;
    const holder = i === 0 ? this.input : this.banks[(i + 1) % 2]!;
    this.stageStarts(i, step, holder, computer, this.timing.stage_delay);
    this.issue({ stage: i, step, holder, computer, window: this.timing.window });
    if (i + 1 < this.steps.length) this.kernel.after(this.timing.stage_delay, this.runStage, i + 1);
    else this.kernel.after(this.timing.stage_delay, () => this.finish(), 0);
  };
}
