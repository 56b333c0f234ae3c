import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempFiles } from './helpers.js';
import { redisInstalled, redisRequired, startRedis, type TestRedis } from '../bench/redis-server.js';

// A real Redis or nothing: never a mock. Without redis-server these tests are skipped with
// a plain line, except in CI (or with SPINARCH_REQUIRE_REDIS=1), where they must run.
const haveRedis = redisInstalled();
if (!haveRedis) {
  if (redisRequired()) throw new Error('redis-server is not installed and CI (or SPINARCH_REQUIRE_REDIS=1) requires the queue tests: apt-get install -y redis-server (.ci/run installs it)');
  process.stderr.write('spinarch: skipping the queue tests: redis-server is not installed (Debian: apt-get install -y redis-server, then npm test again)\n');
}

const SCENARIOS = path.resolve('scenarios');

/** Six points of about a second each: long enough to kill something in the middle. */
const sweepText = (out: string, scenario = `${SCENARIOS}/sot-mlp.yaml`): string => `scenario: ${scenario}
axes:
  params.driver.clock_period: [1 ns, 1.2 ns, 1.4 ns, 1.6 ns, 1.8 ns, 2 ns]
run: {images: 600}
metrics: [energy_j, latency_ps]
out: ${out}
`;

const linesOf = (file: string): { key: string; error?: string }[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { key: string; error?: string })
    : [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A `spinarch worker` process. */
function worker(url: string, name: string, cwd = process.cwd()): { child: ChildProcess; exited: Promise<number | null>; log: () => string } {
  let log = '';
  const child = spawn(process.execPath, [path.resolve('bin/spinarch.js'), 'worker', '--queue', url, '--name', name, '--concurrency', '1', '--lock-duration', '1000'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))), log: () => log };
}

async function stopWorker(w: ReturnType<typeof worker>): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await w.exited;
}

describe.skipIf(!haveRedis)('queue mode: BullMQ on a real Redis', () => {
  let redis: TestRedis;
  let reference: string;

  beforeAll(async () => {
    redis = await startRedis();
    // What a local sweep writes: the queue must give the same bytes.
    const dir = tempFiles({});
    writeFileSync(path.join(dir, 'local.yaml'), sweepText('local.jsonl'));
    expect((await cli('sweep', path.join(dir, 'local.yaml'), '--workers', '2')).code).toBe(0);
    reference = readFileSync(path.join(dir, 'local.jsonl'), 'utf8');
  }, 120_000);

  afterAll(async () => {
    await redis?.stop();
  });

  it('a worker killed with SIGKILL while it holds a point: another takes it, and every point arrives exactly once', async () => {
    const dir = tempFiles({});
    writeFileSync(path.join(dir, 'sweep.yaml'), sweepText('results.jsonl'));
    const a = worker(redis.url, 'kill-worker');
    const b = worker(redis.url, 'kill-worker');
    const queue = new Queue('spinarch-kill-worker', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const coordinator = cli('sweep', path.join(dir, 'sweep.yaml'), '--queue', redis.url, '--name', 'kill-worker');
      // Both workers busy, one point done: kill one of them in the middle of its point.
      await until('a result and two points in hand', async () => linesOf(path.join(dir, 'results.jsonl')).length >= 1 && (await queue.getActiveCount()) === 2);
      a.child.kill('SIGKILL');
      await a.exited;
      const r = await coordinator;
      expect(r.err).toContain('6 run');
      expect(r.code).toBe(0);
      const lines = linesOf(path.join(dir, 'results.jsonl'));
      expect(new Set(lines.map((l) => l.key)).size).toBe(6);
      expect(readFileSync(path.join(dir, 'results.jsonl'), 'utf8')).toBe(reference);
      // The survivor measured the killed worker's point too.
      expect(b.log()).toMatch(/done/);
      // Nothing is left in Redis once the results are filed.
      expect(await queue.getJobCounts('completed', 'failed', 'wait', 'active')).toEqual({ completed: 0, failed: 0, wait: 0, active: 0 });
    } finally {
      await queue.close();
      await stopWorker(a);
      await stopWorker(b);
    }
  }, 120_000);

  it('the coordinator killed, Redis restarted (append-only file on), the coordinator started again: nothing lost, nothing twice', async () => {
    const dir = tempFiles({});
    writeFileSync(path.join(dir, 'sweep.yaml'), sweepText('results.jsonl'));
    const results = path.join(dir, 'results.jsonl');
    const w = worker(redis.url, 'restart');
    const queue = new Queue('spinarch-restart', { connection: { host: '127.0.0.1', port: redis.port } });
    queue.on('error', () => undefined);
    try {
      const first = spawn(process.execPath, ['bin/spinarch.js', 'sweep', path.join(dir, 'sweep.yaml'), '--queue', redis.url, '--name', 'restart'], { stdio: 'ignore' });
      const firstExit = new Promise((r) => first.on('exit', r));
      await until('two results filed', () => linesOf(results).length >= 2);
      first.kill('SIGKILL');
      await firstExit;
      const filed = linesOf(results).length;
      // The worker goes on without a coordinator: finished points wait in Redis.
      await until('a point finished while no coordinator ran', async () => (await queue.getCompletedCount()) >= 1);
      await redis.restart();
      const again = await cli('sweep', path.join(dir, 'sweep.yaml'), '--queue', redis.url, '--name', 'restart');
      expect(again.code).toBe(0);
      expect(again.err).toContain(`${filed} already in`);
      expect(readFileSync(results, 'utf8')).toBe(reference);
    } finally {
      await queue.close();
      await stopWorker(w);
    }
  }, 120_000);

  it('a worker whose files differ from the coordinator\'s refuses the points, and they are recorded as failed, not retried', async () => {
    const dir = tempFiles({ 'sot.yaml': `extends: ${SCENARIOS}/sot-mlp.yaml\nweights: { file: w.json }\n` });
    copyFileSync(path.join(SCENARIOS, 'weights', 'sot-mlp.json'), path.join(dir, 'w.json'));
    writeFileSync(path.join(dir, 'sweep.yaml'), sweepText('results.jsonl', path.join(dir, 'sot.yaml')));
    const queue = new Queue('spinarch-mismatch', { connection: { host: '127.0.0.1', port: redis.port } });
    const coordinator = cli('sweep', path.join(dir, 'sweep.yaml'), '--queue', redis.url, '--name', 'mismatch');
    await until('the points enqueued', async () => (await queue.getWaitingCount()) === 6);
    // The weights change after the coordinator read them: the worker reads other weights.
    const weights = JSON.parse(readFileSync(path.join(dir, 'w.json'), 'utf8')) as { layers: { bias: number[] }[] };
    weights.layers[0]!.bias[0] = -weights.layers[0]!.bias[0]!;
    writeFileSync(path.join(dir, 'w.json'), JSON.stringify(weights));
    const w = worker(redis.url, 'mismatch');
    try {
      const r = await coordinator;
      expect(r.code).toBe(3);
      const lines = linesOf(path.join(dir, 'results.jsonl'));
      expect(lines).toHaveLength(6);
      expect(lines.every((l) => /differ from the coordinator's/.test(l.error ?? ''))).toBe(true);
      expect(w.log()).toMatch(/computes key [0-9a-f]{16} for point/);
    } finally {
      await queue.close();
      await stopWorker(w);
    }
  }, 120_000);
});

describe('array-job mode: shards and merge', () => {
  it('shards 1/3, 2/3 and 3/3 merged are a local run byte for byte; a merge with a part missing names its points', async () => {
    const dir = tempFiles({});
    const sweep = path.join(dir, 'sweep.yaml');
    writeFileSync(sweep, sweepText('results.jsonl').replace('run: {images: 600}', 'run: {images: 20}'));
    for (const i of [1, 2, 3]) expect((await cli('sweep', sweep, '--shard', `${i}/3`, '--workers', '1')).code).toBe(0);
    const parts = [1, 2, 3].map((i) => path.join(dir, `results.part-${i}-of-3.jsonl`));
    expect(parts.map((p) => linesOf(p).length)).toEqual([2, 2, 2]);
    const missing = await cli('merge', parts[0]!, parts[2]!, '--sweep', sweep);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('2 of 6 points are in no part');
    expect(missing.err).toContain('params.driver.clock_period=1.2 ns; params.driver.clock_period=1.8 ns');
    expect(existsSync(path.join(dir, 'results.jsonl'))).toBe(false);
    const merged = await cli('merge', ...parts, '--sweep', sweep);
    expect(merged.code).toBe(0);
    const local = tempFiles({});
    writeFileSync(path.join(local, 'sweep.yaml'), sweepText('results.jsonl').replace('run: {images: 600}', 'run: {images: 20}'));
    expect((await cli('sweep', path.join(local, 'sweep.yaml'), '--workers', '1')).code).toBe(0);
    expect(readFileSync(path.join(dir, 'results.jsonl'), 'utf8')).toBe(readFileSync(path.join(local, 'results.jsonl'), 'utf8'));

    // The slice from the batch scheduler's environment.
    process.env['SLURM_ARRAY_TASK_ID'] = '2';
    try {
      expect((await cli('sweep', sweep, '--shard', '3', '--workers', '1', '--out', path.join(dir, 'slurm.jsonl'))).code).toBe(0);
    } finally {
      delete process.env['SLURM_ARRAY_TASK_ID'];
    }
    expect(readFileSync(path.join(dir, 'slurm.jsonl'), 'utf8')).toBe(readFileSync(parts[1]!, 'utf8'));
    expect((await cli('sweep', sweep, '--shard', '4/3')).err).toContain('slice 4 is not between 1 and 3');
  }, 60_000);
});
