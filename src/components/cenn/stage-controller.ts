import { z } from 'zod';
import { quantity } from '../../scenario/fields.js';
import type { SimContext } from '../component.js';
import { cellInputsOf } from './messages.js';
import { CennSequencer } from './sequencer.js';
import type { CennStep } from './template.js';

export const stageTimingParams = z
  .strictObject({
    /** From one stage's start to the next's (seed 000: 1.5 ns, set by magnetic switching). */
    stage_delay: quantity('time', { min: 1 }),
    /** How long each stage is powered (seed 000: about 130 ps of OTA and electrical delay). */
    window: quantity('time', { min: 1 }),
  })
  .superRefine((t, ctx) => checkWindow(t.window, t.stage_delay, ctx));

/**
 * A stage's cells store its result when its window closes, which must be before the next
 * stage reads them: the window may not be longer than the stage delay (times in ps).
 */
export function checkWindow(window: number, stageDelay: number, ctx: z.RefinementCtx): void {
  if (window > stageDelay) ctx.addIssue({ code: 'custom', path: ['window'], message: `the power window (${window} ps) must not be longer than the stage delay (${stageDelay} ps): a stage stores its result before the next reads it` });
}

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
    // The next stage is scheduled once this one's result is stored, so that at equal times
    // (window = stage delay) the store comes first: it cannot read what is not yet there.
    for (const bank of banks) ctx.bus.topic(cellInputsOf(bank)).listen(() => this.stored());
  }

  private current = -1;
  private startedAt = 0;

  protected begin(first: number): void {
    this.runStage(first);
  }

  private readonly runStage = (i: number): void => {
    const step = this.steps[i]!;
    const computer = this.banks[i % 2]!;
    const holder = i === 0 ? this.input : this.banks[(i + 1) % 2]!;
    this.current = i;
    this.startedAt = this.now;
    this.stageStarts(i, step, holder, computer, this.timing.stage_delay);
    this.issue({ stage: i, step, holder, computer, window: this.timing.window });
  };

  private readonly done = (): void => this.finish();

  /** The computing bank has stored the current stage: the next begins a stage delay after this one began. */
  private stored(): void {
    const next = this.startedAt + this.timing.stage_delay;
    if (this.current + 1 < this.steps.length) this.kernel.at(next, this.runStage, this.current + 1);
    else this.kernel.at(next, this.done, undefined);
  }
}
