/** A results file that cannot be read or written, or is in use: the CLI prints it and exits 2. */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

/** A sweep that finished with some points failed (their errors are in the results): exit code 3. */
export class PointsFailedError extends Error {
  override name = 'PointsFailedError';
  constructor(
    readonly failed: number,
    readonly total: number,
  ) {
    super(`${failed} of ${total} point${total === 1 ? '' : 's'} failed; each failed point's error is in its line of the results (spinarch results shows them)`);
  }
}

/** Parts that cannot be merged into one sweep (other settings, another sweep, another version): exit 2. */
export class SweepMergeError extends Error {
  override name = 'SweepMergeError';
}
