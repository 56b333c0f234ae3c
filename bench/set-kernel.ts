/**
 * Speed of the MAAP set kernel (set-kernel.wat) alone: one group of 16 sets reading 9 pair
 * inputs with counter-based thermal noise, as the functional mode does per output; prints
 * one JSON line per input level (ns per pair and set: draw and solve).
 *
 *   npm run bench:set-kernel
 *   npm run bench:set-kernel -- --measurements 500000
 */
import { parseArgs } from 'node:util';
import { maapScenario } from '../src/arch/maap/maap-cnn.js';
import { loadScenario } from '../src/arch/scenario.js';
import { drawSets, setModel } from '../src/components/maap/set-response.js';
import { CounterNormals, RandomStream } from '../src/components/random.js';

const { values } = parseArgs({ options: { measurements: { type: 'string', default: '200000' } } });
const measurements = Number(values.measurements);
// The bundled MAAP scenario's circuit and spreads.
const { circuit, variation } = maapScenario.parse(loadScenario('scenarios/maap-cnn-4bit.yaml').raw.data).params.maap;
const pairs = 9;
const lanes = 16;
const model = setModel(circuit, pairs, true);
const sets = drawSets(model, Array.from({ length: lanes }, (_, i) => new RandomStream(`bench set ${i}`)), variation, lanes);
const kernel = sets[0]!.kernel!;
for (let i = 0; i < lanes; i++) kernel.keys[kernel.keyIndex(i)] = new CounterNormals(`bench noise ${i}`).keyHash;

// 0.3: every pair solved; -2: below the knee, where only the pairs that are never quiet are.
for (const x of [0.3, -2]) {
  kernel.sums.fill(x);
  for (let r = 0; r < measurements / 10; r++) kernel.group(0, pairs, r * pairs, model.sigma);
  const started = performance.now();
  for (let r = 0; r < measurements; r++) kernel.group(0, pairs, r * pairs, model.sigma);
  const ns = ((performance.now() - started) * 1e6) / (measurements * pairs * lanes);
  process.stdout.write(`${JSON.stringify({ input: x, sets: lanes, pairs, measurements, ns_per_pair_and_set: Number(ns.toFixed(2)) })}\n`);
}
