import type { Ps } from '../../scheduler/time.js';
import type { SimContext } from '../component.js';
import { PASS_DONE } from '../memory/state-memory.js';
import { CennSequencer } from './sequencer.js';
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
export class CennPassController extends CennSequencer {
  private current = -1;

  constructor(
    ctx: SimContext,
    name: string,
    readonly passes: readonly Pass[],
    readonly holder: string,
    readonly computer: string,
    headed: boolean,
  ) {
    super(ctx, name, headed);
    ctx.bus.topic(PASS_DONE).listen(({ stage }) => {
      if (stage !== this.current) return;
      if (stage + 1 < this.passes.length) this.run(stage + 1);
      else this.finish();
    });
  }

  protected begin(first: number): void {
    this.run(first);
  }

  private run(i: number): void {
    const pass = this.passes[i]!;
    this.current = i;
    if (i === 0 || this.passes[i - 1]!.stage !== pass.stage) this.stageStarts(pass.stage, pass.step, this.holder, this.computer);
    this.issue({ stage: i, step: pass.step, holder: this.holder, computer: this.computer, window: pass.settle });
  }
}
