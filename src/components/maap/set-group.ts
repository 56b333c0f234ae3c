import { CounterNormals } from '../random.js';
import type { SetKernel } from './set-kernel.js';
import { setOutput, type SetDevices, type SetModel, type ThermalSource } from './set-response.js';

/** How a group's R measurements leave it (MaapParams.averaging). */
export type Averaging = 'analog' | 'digital';

/**
 * The R sets that measure one output together, as the functional model reads them: each set's
 * measurement of a window's pair sums (setOutput's, the event level's), then their mean
 * (analog averaging) or each of them (digital). Where the sets are one whole block of their
 * kernel and draw counter-based noise, one kernel call measures them all, and their keys are
 * written once per image instead of once per output.
 */
export class SetGroup {
  /** The sets' block in their kernel, where they fill one (else each set measures alone). */
  private readonly block: number | undefined;
  /** The kernel that holds that block (undefined where the sets measure alone). */
  readonly kernel: SetKernel | undefined;
  private noises: readonly (ThermalSource | undefined)[] = [];
  /** The image's noise is counter-based: the kernel draws it. */
  private counted = false;

  constructor(private readonly model: SetModel, readonly sets: readonly SetDevices[]) {
    this.block = kernelBlock(model, sets);
    this.kernel = this.block === undefined ? undefined : sets[0]!.kernel;
  }

  /** The sets' block in their kernel while the image in progress is measured there (one call for the group), else undefined. */
  get countedBlock(): number | undefined {
    return this.counted ? this.block : undefined;
  }

  /** The image in progress: set i draws its thermal noise from noises[i] (none: noise off). */
  image(noises: readonly (ThermalSource | undefined)[]): void {
    this.noises = noises;
    this.counted = this.block !== undefined && this.sets.every((_, i) => noises[i] instanceof CounterNormals);
    if (!this.counted) return;
    const kernel = this.kernel!;
    const lane0 = kernel.keyIndex(this.sets[0]!.slot!);
    for (let i = 0; i < this.sets.length; i++) kernel.keys[lane0 + i] = (noises[i] as CounterNormals).keyHash;
  }

  /**
   * The group reads sums[0..count) (its draws numbered from rank * pairs) into `values`: the
   * mean in values[0] (analog) or every set's measurement (digital). Returns how many.
   */
  read(sums: Float64Array, count: number, rank: number, averaging: Averaging, values: Float64Array): number {
    const n = this.sets.length;
    const base = rank * this.model.pairs;
    if (this.counted) {
      const kernel = this.kernel!;
      kernel.loadSums(sums, count);
      kernel.group(this.block!, count, base, this.model.sigma);
      for (let i = 0; i < n; i++) values[i] = kernel.values[i]!;
    } else for (let i = 0; i < n; i++) values[i] = setOutput(this.model, this.sets[i]!, sums, count, this.noises[i], base);
    if (averaging === 'digital') return n;
    values[0] = meanOf(values, n);
    return 1;
  }
}

/** Where a group's sets are one whole block of one kernel with thermal noise, that block. */
function kernelBlock(model: SetModel, sets: readonly SetDevices[]): number | undefined {
  const kernel = sets[0]?.kernel;
  if (kernel === undefined || model.sigma === 0 || model.table !== undefined || kernel.lanes !== sets.length) return undefined;
  const first = sets[0]!.slot!;
  if (first % sets.length !== 0) return undefined;
  for (let i = 0; i < sets.length; i++) if (sets[i]!.kernel !== kernel || sets[i]!.slot !== first + i) return undefined;
  return first / sets.length;
}

/** The mean of a group's measurements, summed in set order (what analog averaging reads). */
export const meanOf = (values: Float64Array, count = values.length): number => {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i]!;
  return sum / count;
};
