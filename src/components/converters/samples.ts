/**
 * A batch of values travelling between blocks, with whatever the sender needs to route
 * it (`meta` is passed through untouched). Analog blocks send normalized values in [-1, 1];
 * digital blocks send integer codes.
 */
export interface Samples<M> {
  readonly meta: M;
  readonly values: Float64Array;
  /** The operation these values belong to, for following one op through the machine. */
  readonly op?: string;
}
