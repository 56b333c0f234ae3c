/** A queue that cannot be used as given (URL, name, options): exit 2. */
export class QueueUsageError extends Error {
  override name = 'QueueUsageError';
}
