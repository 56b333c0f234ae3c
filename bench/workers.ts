/**
 * Event-level images spread over threads: images/s of one scenario with 1 and with N
 * threads (all of them started fresh, start-up included, as a user's run pays it), and the
 * speed-up. One JSON line per thread count; the reports are checked to be identical.
 *
 *   npm run bench:workers                                   # 100 MAAP images, 1 and 2 threads
 *   npm run bench:workers -- --scenario scenarios/irmen-dual-cenn.yaml --images 400 --workers 1,2
 */
import { parseArgs } from 'node:util';
import { loadScenario } from '../src/arch/scenario.js';
import { runSpread } from '../src/workers/run-images.js';

const { values } = parseArgs({ options: { scenario: { type: 'string' }, images: { type: 'string' }, workers: { type: 'string' } } });
const file = values.scenario ?? 'scenarios/maap-cnn-4bit.yaml';
const images = Number(values.images ?? 100);
const counts = (values.workers ?? '1,2').split(',').map(Number);
const now = (): number => performance.now() / 1000;

const scenario = loadScenario(file);
let first: string | undefined;
let base: number | undefined;
for (const workers of counts) {
  const t0 = now();
  const report = JSON.stringify(await runSpread(scenario, { images, workers }));
  const seconds = now() - t0;
  first ??= report;
  base ??= seconds;
  process.stdout.write(
    `${JSON.stringify({ scenario: scenario.name, images, workers, seconds: Number(seconds.toFixed(3)), images_per_s: Number((images / seconds).toFixed(2)), speedup: Number((base / seconds).toFixed(2)), identical: report === first })}\n`,
  );
}
