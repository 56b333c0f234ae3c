/** A run that cannot go on (a design that stops before its image is done, a bad image count). */
export class RunError extends Error {
  override name = 'RunError';
}
