import { z } from 'zod';
import { quantity } from '../../scenario/fields.js';
import type { Topic } from '../../scheduler/bus.js';
import type { Ps } from '../../scheduler/time.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { IMAGES, type ComponentClass, type ImageMark } from '../records.js';
import { STAGES, type StageCommand } from './messages.js';
import type { CennStep } from './template.js';

export const stageTimingParams = z.strictObject({
  /** From one stage's start to the next's (seed 000: 1.5 ns, set by magnetic switching). */
  stage_delay: quantity('time', { min: 1 }),
  /** How long each stage is powered (seed 000: about 130 ps of OTA and electrical delay). */
  window: quantity('time', { min: 1 }),
});

export type StageTiming = z.output<typeof stageTimingParams>;

/** When one stage ran, and on which banks. */
export interface StageRun {
  readonly image: number;
  readonly stage: number;
  readonly layer: number;
  readonly start: Ps;
  readonly holder: string;
  readonly computer: string;
}

/**
 * Sequences a CeNN program on a pair of banks that take turns (seed 000, Fig. 6): the input
 * feeds the first stage, then in each stage one bank holds the previous result and feeds
 * it while the other computes and stores; the roles swap every stage. Each stage takes the
 * stage delay before the next begins; after the last, the image is done.
 */
export class CennStageController extends Component {
  readonly kind: ComponentClass = 'digital';
  readonly runs: StageRun[] = [];
  private readonly stages: Topic<StageCommand>;
  private readonly marks: Topic<ImageMark>;
  private readonly stageAction: ActionSpec;
  private image = 0;

  constructor(
    ctx: SimContext,
    name: string,
    readonly steps: readonly CennStep[],
    readonly banks: readonly [string, string],
    readonly input: string,
    readonly timing: StageTiming,
  ) {
    super(ctx, name);
    if (timing.window > timing.stage_delay) throw new Error(`${name}: the power window (${timing.window} ps) is longer than the stage delay (${timing.stage_delay} ps)`);
    this.stages = ctx.bus.topic(STAGES);
    this.marks = ctx.bus.topic(IMAGES);
    this.stageAction = this.declareEnergy('stage', 0, 'one CeNN stage (its costs are in the blocks it drives)');
  }

  /** Runs the program on one image, starting now. */
  start(image: number): void {
    this.image = image;
    this.kernel.after(0, this.runStage, 0);
  }

  private readonly runStage = (i: number): void => {
    const step = this.steps[i]!;
    const computer = this.banks[i % 2]!;
    const holder = i === 0 ? this.input : this.banks[(i + 1) % 2]!;
    this.runs.push({ image: this.image, stage: i, layer: step.layer, start: this.now, holder, computer });
    this.perform(this.stageAction, 1, { duration: this.timing.stage_delay, values: { stage: i, layer: step.layer, kind: step.kind, holder, computer } });
    this.stages.publish({ stage: i, step, holder, computer, window: this.timing.window });
    if (i + 1 < this.steps.length) this.kernel.after(this.timing.stage_delay, this.runStage, i + 1);
    else this.kernel.after(this.timing.stage_delay, this.finish, this.image);
  };

  private readonly finish = (image: number): void => {
    this.marks.publish({ time: this.now, image, phase: 'end' });
  };
}
