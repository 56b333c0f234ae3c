/** A weights file that cannot be used (unreadable, malformed, or not this network's). */
export class WeightsError extends Error {
  override name = 'WeightsError';
}
