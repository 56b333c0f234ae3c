import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A free loopback port, from the system. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A real redis-server (Debian's package) on a loopback port, with its data in a temporary
 * folder and its append-only file on: what the queue tests and bench:queue start.
 */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM: it writes its append-only file) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const ping = (port: number): boolean => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';

/** Whether this machine has Debian's redis-server (and redis-cli) on its PATH. */
export const redisInstalled = (): boolean => spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;

/**
 * Whether tests that need redis-server must run: in CI (CI set, as .ci/run runs) or when
 * SPINARCH_REQUIRE_REDIS=1. Elsewhere they are skipped, saying why, when it is missing.
 */
export const redisRequired = (): boolean => (process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false') || process.env['SPINARCH_REQUIRE_REDIS'] === '1';

export async function startRedis(): Promise<TestRedis> {
  if (!redisInstalled()) {
    throw new Error("redis-server is not installed: the queue tests start a real one (Debian: apt-get install -y redis-server; .ci/run installs it)");
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'spinarch-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !ping(port); i++) await new Promise((r) => setTimeout(r, 25));
    if (!ping(port)) throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    restart: async () => {
      await stop();
      await start();
    },
    stop,
  };
}
