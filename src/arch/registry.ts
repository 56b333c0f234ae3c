import { chargeCenn } from './cenn/charge-cenn.js';
import { irmenDualCenn } from './cenn/irmen-dual-cenn.js';
import type { AnyDesign } from './design.js';

/** Every design spinarch can build, by the name scenarios give in `design:`. */
export const designs: readonly AnyDesign[] = [irmenDualCenn, chargeCenn];

export function findDesign(name: string): AnyDesign | undefined {
  return designs.find((d) => d.name === name);
}
