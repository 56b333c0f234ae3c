import { chargeCenn } from './cenn/charge-cenn.js';
import { irmenDualCenn } from './cenn/irmen-dual-cenn.js';
import type { AnyDesign } from './design.js';
import { maapCnn } from './maap/maap-cnn.js';
import { mtjMlp } from './mtj/mtj-mlp.js';
import { sotMlp } from './sot/sot-mlp.js';

/** Every design spinarch can build, by the name scenarios give in `design:`. */
export const designs: readonly AnyDesign[] = [irmenDualCenn, chargeCenn, maapCnn, sotMlp, mtjMlp];

export function findDesign(name: string): AnyDesign | undefined {
  return designs.find((d) => d.name === name);
}
