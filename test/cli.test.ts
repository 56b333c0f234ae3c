import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempFiles } from './helpers.js';

describe('spinarch CLI', () => {
  it('run --json prints the report keys, figures per image', async () => {
    const { code, out, err } = await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--json');
    expect(err).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(out) as Record<string, unknown>;
    for (const key of ['scenario', 'design', 'images', 'latency_ps', 'energy_j', 'energy_breakdown', 'counts', 'traffic', 'power', 'events']) expect(r).toHaveProperty(key);
    expect(r['traffic']).toEqual({ reads: 0, writes: 0, bits_read: 0, bits_written: 0 });
    expect(Object.keys(r['power'] as object)).toEqual(expect.arrayContaining(['peak_w', 'average_w']));
    const line = (r['energy_breakdown'] as Record<string, unknown>[])[0]!;
    expect(Object.keys(line)).toEqual(expect.arrayContaining(['component', 'action', 'count', 'energy_j']));
    expect(r['events']).toBeGreaterThan(28);
  });

  it('gives the same bytes for the same scenario and seed, and other figures for another seed', async () => {
    const a = await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--json', '--images', '2');
    const two = JSON.parse(a.out) as { images: number; energy_j: number; latency_ps: number; total: { energy_j: number; latency_ps: number }; per_image: { energy_j: number }[] };
    expect(two.images).toBe(2);
    expect(two.total.latency_ps).toBe(2 * 42_000);
    expect(two.total.energy_j).toBeCloseTo(two.per_image[0]!.energy_j + two.per_image[1]!.energy_j, 24);
    expect(two.energy_j).toBeCloseTo(two.total.energy_j / 2, 24);
    const b = await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--json', '--images', '2');
    expect(a.out).toBe(b.out);
    const c = await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--json', '--images', '2', '--set', 'seed=8');
    expect(JSON.parse(c.out).transfer_error_mean).not.toBe(JSON.parse(a.out).transfer_error_mean);
  });

  it('prints readable tables without --json', async () => {
    const { code, out } = await cli('run', 'scenarios/charge-cenn.yaml');
    expect(code).toBe(0);
    expect(out).toMatch(/│ latency\s+│\s+240 ns │/);
    expect(out).toContain('adc_conversion');
    for (const row of out.split('\n')) expect(row.length).toBeLessThanOrEqual(100);
  });

  it('reports bad input with file, line, key and exit code 2, and no stack trace', async () => {
    const dir = tempFiles({ 'bad.yaml': readFileSync('scenarios/irmen-dual-cenn.yaml', 'utf8').replace('window: 130 ps', 'window: 130 pF') });
    const { code, err, out } = await cli('run', path.join(dir, 'bad.yaml'));
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/bad\.yaml:\d+:\d+: params\.timing\.window: wrong unit 'pF'/);
    expect(err).not.toMatch(/\n\s+at /);
    expect((await cli('run', 'nope.yaml')).code).toBe(2);
    expect((await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--images', 'two')).code).toBe(2);
    expect((await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--mnist', dir)).err).toMatch(/no t10k-images-idx3-ubyte/);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('reports a design that cannot map its scenario as bad input, at the key, from run and validate', async () => {
    const few = await cli('run', 'scenarios/maap-cnn-4bit.yaml', '--set', 'params.maap.sets=8');
    expect(few.code).toBe(2);
    expect(few.err).toBe('scenarios/maap-cnn-4bit.yaml:11:5: params.maap.redundancy: each output is measured on R = 16 distinct sets, but there are only 8 (params.maap.sets)\n');
    const pool = await cli('validate', 'scenarios/irmen-dual-cenn.yaml', '--set', 'params.stages.pool=10');
    expect(pool.code).toBe(2);
    expect(pool.err).toMatch(/^--set params.stages.pool=10: params.stages.pool: max-pooling of layer 2 .* needs 12 CeNN stages, the budget is 10\n$/);
  });

  it('answers --help for every command', async () => {
    for (const cmd of [[], ['run'], ['compare'], ['trace'], ['validate'], ['figures'], ['schema'], ['designs'], ['start'], ['eval'], ['train']]) {
      const { code, out } = await cli(...cmd, '--help');
      expect(code).toBe(0);
      expect(out).toMatch(/^Usage: spinarch/);
    }
    expect((await cli('run', '--help')).out).toContain('--set <key=value>');
  });

  it('validate checks without running; schema prints JSON Schema; designs lists designs', async () => {
    expect(await cli('validate', 'scenarios/charge-cenn.yaml')).toMatchObject({ code: 0, out: expect.stringMatching(/ok \(design charge-cenn, 7 layers/) });
    expect(JSON.parse((await cli('schema')).out)).toHaveProperty('anyOf');
    expect((await cli('designs')).out).toContain('irmen-dual-cenn');
  });

  it('runs as the installed binary', () => {
    const out = execFileSync(process.execPath, ['bin/spinarch.js', 'validate', 'scenarios/irmen-dual-cenn.yaml'], { encoding: 'utf8' });
    expect(out).toContain('ok (design irmen-dual-cenn');
  });
});
