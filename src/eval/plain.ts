import type { FunctionalModel } from '../arch/design.js';
import { weightsOf, type Scenario } from '../arch/scenario.js';
import { streamFor } from '../components/random.js';
import { ScenarioError } from '../scenario/errors.js';
import { locate } from '../scenario/load.js';
import { TrainNet } from '../train/network.js';

/**
 * The scenario's network in plain arithmetic, as it was trained ("GPU" in seed 004): its
 * weights through the design's quantizers (binary weights stay binary, b-bit ones b-bit) and
 * activations, without any device. What the hardware loses against it is the devices' cost.
 */
export function plainModel(scenario: Scenario): FunctionalModel {
  const profile = scenario.design.training?.(scenario.value, scenario.layers);
  if (profile === undefined) throw new ScenarioError([{ location: locate(scenario.raw, ['design']), path: 'design', message: `design ${scenario.design.name} has no trained network to evaluate in plain arithmetic` }]);
  const net = new TrainNet(profile, streamFor(scenario.value.seed, 'plain'));
  const weights = weightsOf(scenario);
  for (const p of net.params) {
    const lw = weights.forLayer(p.layer.index, p.shape, p.b.length);
    p.w.set(lw.weights);
    p.b.set(lw.bias);
  }
  net.realize();
  return {
    infer(pixels) {
      const f = profile.input;
      for (let i = 0; i < net.input.length; i++) net.input[i] = f === undefined ? pixels[i]! : f(pixels[i]!);
      return Float64Array.from(net.forward());
    },
  };
}
