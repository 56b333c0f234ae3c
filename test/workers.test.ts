import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { syntheticDigits } from '../src/data/images.js';
import { runSpread } from '../src/workers/run-images.js';

// Worker threads run the build in dist/ (the test command builds first).
describe('images spread over worker threads', () => {
  it.each(['sot-mlp', 'charge-cenn', 'maap-cnn-4bit', 'irmen-dual-cenn'])('%s: the report is byte-identical for 1, 2 and 3 threads', async (name) => {
    const scenario = loadScenario(`scenarios/${name}.yaml`);
    const images = name.startsWith('maap') ? 5 : 7;
    const one = JSON.stringify(runScenario(scenario, { images }));
    expect(JSON.stringify(await runSpread(scenario, { images, workers: 2 }))).toBe(one);
    expect(JSON.stringify(await runSpread(scenario, { images, workers: 3 }))).toBe(one);
  }, 60_000);

  it('an image gives the same figures wherever it falls in a run (no state carried from the images before)', () => {
    const scenario = loadScenario('scenarios/sot-mlp.yaml');
    const all = runScenario(scenario, { images: 6 }).per_image;
    const source = syntheticDigits(scenario.value.input.digit + 4, scenario.value.network.input);
    const late = runScenario(scenario, { images: 2, source }).per_image;
    expect(late.map((p) => [p.latency_ps, p.energy_j, p.outputs])).toEqual(all.slice(4).map((p) => [p.latency_ps, p.energy_j, p.outputs]));
  });

  it('counts every image once and keeps them in order', async () => {
    const scenario = loadScenario('scenarios/charge-cenn.yaml');
    const progress: number[] = [];
    const report = await runSpread(scenario, { images: 11, workers: 2, onProgress: (done) => progress.push(done) });
    expect(report.per_image.map((p) => p.image)).toEqual([...Array(11).keys()]);
    expect(progress.at(-1)).toBe(11);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  }, 60_000);
});
