import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, idxFile, tempFiles } from './helpers.js';

const IRMEN = 'scenarios/irmen-dual-cenn.yaml';

/** Runs the CLI and expects a clean refusal: exit 2, nothing on stdout, no stack trace. */
async function refused(...argv: string[]): Promise<string> {
  const r = await cli(...argv);
  expect(r.code, r.err).toBe(2);
  expect(r.err).not.toMatch(/internal error|\n\s+at /);
  return r.err;
}

describe('hostile input: constraints between parameters (1, 2)', () => {
  it('refuses each at its key, from run and validate alike', async () => {
    for (const command of ['run', 'validate']) {
      expect(await refused(command, IRMEN, '--set', 'params.timing.window=2 ns')).toMatch(/params\.timing\.window: the power window \(2000 ps\) must not be longer than the stage delay/);
      expect(await refused(command, 'scenarios/sot-mlp.yaml', '--set', 'params.driver.clock_period=1 ps')).toMatch(/params\.driver\.clock_period: a clock cycle \(1 ps\) must hold the write pulse/);
      expect(await refused(command, 'scenarios/mtj-mlp.yaml', '--set', 'params.cell.program.erase_voltage=2.5 V')).toMatch(/params\.cell\.program\.erase_voltage: the erase pulse must be negative/);
      expect(await refused(command, 'scenarios/mtj-mlp.yaml', '--set', 'params.cell.table.cP={mean: 800 uA, sigma: 10 A}')).toMatch(/params\.cell\.table\.cP\.sigma: a spread of '10\.00 A' around '800\.0 uA' would often draw values of the wrong sign/);
    }
    expect(await refused('validate', 'scenarios/mtj-mlp.yaml', '--set', 'params.cell.program.erase_voltage=-0.5 V')).toMatch(/erase_voltage: an erase pulse of -0\.5 V leaves a nominal cell at level 7; erasing 7 MTJs needs about -1\.\d\d V or below/);
  });

  it('runs a window equal to the stage delay: the stage stores before the next one reads', async () => {
    const r = await cli('run', IRMEN, '--json', '--set', 'params.timing.window=1.5 ns');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { latency_ps: number; stages: number; power: { powered_ps: number } };
    expect(report).toMatchObject({ latency_ps: 42_000, stages: 28 });
    expect(report.power.powered_ps).toBe(42_000);
  });
});

describe('hostile input: files and keys (3, 4, 5, 7, 8)', () => {
  it('stops a YAML alias bomb, naming the file', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]!}`).join(', ')}]`)];
    const dir = tempFiles({ 'bomb.yaml': `${levels.join('\n')}\ndesign: irmen-dual-cenn\n` });
    expect(await refused('validate', path.join(dir, 'bomb.yaml'))).toMatch(/bomb\.yaml: YAML: Excessive alias count/);
  });

  it('refuses keys that reach the object prototype, everywhere, and pollutes nothing', async () => {
    expect(await refused('run', IRMEN, '--set', '__proto__.polluted=1')).toMatch(/--set __proto__\.polluted=1: __proto__: '__proto__' cannot be a key/);
    expect(await refused('run', IRMEN, '--set', 'params.__proto__.x=1')).toMatch(/params\.__proto__: '__proto__' cannot be a key/);
    expect(await refused('run', IRMEN, '--set', 'params={constructor: {prototype: 1}}')).toMatch(/params\.constructor: 'constructor' cannot be a key/);
    const dir = tempFiles({
      'proto.yaml': `extends: ${path.resolve(IRMEN)}\nparams:\n  prototype:\n    x: 1\n`,
      'w.json': '{"layers": [], "__proto__": {"polluted": 1}}',
      'uses-w.yaml': `extends: ${path.resolve(IRMEN)}\nweights: { file: w.json }\n`,
    });
    expect(await refused('validate', path.join(dir, 'proto.yaml'))).toMatch(/proto\.yaml:3:3: params\.prototype: 'prototype' cannot be a key/);
    expect(await refused('run', path.join(dir, 'uses-w.yaml'))).toMatch(/w\.json: '__proto__' cannot be a key/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('names a truncated or corrupt gzip IDX file', async () => {
    const gz = gzipSync(idxFile([1, 28, 28], new Array(784).fill(7)));
    const broken = Buffer.from(gz);
    broken[2] = 0x07; // not deflate: "unknown compression method"
    const dir = tempFiles({});
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), broken);
    expect(await refused('run', IRMEN, '--mnist', dir)).toMatch(/t10k-images-idx3-ubyte\.gz: damaged gzip data \(unknown compression method\)/);
  });

  it('reads only regular files, so /dev/zero is refused as a scenario, a weights file or a base', async () => {
    expect(await refused('validate', '/dev/zero')).toMatch(/\/dev\/zero: cannot read scenario: it is not a regular file/);
    const dir = tempFiles({ 'w.yaml': `extends: ${path.resolve(IRMEN)}\nweights: { file: /dev/zero }\n`, 'e.yaml': 'extends: /dev/zero\n' });
    expect(await refused('run', path.join(dir, 'w.yaml'))).toMatch(/weights\.file: cannot read weights file \/dev\/zero: it is not a regular file/);
    expect(await refused('validate', path.join(dir, 'e.yaml'))).toMatch(/e\.yaml:1:1: extends: cannot read the scenario it extends, \/dev\/zero: it is not a regular file/);
    expect(await refused('validate', path.join(dir, 'missing.yaml'))).toMatch(/missing\.yaml: cannot read scenario: no such file/);
  });

  it('prints at most 20 problems and counts the rest', async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `  junk_${i}: 1`).join('\n');
    const dir = tempFiles({ 'many.yaml': readFileSync(IRMEN, 'utf8').replace('params:\n', `params:\n${keys}\n`) });
    const err = await refused('validate', path.join(dir, 'many.yaml'));
    const lines = err.trim().split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('... and 2,980 more');
  });
});

describe('hostile input: sizes and ranges (9, 10, 11, 12)', () => {
  it('checks image counts and ranges before running', async () => {
    expect(await refused('run', IRMEN, '--images', '1e9')).toMatch(/--images must be a whole number >= 1 written in digits, got '1e9'/);
    expect(await refused('run', IRMEN, '--images', '1000001')).toMatch(/--images is at most 1,000,000 event-level images a run/);
    expect(await refused('run', IRMEN, '--mnist', '--index', '9000', '--images', '1001')).toMatch(/1001 images from --index 9000 run past the 10000 images of the MNIST test set \(at most 1000 from there\)/);
  });

  it('checks that the input fits the images before building anything, and renders digits for larger inputs', async () => {
    expect(await refused('run', 'scenarios/sot-mlp.yaml', '--set', 'network.input=[1000000]')).toMatch(/network\.layers\[0\]: this layer gives 16 values from 16,000,000 weights/);
    expect(await refused('run', 'scenarios/sot-mlp.yaml', '--set', 'network.input=[1000]', '--set', 'weights=random')).toMatch(/network\.input: a vector input of 1000 values cannot take a square image/);
    const big = await cli('run', IRMEN, '--json', '--set', 'weights=random', '--set', 'network.input=[32, 32, 1]', '--set', 'network.layers=[{type: conv, kernel: 3, templates: 4}, {type: relu}, {type: maxpool, size: 3, stride: 1}]');
    expect(big.code).toBe(0);
    expect(JSON.parse(big.out).input).toBe('synthetic digits from 7 (32 x 32)');
  });

  it('refuses weights beyond what the OTAs can source, at the file and layer', async () => {
    const w = JSON.parse(readFileSync('scenarios/weights/irmen-dual-cenn.json', 'utf8')) as { layers: { weights: number[] }[] };
    w.layers[1]!.weights[5] = 1e6;
    const dir = tempFiles({ 'big.json': JSON.stringify(w) });
    const err = await refused('run', IRMEN, '--set', `weights={file: ${path.join(dir, 'big.json')}}`);
    // The conv reads a pooled plane kept in the ReLU encoding (value = 0.5 state + 0.5), so a weight of 1e6 is 5e5 in cell currents.
    expect(err).toMatch(/weights\.file: layer 3 \(stage 14, conv 3x3x4 -> 4 maps\) needs weights up to 5\.00e\+5 times a cell's saturating current; the OTA groups source at most 8/);
  });

  it('refuses a programming circuit that cannot program, and warns of cells that failed', async () => {
    expect(await refused('run', 'scenarios/mtj-mlp.yaml', '--set', 'params.cell.program.max_voltage=1 V')).toMatch(/max_voltage: the largest pulse \(1 V\) is below the first one/);
    expect(await refused('run', 'scenarios/mtj-mlp.yaml', '--set', 'params.cell.program.max_voltage=3 V')).toMatch(/max_voltage: programming all 7 MTJs of a nominal cell needs 3\.\d\d V, above the largest pulse \(3 V\)/);
    const partial = await cli('run', 'scenarios/mtj-mlp.yaml', '--set', 'params.cell.program.max_voltage=3.2 V', '--set', 'params.monte_carlo_cells=0');
    expect(partial.code).toBe(0);
    expect(partial.out).toMatch(/^WARNING: \d+ of 13716 cells could not be programmed to their level within params\.cell\.program\.max_voltage \(3\.2 V\)/);
    const json = JSON.parse((await cli('run', 'scenarios/mtj-mlp.yaml', '--json', '--set', 'params.cell.program.max_voltage=3.2 V', '--set', 'params.monte_carlo_cells=0')).out) as { warnings: string[]; programming: { failed: number } };
    expect(json.programming.failed).toBeGreaterThan(0);
    expect(json.warnings[0]).toContain(`${json.programming.failed} of 13716 cells`);
  });
});

describe('hostile input: trace files and options (6, 13, 14)', () => {
  it('refuses unwritable trace files, naming them, and never says it wrote them', async () => {
    for (const flag of ['--perfetto', '--vcd']) {
      const r = await cli('trace', IRMEN, flag, '/dev/full');
      expect(r.code).toBe(2);
      // A device is never written to (it could not be renamed over, and /dev/zero-like files are no trace).
      expect(r.err).toBe(`spinarch: ${flag} /dev/full: it is not a regular file (a device or a pipe is never written to)\n`);
    }
    const dir = tempFiles({});
    expect(await refused('trace', IRMEN, '--vcd', dir)).toBe(`spinarch: --vcd ${dir}: it is a directory, not a file\n`);
    expect(await refused('trace', IRMEN, '--vcd', path.join(dir, 'x'), '--perfetto', path.join(dir, 'x'))).toMatch(/--perfetto and --vcd name the same file/);
    expect(existsSync(path.join(dir, 'x'))).toBe(false);
  });

  it('refuses options that would be ignored, duplicate layers and short label files', async () => {
    expect(await refused('run', IRMEN, '--index', '3')).toMatch(/--index picks an MNIST image: give --mnist too/);
    const w = JSON.parse(readFileSync('scenarios/weights/irmen-dual-cenn.json', 'utf8')) as { layers: unknown[] };
    const dir = tempFiles({ 'dup.json': JSON.stringify({ layers: [...w.layers, w.layers[0]] }) });
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idxFile([3, 28, 28], new Array(3 * 784).fill(9)));
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxFile([2], [1, 2]));
    expect(await refused('run', IRMEN, '--set', `weights={file: ${path.join(dir, 'dup.json')}}`)).toMatch(/dup\.json: layer 0 is given twice/);
    expect(await refused('run', IRMEN, '--mnist', dir)).toMatch(/t10k-labels-idx1-ubyte has 2 labels for the 3 images/);
  });

  it('says plainly what was expected', async () => {
    expect(await refused('run', IRMEN, '--set', 'seed=1.5')).toBe('--set seed=1.5: seed: expected a whole number or a non-empty string, like 2019, got 1.5\n');
    expect(await refused('run', 'scenarios/maap-cnn-4bit.yaml', '--set', 'params.maap.redundancy=.nan')).toMatch(/params\.maap\.redundancy: expected a number, got NaN \(not a number\)/);
    expect(await refused('run', IRMEN, '--set', 'fm_length')).toMatch(/like --set params\.irmen\.fm_length='30 nm' or --set seed=7/);
    expect(await refused('compare', IRMEN, IRMEN)).toMatch(/irmen-dual-cenn\.yaml is given twice/);
    const dir = tempFiles({ 'a.yaml': 'extends: nope.yaml\n', 'b.yaml': `extends: ${path.resolve(IRMEN)}\nname: irmen-dual-cenn\n` });
    expect(await refused('validate', path.join(dir, 'a.yaml'))).toMatch(/a\.yaml:1:1: extends: cannot read the scenario it extends, .*nope\.yaml: no such file/);
    expect(await refused('compare', IRMEN, path.join(dir, 'b.yaml'))).toMatch(/irmen-dual-cenn\.yaml and .*b\.yaml are both named 'irmen-dual-cenn': give one another name/);
  });
});
