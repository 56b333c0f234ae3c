import type { Topic } from '../../scheduler/bus.js';
import type { Ps } from '../../scheduler/time.js';
import { Component, type ActionSpec, type SimContext } from '../component.js';
import { IMAGES, type ComponentClass, type ImageMark } from '../records.js';
import { STAGES, stageOp, type StageCommand } from './messages.js';
import type { CennStep } from './template.js';

/** When one stage ran, and on which blocks. */
export interface StageRun {
  readonly image: number;
  readonly stage: number;
  readonly layer: number;
  readonly start: Ps;
  readonly holder: string;
  readonly computer: string;
}

/**
 * What every CeNN controller does: issue stage commands on the bus, record when each
 * stage ran (the ledger counts them as 'stage' actions), and mark the image done.
 * Subclasses decide what moves a stage on: a fixed delay, or a round trip finishing.
 */
export abstract class CennSequencer extends Component {
  readonly kind: ComponentClass = 'digital';
  /** The stages of the image in progress (or the last one), in the order they started. */
  readonly runs: StageRun[] = [];
  private readonly stages: Topic<StageCommand>;
  private readonly marks: Topic<ImageMark>;
  private readonly stageAction: ActionSpec;
  protected image = 0;

  /**
   * @param headed a classifier head follows: the program's end marks the image `computed`
   *   (the head ends it); otherwise the program's end is the image's end.
   */
  constructor(ctx: SimContext, name: string, private readonly headed: boolean) {
    super(ctx, name);
    this.stages = ctx.bus.topic(STAGES);
    this.marks = ctx.bus.topic(IMAGES);
    this.stageAction = this.declareEnergy('stage', 0, 'one CeNN stage (its costs are in the blocks it drives)');
  }

  /** Runs the program on one image, starting now. */
  start(image: number): void {
    this.image = image;
    this.runs.length = 0;
    this.kernel.after(0, (i: number) => this.begin(i), 0);
  }

  /** Starts the first stage of the program. */
  protected abstract begin(first: number): void;

  /** Records that a CeNN stage starts now; `duration` gives it an extent in traces. */
  protected stageStarts(stage: number, step: CennStep, holder: string, computer: string, duration: Ps = 0): void {
    this.runs.push({ image: this.image, stage, layer: step.layer, start: this.now, holder, computer });
    this.perform(this.stageAction, 1, { duration, op: stageOp(stage), values: { stage, layer: step.layer, kind: step.kind, label: step.label, holder, computer } });
  }

  protected issue(command: StageCommand): void {
    this.stages.publish(command);
  }

  protected finish(): void {
    this.marks.publish({ time: this.now, image: this.image, phase: this.headed ? 'computed' : 'end' });
  }
}
