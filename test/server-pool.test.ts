import { describe, expect, it } from 'vitest';
import { Kernel } from '../src/scheduler/kernel.js';
import { ServerPool } from '../src/scheduler/server-pool.js';

/** Jobs of `service` ps each, all asked at time 0, on a pool of `capacity`: when each starts and on which server. */
function serve(capacity: number, jobs: number, service: number) {
  const kernel = new Kernel();
  const pool = new ServerPool(kernel, 'pool', capacity);
  const started: { job: number; server: number; at: number }[] = [];
  const done = (server: number): void => pool.release(server);
  const granted = (server: number, job: number): void => {
    started.push({ job, server, at: kernel.now });
    kernel.after(service, done, server);
  };
  for (let j = 0; j < jobs; j++) pool.acquire(granted, j);
  kernel.run();
  return { started, pool, end: kernel.now };
}

describe('ServerPool', () => {
  it('serves first come, first served, never more at once than its capacity', () => {
    const { started, end } = serve(3, 10, 100);
    expect(started.map((s) => s.job)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Job j starts when the (j - 3)th finishes: floor(j / 3) service times in.
    expect(started.map((s) => s.at)).toEqual([0, 0, 0, 100, 100, 100, 200, 200, 200, 300]);
    expect(end).toBe(400);
    for (const { at } of started) expect(started.filter((s) => s.at <= at && at < s.at + 100).length).toBeLessThanOrEqual(3);
  });

  it('hands out free servers in the order they were freed, so work spreads over all of them', () => {
    const { started } = serve(4, 8, 50);
    expect(started.map((s) => s.server)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('measures utilization and waiting as busy time over available time (Little-style bookkeeping)', () => {
    const { pool } = serve(2, 5, 100);
    // 5 jobs x 100 ps on 2 servers over [0, 300]: 500 / 600 busy.
    expect(pool.utilization(0, 300)).toBeCloseTo(500 / 600, 12);
    // Waits: jobs 2, 3 wait 100 ps, job 4 waits 200 ps.
    expect(pool.waited).toBe(400);
    expect(pool.grants).toBe(5);
    expect(pool.maxQueue).toBe(3);
  });

  it('keeps order through its queue growing past its first size', () => {
    const { started } = serve(1, 100, 10);
    expect(started.map((s) => s.job)).toEqual(Array.from({ length: 100 }, (_, j) => j));
    expect(started.at(-1)!.at).toBe(990);
  });

  it('refuses a capacity that is not a whole number >= 1', () => {
    expect(() => new ServerPool(new Kernel(), 'p', 0)).toThrow(/capacity/);
    expect(() => new ServerPool(new Kernel(), 'p', 1.5)).toThrow(/capacity/);
  });
});
