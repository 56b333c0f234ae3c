/**
 * Event-level speed of every bundled scenario beside PHOLD, in one process: per scenario,
 * images/s, events/s, bytes allocated per event, and the ratio of its events/s to PHOLD's in
 * the same run. One JSON line each.
 *
 *   npm run bench:designs                       # every bundled scenario
 *   npm run bench:designs -- --only maap --images 40
 *
 * Bytes allocated come from V8's sampling heap profiler with objects later collected kept
 * in (each sample stands for `interval` bytes), run over a second, separate pass so that the
 * timing pass is not slowed by it.
 */
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario, type Scenario } from '../src/arch/scenario.js';
import { bundledScenarios } from '../src/cli/paths.js';
import { runPhold } from './phold.js';

const { values } = parseArgs({ options: { only: { type: 'string' }, images: { type: 'string' }, repeat: { type: 'string' }, 'no-alloc': { type: 'boolean' } } });
/** Rounds of each measurement; the best is kept (other load on the machine only ever slows a run). */
const repeat = Number(values.repeat ?? 3);
const now = (): number => performance.now() / 1000;

/** Images per scenario by default: enough for a second or so of work each. */
const defaultImages = (name: string): number => (name.startsWith('maap') ? 21 : name.startsWith('mtj') ? 201 : 401);

async function allocatedBytes(run: () => void): Promise<number> {
  const session = new Session();
  session.connect();
  const interval = 4096;
  await session.post('HeapProfiler.startSampling', { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  run();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  // Each sample stands for `interval` bytes allocated (the profiler's Poisson sampling).
  const samples = (profile as { samples?: unknown[] }).samples;
  if (samples !== undefined) return samples.length * interval;
  type Node = { selfSize: number; children: Node[] };
  const walk = (n: Node): number => n.selfSize + n.children.reduce((a, c) => a + walk(c), 0);
  return walk(profile.head as unknown as Node);
}

let phold = runPhold(1024, 4, 4_000_000, now);
for (let round = 1; round < repeat; round++) {
  const again = runPhold(1024, 4, 4_000_000, now);
  if (again.events_per_s > phold.events_per_s) phold = again;
}
process.stdout.write(`${JSON.stringify({ scenario: 'phold', events: phold.events, seconds: Number(phold.seconds.toFixed(3)), events_per_s: phold.events_per_s })}\n`);

for (const file of bundledScenarios()) {
  const scenario: Scenario = loadScenario(file);
  if (values.only !== undefined && !scenario.name.includes(values.only)) continue;
  const images = values.images === undefined ? defaultImages(scenario.name) : Number(values.images);
  // A warm-up run, then rounds of a one-image run and the timed run: the difference is the
  // images' time alone (building the design and its setup are paid once in each; reported apart).
  runScenario(scenario, { images: 1 });
  let perImage = Infinity;
  let one = Infinity;
  let events = 0;
  for (let round = 0; round < repeat; round++) {
    const t1 = now();
    runScenario(scenario, { images: 1 });
    const single = now() - t1;
    const t0 = now();
    events = runScenario(scenario, { images }).total.events;
    const seconds = now() - t0;
    one = Math.min(one, single);
    perImage = Math.min(perImage, Math.max(1e-9, (seconds - single) / Math.max(1, images - 1)));
  }
  const setupSeconds = Math.max(0, one - perImage);
  const bytes = values['no-alloc'] === true ? Number.NaN : await allocatedBytes(() => runScenario(scenario, { images }));
  const eventsPerS = events / images / perImage;
  process.stdout.write(
    `${JSON.stringify({
      scenario: scenario.name,
      images,
      events_per_image: Math.round(events / images),
      rounds: repeat,
      images_per_s: Number((1 / perImage).toFixed(2)),
      build_and_setup_s: Number(setupSeconds.toFixed(3)),
      events_per_s: Math.round(eventsPerS),
      bytes_per_event: Number.isNaN(bytes) ? null : Math.round(bytes / Math.max(1, events)),
      vs_phold: Number((eventsPerS / phold.events_per_s).toFixed(3)),
    })}\n`,
  );
}
