import seedrandom from 'seedrandom';

/**
 * A component's own random stream. It is seeded from the scenario seed and the component's
 * name only, so what one block draws never depends on event order or on which other blocks
 * exist. (Nothing in the model may call Math.random.)
 */
export class RandomStream {
  private readonly prng: seedrandom.PRNG;
  private spare: number | undefined;

  constructor(readonly seed: string) {
    this.prng = seedrandom.alea(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.prng();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Normal(mean, sd) by the Box-Muller transform (the second draw is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    let z: number;
    if (this.spare !== undefined) {
      z = this.spare;
      this.spare = undefined;
    } else {
      let u = this.prng();
      while (u <= Number.MIN_VALUE) u = this.prng();
      const v = this.prng();
      const r = Math.sqrt(-2 * Math.log(u));
      z = r * Math.cos(2 * Math.PI * v);
      this.spare = r * Math.sin(2 * Math.PI * v);
    }
    return mean + sd * z;
  }
}

/**
 * The stream of component `name` in a run seeded with `seed`: what belongs to the device
 * (process variation), drawn once, whatever the images. `chip` picks another die of the same
 * design (the scenario's `chip` key; `eval --chips N` evaluates chips 0 to N - 1).
 */
export function streamFor(seed: string | number, name: string, chip = 0): RandomStream {
  // Chip 0 is the scenario's own chip: its streams are the ones every earlier run drew.
  return new RandomStream(chip === 0 ? `${seed}\u0000${name}` : `${seed}\u0000${name}\u0000chip[${chip}]`);
}

/**
 * The stream of component `name` for one image (its id, such as `mnist/test/42`): what
 * belongs to the moment (thermal noise). Keyed by the image, not by the order images run
 * in, so an image draws the same numbers in any run, on any worker, in either mode.
 */
export function imageStreamFor(seed: string | number, name: string, image: string): RandomStream {
  return new RandomStream(`${seed}\u0000${name}\u0000${image}`);
}

/** 32-bit finalizer of MurmurHash3: every input bit reaches every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit hash of a string (FNV-1a, then mixed). */
function hashString(s: string, salt: number): number {
  let h = 0x811c9dc5 ^ salt;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/**
 * Counter-based normals of component `name` for one image: draw number `i` is a function of
 * (seed, name, image, i) alone, so a block that measures its operations in a different order
 * in another mode (event level or functional) still gives each operation its own numbers.
 */
export class CounterNormals {
  private readonly k1: number;
  /** The pair of normals of the last `pair(i)` call. */
  first = 0;
  second = 0;

  constructor(key: string) {
    this.k1 = hashString(key, 0x3c6ef372);
  }

  /**
   * Sets `first` and `second` to draw i's two independent standard normals: each the normal
   * quantile of 16 hashed bits, at the midpoint of its 1/65536 of probability (NORMAL_QUANTILES),
   * so draws reach about 4.3 sigma. A table lookup, not a logarithm: this runs per magnet per
   * measurement.
   */
  pair(i: number): void {
    const a = this.word(i);
    const q = NORMAL_QUANTILES;
    this.first = q[a & 0xffff]!;
    this.second = q[a >>> 16]!;
  }

  /** The key the draws are hashed with (for loops that inline word()). */
  get keyHash(): number {
    return this.k1;
  }

  /** Draw i's 32 hashed bits: two 16-bit indices into NORMAL_QUANTILES (for loops that look them up themselves). */
  word(i: number): number {
    return counterWord(this.k1, i);
  }
}


/** The standard normal quantile of p (Acklam's rational approximation, relative error about 1e-9). */
export function inverseNormal(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  let x: number;
  if (p < pl) {
    const t = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  } else if (p > 1 - pl) {
    const t = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  } else {
    const t = p - 0.5;
    const r = t * t;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * t) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  return x;
}

/** Draw i's 32 hashed bits under key k (CounterNormals.word, for loops that inline it). */
export function counterWord(k: number, i: number): number {
  const hi = (i / 4294967296) >>> 0;
  return fmix32(fmix32((i >>> 0) ^ k) ^ Math.imul(hi + 1, 0x9e3779b1));
}

/** The counter-based normals of component `name` for one image (see imageStreamFor for the keying). */
export const imageNormalsFor = (seed: string | number, name: string, image: string): CounterNormals => new CounterNormals(`${seed}\u0000${name}\u0000${image}`);

/** The standard normal's quantiles at (k + 1/2) / 65536, k = 0 .. 65535: CounterNormals' draws */
export const NORMAL_QUANTILES: Float64Array = (() => {
  const n = 65536;
  const q = new Float64Array(n);
  for (let k = 0; k < n; k++) q[k] = inverseNormal((k + 0.5) / n);
  return q;
})();

/** The largest |draw| of NORMAL_QUANTILES (about 4.32 sigma): no draw of the table goes beyond it. */
export const NORMAL_BOUND: number = Math.max(-NORMAL_QUANTILES[0]!, NORMAL_QUANTILES[NORMAL_QUANTILES.length - 1]!);
