type Growable = Int32Array | Uint8Array | Float64Array;

/** A copy of typed array `a` in a longer one (at least `length`, at least twice as long): for buffers that grow by doubling. */
export function grown<T extends Growable>(a: T, length = 2 * a.length): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(length, 2 * a.length, 1));
  (b as Growable).set(a as Growable);
  return b;
}
