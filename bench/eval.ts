/**
 * Speed of the functional mode: every bundled scenario that has one classifies MNIST test
 * images on all cores; prints one JSON line per scenario (images/s, seconds, accuracy).
 *
 *   npm run bench:eval                       # the 10,000 test images
 *   npm run bench:eval -- --images 2000 --workers 1
 *   npm run bench:eval -- --variants --only irmen   # the variants too (an LLG table is computed once, then cached)
 *   npm run bench:eval -- --examples --only lenet   # the examples (examples/*.yaml: imported ONNX networks)
 *   npm run bench:eval -- --only maap-cnn-4bit --chips 5   # 5 dies, one after another (as eval --chips 5)
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { loadScenario } from '../src/arch/scenario.js';
import { scorePredictions } from '../src/arch/accuracy.js';
import { bundledScenarios } from '../src/cli/paths.js';
import { bundledMnistDir, loadMnist } from '../src/data/mnist.js';
import { onChip } from '../src/eval/evaluate.js';
import { evaluateImages } from '../src/eval/pool.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '10000' }, workers: { type: 'string', default: String(availableParallelism()) }, only: { type: 'string' }, variants: { type: 'boolean', default: false }, examples: { type: 'boolean', default: false }, chips: { type: 'string', default: '1' } } });
const images = Number(values.images);
const workers = Number(values.workers);
const chips = Number(values.chips);
const dir = bundledMnistDir();
const labels = loadMnist(dir, 'test').labels!;

for (const file of [...bundledScenarios(), ...(values.variants === true ? bundledScenarios('scenarios/variants') : []), ...(values.examples === true ? bundledScenarios('examples') : [])]) {
  const scenario = loadScenario(file);
  if (scenario.design.functional === undefined || (values.only !== undefined && !scenario.name.includes(values.only))) continue;
  const started = performance.now();
  const rates: (number | null)[] = [];
  for (let chip = 0; chip < chips; chip++) {
    const die = onChip(scenario, (scenario.value.chip ?? 0) + chip);
    const outcome = await evaluateImages(die, { dir, set: 'test', from: 0, count: images, workers });
    rates.push(scorePredictions(Array.from(outcome.predicted, (predicted, k) => ({ label: labels[k], predicted })), outcome.classes)?.accuracy.rate ?? null);
  }
  const seconds = (performance.now() - started) / 1000;
  const evaluated = images * chips;
  process.stdout.write(`${JSON.stringify({ scenario: scenario.name, images, ...(chips > 1 ? { chips, accuracy_per_chip: rates } : {}), workers, seconds: Number(seconds.toFixed(2)), images_per_s: Number((evaluated / seconds).toFixed(1)), accuracy: chips > 1 ? null : rates[0] })}\n`);
}
