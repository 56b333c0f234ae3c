import type { Topic } from '../../scheduler/bus.js';
import type { Ps } from '../../scheduler/time.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { PASS_DONE } from '../memory/state-memory.js';
import { IMAGES, type ComponentClass, type ImageMark } from '../records.js';
import { STAGES, type StageCommand } from './messages.js';
import type { StageRun } from './stage-controller.js';
import type { CennStep } from './template.js';

/** One pass of a charge CeNN: a stage, or one input map of a multi-map convolution. */
export interface Pass {
  /** The CeNN stage this pass belongs to. */
  readonly stage: number;
  readonly step: CennStep;
  /** Time the cells need to settle under the template. */
  readonly settle: Ps;
}

/**
 * Runs a charge CeNN's passes one after another: each pass reads its inputs from the
 * state memory through the DACs, lets the cells settle, converts the result through the
 * ADCs and writes it back; the next pass starts when the memory says the write is done.
 * Time per stage is therefore whatever that round trip takes.
 */
export class CennPassController extends Component {
  readonly kind: ComponentClass = 'digital';
  readonly runs: StageRun[] = [];
  private readonly stages: Topic<StageCommand>;
  private readonly marks: Topic<ImageMark>;
  private readonly stageAction: ActionSpec;
  private image = 0;
  private current = -1;

  constructor(
    ctx: SimContext,
    name: string,
    readonly passes: readonly Pass[],
    readonly holder: string,
    readonly computer: string,
  ) {
    super(ctx, name);
    this.stages = ctx.bus.topic(STAGES);
    this.marks = ctx.bus.topic(IMAGES);
    this.stageAction = this.declareEnergy('stage', 0, 'one CeNN stage (its costs are in the blocks it drives)');
    ctx.bus.topic(PASS_DONE).listen(({ stage }) => {
      if (stage !== this.current) return;
      if (stage + 1 < this.passes.length) this.run(stage + 1);
      else this.marks.publish({ time: this.now, image: this.image, phase: 'end' });
    });
  }

  start(image: number): void {
    this.image = image;
    this.kernel.after(0, (i: number) => this.run(i), 0);
  }

  private run(i: number): void {
    const pass = this.passes[i]!;
    this.current = i;
    if (i === 0 || this.passes[i - 1]!.stage !== pass.stage) {
      this.runs.push({ image: this.image, stage: pass.stage, layer: pass.step.layer, start: this.now, holder: this.holder, computer: this.computer });
      this.perform(this.stageAction, 1, { values: { stage: pass.stage, layer: pass.step.layer, kind: pass.step.kind } });
    }
    this.stages.publish({ stage: i, step: pass.step, holder: this.holder, computer: this.computer, window: pass.settle });
  }
}
