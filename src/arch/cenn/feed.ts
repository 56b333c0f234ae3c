import type { SimContext } from '../../components/component.js';
import { IMAGE_IN } from '../../components/cenn/input-port.js';
import type { CennSequencer } from '../../components/cenn/sequencer.js';
import type { Machine } from '../design.js';
import type { Layer } from '../network.js';

/** How a CeNN machine takes an image: publish it to the input, then start the program. */
export function imageFeeder(sim: SimContext, layers: readonly Layer[], controller: CennSequencer): Machine['process'] {
  const imageIn = sim.bus.topic(IMAGE_IN);
  const { c, h, w } = layers[0]!.input;
  return (pixels, index) => {
    imageIn.publish({ image: index, shape: { maps: c, h, w }, pixels });
    controller.start(index);
  };
}
