import { BATCH, type SetKernel } from './set-kernel.js';
import type { Averaging, SetGroup } from './set-group.js';
import type { SetModel } from './set-response.js';

/**
 * Up to BATCH outputs of a layer, each read by its group (SetGroup.read's measurement): the
 * caller writes output j's pair inputs at sums[j * count] and its group and rank with set(),
 * then measure(n, count) leaves output j's reading at out[j * stride]. Where every group
 * measures in one kernel this image, the whole batch is one kernel call (set-kernel.wat
 * `outputs`); otherwise each output is read by its group in turn. The same numbers either way.
 */
export class SetBatch {
  /** Output j's pair inputs at j * count. */
  readonly sums: Float64Array;
  /** Output j's measurements at j * stride: one (analog averaging) or one per set (digital). */
  readonly out: Float64Array;
  readonly stride: number;
  private readonly kernel: SetKernel | undefined;
  private readonly groupOf = new Int32Array(BATCH);
  private readonly rankOf = new Float64Array(BATCH);
  private readonly window: Float64Array;
  private readonly values: Float64Array;

  constructor(private readonly model: SetModel, private readonly groups: readonly SetGroup[], private readonly averaging: Averaging) {
    const pairs = model.pairs;
    const R = groups[0]?.sets.length ?? 1;
    this.stride = averaging === 'digital' ? R : 1;
    const kernel = groups[0]?.kernel;
    this.kernel = groups.every((g) => g.kernel === kernel) ? kernel : undefined;
    this.sums = this.kernel?.batch.sums ?? new Float64Array(BATCH * pairs);
    this.out = this.kernel?.batch.out ?? new Float64Array(BATCH * R);
    this.window = new Float64Array(pairs);
    this.values = new Float64Array(R);
  }

  /** Output j (< BATCH) is read by group `group` with its draws numbered from rank * pairs. */
  set(j: number, group: number, rank: number): void {
    this.groupOf[j] = group;
    this.rankOf[j] = rank;
  }

  /** Outputs [0, n) read their sums[j * count, (j + 1) * count). */
  measure(n: number, count: number): void {
    const kernel = this.kernel;
    if (kernel !== undefined && this.groups.every((g) => g.countedBlock !== undefined)) {
      for (let j = 0; j < n; j++) {
        kernel.batch.blocks[j] = this.groups[this.groupOf[j]!]!.countedBlock!;
        kernel.batch.bases[j] = this.rankOf[j]! * this.model.pairs;
      }
      kernel.measureBatch(n, count, this.model.sigma, this.averaging === 'digital');
      return;
    }
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < count; p++) this.window[p] = this.sums[j * count + p]!;
      const got = this.groups[this.groupOf[j]!]!.read(this.window, count, this.rankOf[j]!, this.averaging, this.values);
      for (let i = 0; i < got; i++) this.out[j * this.stride + i] = this.values[i]!;
    }
  }
}
