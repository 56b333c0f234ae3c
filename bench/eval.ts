/**
 * Speed of the functional mode: every bundled scenario that has one classifies MNIST test
 * images on all cores; prints one JSON line per scenario (images/s, seconds, accuracy).
 *
 *   npm run bench:eval                       # the 10,000 test images
 *   npm run bench:eval -- --images 2000 --workers 1
 *   npm run bench:eval -- --variants --only irmen   # the variants too (an LLG table is computed once, then cached)
 *   npm run bench:eval -- --examples --only lenet   # the examples (examples/*.yaml: imported ONNX networks)
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { loadScenario } from '../src/arch/scenario.js';
import { scorePredictions } from '../src/arch/accuracy.js';
import { bundledScenarios } from '../src/cli/paths.js';
import { bundledMnistDir, loadMnist } from '../src/data/mnist.js';
import { evaluateImages } from '../src/eval/pool.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '10000' }, workers: { type: 'string', default: String(availableParallelism()) }, only: { type: 'string' }, variants: { type: 'boolean', default: false }, examples: { type: 'boolean', default: false } } });
const images = Number(values.images);
const workers = Number(values.workers);
const dir = bundledMnistDir();
const labels = loadMnist(dir, 'test').labels!;

for (const file of [...bundledScenarios(), ...(values.variants === true ? bundledScenarios('scenarios/variants') : []), ...(values.examples === true ? bundledScenarios('examples') : [])]) {
  const scenario = loadScenario(file);
  if (scenario.design.functional === undefined || (values.only !== undefined && !scenario.name.includes(values.only))) continue;
  const started = performance.now();
  const outcome = await evaluateImages(scenario, { dir, set: 'test', from: 0, count: images, workers });
  const seconds = (performance.now() - started) / 1000;
  const scored = scorePredictions(Array.from(outcome.predicted, (predicted, k) => ({ label: labels[k], predicted })), outcome.classes);
  process.stdout.write(`${JSON.stringify({ scenario: scenario.name, images, workers, seconds: Number(seconds.toFixed(2)), images_per_s: Number((images / seconds).toFixed(1)), accuracy: scored?.accuracy.rate ?? null })}\n`);
}
