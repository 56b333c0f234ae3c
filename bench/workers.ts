/**
 * Event-level images spread over threads: images/s of one scenario with 1 and with N
 * threads (all of them started fresh, start-up included, as a user's run pays it), and the
 * speed-up. The counts are run in turn, `--repeat` rounds, and the best time of each kept
 * (other load on the machine only ever slows a run). One JSON line per thread count; the
 * reports are checked to be identical.
 *
 * The last line is the machine's own ceiling: the same images split between N separate
 * processes that share nothing (each runs its share in one thread), timed the same way. If
 * that is well short of N times, the threads cannot do better either.
 *
 *   npm run bench:workers                                   # 100 MAAP images, 1 and 2 threads
 *   npm run bench:workers -- --scenario scenarios/irmen-dual-cenn.yaml --images 400 --workers 1,2
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadScenario } from '../src/arch/scenario.js';
import { runSpread } from '../src/workers/run-images.js';

const { values } = parseArgs({ options: { scenario: { type: 'string' }, images: { type: 'string' }, workers: { type: 'string' }, repeat: { type: 'string' }, share: { type: 'string' } } });
const file = values.scenario ?? 'scenarios/maap-cnn-4bit.yaml';
const images = Number(values.images ?? 100);
const counts = (values.workers ?? '1,2').split(',').map(Number);
const now = (): number => performance.now() / 1000;

const scenario = loadScenario(file);

// A child of the ceiling measurement: run this many images in this one thread, say nothing.
if (values.share !== undefined) {
  await runSpread(scenario, { images: Number(values.share), workers: 1 });
  process.exit(0);
}

/** Seconds for `n` processes to run `images / n` images each, all at once. */
async function processes(n: number): Promise<number> {
  const t0 = now();
  const self = fileURLToPath(import.meta.url);
  await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const share = Math.floor(images / n) + (i < images % n ? 1 : 0);
      return new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [self, '--scenario', file, '--share', String(share)], { stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a share exited with ${code}`))));
      });
    }),
  );
  return now() - t0;
}

const repeat = Number(values.repeat ?? 3);
const best = new Map<number, number>();
let first: string | undefined;
let identical = true;
for (let round = 0; round < repeat; round++) {
  for (const workers of counts) {
    const t0 = now();
    const report = JSON.stringify(await runSpread(scenario, { images, workers }));
    const seconds = now() - t0;
    first ??= report;
    identical &&= report === first;
    best.set(workers, Math.min(best.get(workers) ?? Infinity, seconds));
  }
}
const base = best.get(counts[0]!)!;
for (const workers of counts) {
  const seconds = best.get(workers)!;
  process.stdout.write(
    `${JSON.stringify({ scenario: scenario.name, images, workers, rounds: repeat, best_seconds: Number(seconds.toFixed(3)), images_per_s: Number((images / seconds).toFixed(2)), speedup: Number((base / seconds).toFixed(2)), identical })}\n`,
  );
}

const most = Math.max(...counts);
let ceiling = Infinity;
let alone = Infinity;
for (let round = 0; round < repeat; round++) {
  alone = Math.min(alone, await processes(1));
  ceiling = Math.min(ceiling, await processes(most));
}
process.stdout.write(`${JSON.stringify({ scenario: scenario.name, images, ceiling: `${most} separate processes`, rounds: repeat, one_process_seconds: Number(alone.toFixed(3)), best_seconds: Number(ceiling.toFixed(3)), speedup: Number((alone / ceiling).toFixed(2)) })}\n`);
