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
