/**
 * Queue mode's scale: one coordinator and 1, then 2, `spinarch worker` processes on this
 * machine finish the same 40-point sweep through a real Redis; the workers are started (and
 * ready) before the clock starts, the coordinator's whole run is timed. One JSON line per
 * worker count, then the speed-up; the results files are checked to be identical.
 *
 *   npm run bench:queue
 *   npm run bench:queue -- --images 800 --workers 1,2,4
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startRedis } from './redis-server.js';

const { values } = parseArgs({ options: { images: { type: 'string' }, workers: { type: 'string' } } });
const images = Number(values.images ?? 400);
const counts = (values.workers ?? '1,2').split(',').map(Number);
const bin = path.resolve('bin/spinarch.js');
const now = (): number => performance.now() / 1000;

const redis = await startRedis();
const dir = mkdtempSync(path.join(tmpdir(), 'spinarch-bench-queue-'));
const results: Record<number, { seconds: number; bytes: string }> = {};
try {
  for (const n of counts) {
    const name = `bench-${n}`;
    writeFileSync(
      path.join(dir, `${name}.yaml`),
      `scenario: ${path.resolve('scenarios/sot-mlp.yaml')}\naxes:\n  params.driver.clock_period: 1 ns:4.9 ns:0.1 ns\nrun: {images: ${images}}\nmetrics: [energy_j, latency_ps]\nout: ${name}.jsonl\n`,
    );
    const workers = Array.from({ length: n }, () => {
      const child = spawn(process.execPath, [bin, 'worker', '--queue', redis.url, '--name', name, '--concurrency', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
      const ready = new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => d.toString().includes('waiting for points') && resolve()));
      return { child, ready, exited: new Promise((r) => child.on('exit', r)) };
    });
    await Promise.all(workers.map((w) => w.ready));
    const t0 = now();
    await new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, [bin, 'sweep', path.join(dir, `${name}.yaml`), '--queue', redis.url, '--name', name], { stdio: 'ignore' });
      c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`coordinator exited ${code}`))));
    });
    const seconds = now() - t0;
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    results[n] = { seconds, bytes: readFileSync(path.join(dir, `${name}.jsonl`), 'utf8') };
    console.log(JSON.stringify({ bench: 'queue', workers: n, points: 40, images_per_point: images, seconds: Number(seconds.toFixed(2)), points_per_s: Number((40 / seconds).toFixed(2)) }));
  }
  const base = results[counts[0]!]!;
  for (const n of counts.slice(1)) {
    console.log(JSON.stringify({ bench: 'queue', speedup: `${n} workers / ${counts[0]}`, ratio: Number((base.seconds / results[n]!.seconds).toFixed(2)), same_results: results[n]!.bytes === base.bytes }));
  }
} finally {
  await redis.stop();
}
