import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellSettingOf, irmenScenario, stageDelayOf } from '../src/arch/cenn/irmen-dual-cenn.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario, variant } from '../src/arch/scenario.js';
import { MTJ_CSV_SPAN, MTJ_CSV_STEP, SOT_CSV_STEP, irmenTableCsv, mtjTableCsv, sotTableCsv } from '../src/cli/device.js';
import { mtjScenario } from '../src/arch/mtj/mtj-mlp.js';
import { mtjRvTable } from '../src/components/mtj/rv-table.js';
import { meanMtj, mtjVoltage } from '../src/components/mtj/serial-mtj.js';
import { sotScenario } from '../src/arch/sot/sot-mlp.js';
import { sotRvTable } from '../src/components/sot/rv-table.js';
import { readMean, readSpread } from '../src/components/irmen/cell-read.js';
import { cellReadOf } from '../src/components/irmen/irmen-bank.js';
import { FIELD_MAX, FIELD_STEP } from '../src/components/irmen/read-physics.js';
import { bundledMnistDir } from '../src/data/mnist.js';
import { meanOf, parseDeviceTable, spreadOf, type TableSpec } from '../src/device-table/csv-table.js';
import { interpolate } from '../src/device-table/interpolate.js';
import { evaluateImages } from '../src/eval/pool.js';
import { evaluateScenario } from '../src/eval/evaluate.js';
import { pointKey } from '../src/sweep/point-key.js';
import { cli, tempFiles, scenarioErrorOf } from './helpers.js';

/** A table of the serial-MTJ kind, to test the reader on units with prefixes and repeated columns. */
const RV: TableSpec = {
  what: 'test R(V) table',
  argument: { name: 'V', kind: 'voltage', what: 'bias' },
  columns: [
    { name: 'R_P', kind: 'resistance', repeat: true, min: 0, what: 'parallel resistance' },
    { name: 'R_AP', kind: 'resistance', min: 0, nondecreasing: false, what: 'antiparallel resistance' },
  ],
};

describe('device table reader', () => {
  it('reads units with SI prefixes, a source line and repeated columns (their mean and spread)', () => {
    const t = parseDeviceTable('# lab X, wafer 3, 300 K\nV [mV],R_P [kOhm],R_P_2 [kOhm],R_AP [ohm]\n-100,2,2.2,4000\n0,2.1,2.3,4400\n100 , 2,2.2,4000\n', '/x/rv.csv', RV);
    expect(t.source).toEqual(['lab X, wafer 3, 300 K']);
    expect(Array.from(t.argument)).toEqual([-0.1, 0, 0.1]);
    const rp = t.columns.get('R_P')!;
    expect(rp).toHaveLength(2);
    expect(meanOf(rp)[1]).toBeCloseTo(2200, 9);
    // Sample sd of 2100 and 2300 ohm: 141.42 ohm.
    expect(spreadOf(rp)[1]).toBeCloseTo(Math.SQRT2 * 100, 9);
    expect(t.columns.get('R_AP')![0]![1]).toBe(4400);
  });

  it('interpolates linearly and holds the end value past the range', () => {
    const xs = Float64Array.from([0, 1, 3]);
    const ys = Float64Array.from([10, 20, 0]);
    expect(interpolate(xs, ys, 0.25)).toBeCloseTo(12.5, 12);
    expect(interpolate(xs, ys, 2)).toBeCloseTo(10, 12);
    expect(interpolate(xs, ys, -5)).toBe(10);
    expect(interpolate(xs, ys, 7)).toBe(0);
  });

  const bad: [string, string, RegExp][] = [
    ['missing column', '# s\nV [V],R_P [ohm]\n0,1\n1,2\n', /^bad\.csv:2: missing column R_AP \(antiparallel resistance\)/],
    ['unit that does not fit', '# s\nV [V],R_P [V],R_AP [ohm]\n0,1,1\n1,2,2\n', /^bad\.csv:2:11: column R_P: wrong unit 'V' .*expected \[Ohm\]/],
    ['unknown unit', '# s\nV [V],R_P [ohms],R_AP [ohm]\n0,1,1\n1,2,2\n', /^bad\.csv:2:11: column R_P: 'ohms' is not a unit/],
    ['no unit', '# s\nV,R_P [ohm],R_AP [ohm]\n0,1,1\n1,2,2\n', /^bad\.csv:2:1: column header 'V': expected a name and its unit in brackets/],
    ['unknown column', '# s\nV [V],R_P [ohm],R_AP [ohm],T [K]\n0,1,1,1\n1,2,2,2\n', /^bad\.csv:2:28: unknown column 'T': test R\(V\) table has the columns V \[V\], R_P \[Ohm\] \(may repeat\), R_AP \[Ohm\]$/],
    ['non-monotonic argument', '# s\nV [V],R_P [ohm],R_AP [ohm]\n0,1,1\n0.2,2,2\n0.1,2,2\n', /^bad\.csv:5:1: V must increase from row to row \(bias\): 0\.1 after 0\.2/],
    ['NaN', '# s\nV [V],R_P [ohm],R_AP [ohm]\n0,1,1\n1,NaN,2\n', /^bad\.csv:4:3: 'NaN' is not a number \(column R_P \[ohm\]\)/],
    ['empty field', '# s\nV [V],R_P [ohm],R_AP [ohm]\n0,1,1\n1,,2\n', /^bad\.csv:4:3: '' is not a number/],
    ['one row', '# s\nV [V],R_P [ohm],R_AP [ohm]\n0,1,1\n', /^bad\.csv:3: test R\(V\) table: one data row; linear interpolation needs at least two/],
    ['a row too short', '# s\nV [V],R_P [ohm],R_AP [ohm]\n0,1,1\n1,2\n', /^bad\.csv:4:3: 2 fields, but the header has 3/],
    ['below its bound', '# s\nV [V],R_P [ohm],R_AP [ohm]\n0,1,1\n1,-2,2\n', /^bad\.csv:4:3: R_P = -2 is below 0 \(parallel resistance\)/],
    ['overflow', '# s\nV [V],R_P [ohm],R_AP [ohm]\n0,1,1\n1,1e999,2\n', /^bad\.csv:4:3: 1e999 is out of range/],
    ['no source line', 'V [V],R_P [ohm],R_AP [ohm]\n0,1,1\n1,2,2\n', /^bad\.csv:1: test R\(V\) table: no source line/],
    ['a column twice that may not repeat', '# s\nV [V],R_P [ohm],R_AP [ohm],R_AP [ohm]\n0,1,1,1\n1,2,2,2\n', /^bad\.csv:2:28: column R_AP appears twice/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses a table with ${what} at its line and column`, () => {
      expect(scenarioErrorOf(() => parseDeviceTable(text, path.resolve('bad.csv'), RV))).toMatch(message);
    });
  }

  it('refuses an IRMEN table whose mean readout falls with the drive', async () => {
    const dir = tempFiles({ 'cell.csv': '# s\nu [1],readout [1]\n-1,-1\n0,0.2\n1,0.1\n', 'a.yaml': `extends: ${path.resolve('scenarios/irmen-dual-cenn.yaml')}\nparams: {irmen: {transfer: {table: cell.csv}}}\n` });
    const r = await cli('run', path.join(dir, 'a.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cell\.csv:5:3: readout must not fall as u grows .*from 0\.200000 to 0\.100000/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('bad device tables through the CLI: exit 2, the file and why, no stack trace', () => {
  const scenarioIn = (dir: string, table: string): string => {
    writeFileSync(path.join(dir, 's.yaml'), `extends: ${path.resolve('scenarios/irmen-dual-cenn.yaml')}\nparams:\n  irmen:\n    transfer: {table: ${table}}\n`);
    return path.join(dir, 's.yaml');
  };

  it('a 100 MB file is refused before it is read', async () => {
    const dir = tempFiles({});
    // A sparse file: 100 MB long, no blocks written.
    writeFileSync(path.join(dir, 'big.csv'), '');
    truncateSync(path.join(dir, 'big.csv'), 100 * 1024 * 1024);
    const r = await cli('run', scenarioIn(dir, 'big.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/s\.yaml:4:16: params\.irmen\.transfer\.table: cannot read the IRMEN cell transfer table .*big\.csv: it has 104857600 bytes, more than the 16777216 spinarch reads for a device table/);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
  });

  it('a directory, a missing file, and a bad row each say so', async () => {
    const dir = tempFiles({ 'bad.csv': '# s\nu [1],readout [1]\n0,0\nx,1\n' });
    mkdirSync(path.join(dir, 'folder.csv'));
    const folder = await cli('eval', scenarioIn(dir, 'folder.csv'), '--images', '2');
    expect(folder.code).toBe(2);
    expect(folder.err).toMatch(/params\.irmen\.transfer\.table: cannot read .*folder\.csv: it is a directory, not a file/);
    const missing = await cli('run', scenarioIn(dir, 'gone.csv'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/gone\.csv: no such file/);
    const row = await cli('run', scenarioIn(dir, 'bad.csv'));
    expect(row.code).toBe(2);
    expect(row.err).toMatch(/bad\.csv:4:1: 'x' is not a number \(column u \[1\]\)/);
  });
});

describe('IRMEN cell: model -> CSV -> model', () => {
  const base = loadScenario('scenarios/irmen-dual-cenn.yaml');
  const v = irmenScenario.parse(base.raw.data);
  const setting = cellSettingOf(v, stageDelayOf(v));
  const model = cellReadOf(v.params.irmen, setting, v.seed);
  const dir = tempFiles({});
  const tableAt = (step: number, name = `cell-${step}.csv`): string => {
    const file = path.join(dir, name);
    writeFileSync(file, irmenTableCsv(base.name, v, step).text);
    return file;
  };

  it('a table on a coarser grid reads the model within the linear-interpolation bound h^2/8 max|f\'\'|', () => {
    // The model's mean on its own grid, and its largest second derivative (finite differences).
    let curvature = 0;
    for (let u = -FIELD_MAX + FIELD_STEP; u < FIELD_MAX - FIELD_STEP / 2; u += FIELD_STEP) {
      curvature = Math.max(curvature, Math.abs(readMean(model, u + FIELD_STEP) - 2 * readMean(model, u) + readMean(model, u - FIELD_STEP)) / FIELD_STEP ** 2);
    }
    for (const h of [0.02, 0.05]) {
      const table = cellReadOf({ ...v.params.irmen, transfer: { table: tableAt(h) } }, setting, v.seed);
      let worst = 0;
      for (let u = -3.9993; u < 3.9; u += 0.0071) worst = Math.max(worst, Math.abs(readMean(table, u) - readMean(model, u)));
      const bound = (h * h * curvature) / 8;
      expect(worst, `step ${h}`).toBeLessThanOrEqual(bound * 1.05);
      // And it is an interpolation error, not a different curve: it shrinks as h^2 (at least 3x from 0.05 to 0.02 would be 6.25x).
      expect(worst, `step ${h}`).toBeGreaterThan(bound / 50);
    }
  });

  it("on the model's own grid, the same accuracy, read error and energy as the built-in model (100 MNIST test images)", async () => {
    const file = tableAt(FIELD_STEP, 'cell.csv');
    const fromTable = variant(base, [`params.irmen.transfer.table=${file}`]);
    const table = cellReadOf({ ...v.params.irmen, transfer: { table: file } }, setting, v.seed);
    // Pointwise first: the table holds the model's values, and interpolates them as the model does on its grid.
    for (let u = -3.99; u < 4; u += 0.0373) {
      expect(readMean(table, u)).toBeCloseTo(readMean(model, u), 12);
      expect(readSpread(table, u)).toBeCloseTo(readSpread(model, u), 12);
    }
    const dirMnist = bundledMnistDir();
    const run = async (s: typeof base) => evaluateImages(s, { dir: dirMnist, set: 'test', from: 300, count: 100, workers: 1 });
    const [a, b] = [await run(base), await run(fromTable)];
    // Tolerance: the two sources agree to ~1e-16 per read, so the read error agrees to 1e-9
    // relative, and at most one of 100 images may change class (a score tie flipped by rounding).
    const differ = Array.from(a.predicted).filter((p, k) => p !== b.predicted[k]).length;
    expect(differ).toBeLessThanOrEqual(1);
    const [ea, na] = a.tally['transfer_error_mean']!;
    const [eb, nb] = b.tally['transfer_error_mean']!;
    expect(nb).toBe(na);
    expect(Math.abs(eb / nb - ea / na)).toBeLessThanOrEqual(1e-9 * (ea / na));
    expect(b.tally['table_beyond_share']).toEqual([0, nb]);
    // Energy per image (event level): the cell's costs come from its parameters, not its read, so equal to 1e-12.
    const ca = runScenario(base, { images: 1 });
    const cb = runScenario(fromTable, { images: 1 });
    expect(Math.abs(cb.energy_j - ca.energy_j)).toBeLessThanOrEqual(1e-12 * ca.energy_j);
    expect(cb.latency_ps).toBe(ca.latency_ps);
    // A control: the same table with each read's spread doubled is another device, and the read error shows it.
    const noisy = path.join(dir, 'noisy.csv');
    writeFileSync(noisy, readFileSync(file, 'utf8').replace(/^(-?[\d.e-]+),(-?[\d.e-]+),([\d.e-]+)$/gm, (_, u: string, m: string, s: string) => `${u},${m},${2 * Number(s)}`));
    const c = await evaluateImages(variant(base, [`params.irmen.transfer.table=${noisy}`]), { dir: dirMnist, set: 'test', from: 300, count: 20, workers: 1 });
    const [ec, nc] = c.tally['transfer_error_mean']!;
    expect(ec / nc).toBeGreaterThan(1.3 * (ea / na));
  }, 60_000);

  it('reads beyond the table are counted and warned of, in eval and in run', async () => {
    const narrow = path.join(dir, 'narrow.csv');
    const rows = readFileSync(tableAt(0.1, 'wide.csv'), 'utf8').split('\n');
    writeFileSync(narrow, rows.filter((l) => l.startsWith('#') || l.startsWith('u ') || (l !== '' && Math.abs(Number(l.split(',')[0])) <= 1.2 + 1e-9)).join('\n'));
    const s = variant(base, [`params.irmen.transfer.table=${narrow}`]);
    const r = await evaluateScenario(s, { dir: bundledMnistDir(), set: 'test', from: 0, count: 10, workers: 1 });
    expect(r.figures['table_beyond_share']).toBeGreaterThan(0.01);
    expect(r.warnings?.[0]).toMatch(/^[\d,]+ of [\d,]+ device reads \([\d.]+ %\) were beyond the measured table's range and read at its edge/);
    const run = runScenario(s, { images: 1 });
    expect(run.warnings?.[0]).toMatch(/device reads .* beyond the measured table's range/);
    // Within the range, no warning.
    expect(runScenario(variant(base, [`params.irmen.transfer.table=${tableAt(0.1, 'wide.csv')}`]), { images: 1 }).warnings ?? []).toEqual([]);
  }, 60_000);

  it('a sweep point is keyed by the table content, not its name; a scenario without a table keeps its key', () => {
    const one = tableAt(0.1, 'one.csv');
    const same = tableAt(0.1, 'same.csv');
    const other = tableAt(0.05, 'other.csv');
    const key = (file: string): string => pointKey({ scenario: variant(base, [`params.irmen.transfer.table=${file}`]), metrics: [], version: 'test' });
    expect(key(one)).toBe(key(same));
    expect(key(one)).not.toBe(key(other));
    // No table key: the value holds nothing new (no default inserted), so sweep results made before stay valid.
    expect(JSON.stringify(base.value)).not.toContain('table');
  });
});

describe('a scenario with a device table sweeps like any other', () => {
  it('over the table path, relative to the sweep file', async () => {
    const base = loadScenario('scenarios/irmen-dual-cenn.yaml');
    const v = irmenScenario.parse(base.raw.data);
    const dir = tempFiles({
      'fine.csv': irmenTableCsv(base.name, v, 0.02).text,
      'coarse.csv': irmenTableCsv(base.name, v, 0.1).text,
      'tiny.yaml': `extends: ${path.resolve('scenarios/irmen-dual-cenn.yaml')}\nname: tiny-irmen\nweights: random\nnetwork:\n  input: [28, 28, 1]\n  layers:\n    - { type: conv, kernel: 3, templates: 2 }\n    - { type: relu }\n    - { type: dense, outputs: 10 }\n`,
    });
    writeFileSync(path.join(dir, 'sweep.yaml'), `scenario: tiny.yaml\naxes:\n  params.irmen.transfer.table: [fine.csv, coarse.csv]\nrun: {images: 1}\nmetrics: [energy_j, transfer_error_mean]\nout: results.jsonl\n`);
    const r = await cli('sweep', path.join(dir, 'sweep.yaml'), '--workers', '1');
    expect(r.code, r.err).toBe(0);
    const lines = readFileSync(path.join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { point: Record<string, unknown>; metrics: Record<string, number> });
    expect(lines.map((l) => l.point['params.irmen.transfer.table'])).toEqual(['fine.csv', 'coarse.csv']);
    expect(lines[0]!.metrics['energy_j']).toBe(lines[1]!.metrics['energy_j']);
    expect(lines[0]!.metrics['transfer_error_mean']).not.toBe(lines[1]!.metrics['transfer_error_mean']);
  }, 60_000);
});

describe('SOT-MRAM R(V): model -> CSV -> model', () => {
  const base = loadScenario('scenarios/sot-mlp.yaml');
  const device = sotScenario.parse(base.raw.data).params.device;
  const dir = tempFiles({});
  const file = path.join(dir, 'sot.csv');
  writeFileSync(file, sotTableCsv(base.name, device, SOT_CSV_STEP).text);

  it('the same accuracy (300 images) and energy as Eqs. 1-2, within the interpolation bound of R_AP(V)', async () => {
    const fromTable = variant(base, [`params.device.mtj.table=${file}`]);
    const dirMnist = bundledMnistDir();
    const [a, b] = [await evaluateImages(base, { dir: dirMnist, set: 'test', from: 0, count: 300, workers: 1 }), await evaluateImages(fromTable, { dir: dirMnist, set: 'test', from: 0, count: 300, workers: 1 })];
    // Tolerance: R_P is flat in V (Eq. 1 at cos 1), R_AP(V) = R_P (1 + TMR0 / (1 + (V / V0)^2)) is
    // interpolated every 5 mV, so it is off by at most h^2 / 8 max|R_AP''| = h^2 R_P TMR0 / (4 V0^2),
    // 1e-5 relative; at most one of 300 images may change class on that.
    const differ = Array.from(a.predicted).filter((p, k) => p !== b.predicted[k]).length;
    expect(differ).toBeLessThanOrEqual(1);
    expect(b.tally['rv_beyond_share']![0]).toBe(0);
    const bound = (SOT_CSV_STEP ** 2 * (device.tmr0_percent / 100)) / (4 * device.v0 ** 2);
    const ca = runScenario(base, { images: 1 });
    const cb = runScenario(fromTable, { images: 1 });
    expect(Math.abs(cb.energy_j / ca.energy_j - 1)).toBeLessThanOrEqual(bound);
    expect(cb.latency_ps).toBe(ca.latency_ps);
    // And the table is what is read: a device with twice the resistance costs less to read.
    const doubled = path.join(dir, 'doubled.csv');
    writeFileSync(doubled, readFileSync(file, 'utf8').replace(/^(-?[\d.e-]+),([\d.e-]+),([\d.e-]+)$/gm, (_, v: string, p: string, ap: string) => `${v},${2 * Number(p)},${2 * Number(ap)}`));
    expect(runScenario(variant(base, [`params.device.mtj.table=${doubled}`]), { images: 1 }).energy_j).toBeLessThan(ca.energy_j);
  }, 60_000);

  it('repeated devices give the device variation; with params.device_variation too it is refused; reads beyond are warned of', () => {
    // Three devices: R_P 900, 1000, 1100 ohm (sd 10 %), TMR 1.0 each.
    const three = path.join(dir, 'three.csv');
    writeFileSync(three, '# three test devices\nV [mV],R_P_1 [ohm],R_AP_1 [kOhm],R_P_2 [ohm],R_AP_2 [kOhm],R_P_3 [ohm],R_AP_3 [kOhm]\n-50,900,1.8,1000,2,1100,2.2\n50,900,1.8,1000,2,1100,2.2\n');
    const t = sotRvTable(three);
    expect(t.variation!.ra_sigma).toBeCloseTo(0.1, 12);
    expect(t.variation!.tmr0_sigma).toBeCloseTo(0, 12);
    expect(scenarioErrorOf(() => runScenario(variant(base, [`params.device.mtj.table=${three}`]), { images: 1 }))).toMatch(/three\.csv: the R\(V\) table measures several devices.*remove params\.device_variation/);
    const yaml = readFileSync('scenarios/sot-mlp.yaml', 'utf8').replace('{ file: weights/sot-mlp.json }', `{ file: ${path.resolve('scenarios/weights/sot-mlp.json')} }`).replace(/^  device_variation:\n(    .*\n)+/m, '');
    writeFileSync(path.join(dir, 'measured.yaml'), yaml.replace(/^  device:\n/m, '  device:\n    mtj: {table: three.csv}\n'));
    const run = runScenario(loadScenario(path.join(dir, 'measured.yaml')), { images: 1 });
    // Inputs up to 0.1 V and neuron outputs up to 0.8 V are read beyond +-50 mV.
    expect(run.warnings?.[0]).toMatch(/device reads .* beyond the measured table's range/);
  });
});

describe('serial-MTJ R(V): model -> CSV -> model', () => {
  const base = loadScenario('scenarios/mtj-mlp.yaml');
  const cell = mtjScenario.parse(base.raw.data).params.cell;
  const dir = tempFiles({});
  const file = path.join(dir, 'mtj.csv');
  writeFileSync(file, mtjTableCsv(base.name, cell, MTJ_CSV_STEP).text);
  // A small network (400-2-10, random weights) keeps the test fast: programming every cell by pulse-and-verify dominates (3x slower through a table).
  const small = variant(base, ['weights=random', 'network.layers=[{type: dense, outputs: 2, activation: tanh}, {type: dense, outputs: 10, activation: softmax}]']);

  it("reads each MTJ's R(V) as the four-line model does, within the interpolation bound", () => {
    const rv = mtjRvTable(file);
    const mean = meanMtj(cell.table);
    const measured = meanMtj(cell.table, rv);
    // V(I) = I b / (1 - a |I|); its second derivative is 2 a b / (1 - a I)^3, at most 2 |a| b at I = 0 (a < 0):
    // linear interpolation of I(V) every 5 mV is off in V by at most (dI)^2 / 8 max|V''|.
    for (const high of [false, true]) {
      const a = high ? cell.table.a1.mean : cell.table.a0.mean;
      const b = high ? cell.table.b1.mean : cell.table.b0.mean;
      // The widest step in current is where R is lowest, at the table's edge.
      const dI = MTJ_CSV_STEP / (b + a * MTJ_CSV_SPAN);
      const bound = (dI * dI * 2 * Math.abs(a) * b) / 8;
      let worst = 0;
      for (let current = -2.5e-3; current <= 2.5e-3; current += 1.37e-6) worst = Math.max(worst, Math.abs(mtjVoltage(measured, high, current) - mtjVoltage(mean, high, current)));
      expect(worst, high ? 'AP' : 'P').toBeLessThanOrEqual(bound * 1.05);
      expect(worst).toBeGreaterThan(0);
    }
  });

  it('the same classes (30 images), energy and programming as the built-in model', async () => {
    const dirMnist = bundledMnistDir();
    const classes = async (s: typeof base): Promise<number[]> => Array.from((await evaluateImages(s, { dir: dirMnist, set: 'test', from: 0, count: 30, workers: 1 })).predicted);
    const programming = (r: unknown): { cells: number; failed: number; pulses_mean: number } => (r as { programming: { cells: number; failed: number; pulses_mean: number } }).programming;
    // The same device: the MTJs' resistances without their spread (a and b at their means, as the table holds them).
    const nominal = variant(small, ['a1', 'a0'].map((k) => `params.cell.table.${k}.sigma=0 1/A`).concat(['b1', 'b0'].map((k) => `params.cell.table.${k}.sigma=0 Ohm`)));
    const fromTable = variant(nominal, [`params.cell.mtj.table=${file}`]);
    expect(await classes(fromTable)).toEqual(await classes(nominal));
    const [ca, cb] = [runScenario(nominal, { images: 1 }), runScenario(fromTable, { images: 1 })];
    // Energy per image is the read currents through the cells. Linear interpolation of I(V) = V / (b + a |V|)
    // every h = 1 mV misses the current by h^2 / 8 |I''| = h^2 |a| b / (4 b^3): relative to I = V / b,
    // h^2 |a| / (4 b V), 8e-6 in the AP state at the ~15 mV an input puts across each of the seven MTJs.
    // Tolerance 1e-5 (measured 2.6e-6; 7e-5 with a 5 mV table, as h^2 says).
    expect(Math.abs(cb.energy_j / ca.energy_j - 1)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(cb.energy_j / ca.energy_j - 1)).toBeGreaterThan(0);
    expect(cb.latency_ps).toBe(ca.latency_ps);
    // Programming verifies each pulse against read thresholds: a cell at a threshold may take a pulse more or less.
    expect([programming(cb).cells, programming(cb).failed]).toEqual([programming(ca).cells, programming(ca).failed]);
    expect(Math.abs(programming(cb).pulses_mean / programming(ca).pulses_mean - 1)).toBeLessThanOrEqual(1e-3);
    // With Table I's spread the two sources vary the MTJs differently: the table scales each MTJ's whole curve by
    // its b / mean b, the four lines draw a and b apart (a0 by 10 %). The same classes; the energy moves by
    // up to 7e-4 (measured on the bundled 400-16-16-10 network), so within 2e-3.
    const spread = variant(small, [`params.cell.mtj.table=${file}`]);
    expect(await classes(spread)).toEqual(await classes(small));
    expect(Math.abs(runScenario(spread, { images: 1 }).energy_j / runScenario(small, { images: 1 }).energy_j - 1)).toBeLessThanOrEqual(2e-3);
  }, 90_000);

  it('refuses an R(V) whose current falls with the bias, at its line', () => {
    const bad = path.join(dir, 'ndr.csv');
    writeFileSync(bad, '# test\nV [V],R_P [ohm],R_AP [ohm]\n0,360,665\n0.1,360,665\n0.2,1000,2000\n');
    expect(scenarioErrorOf(() => mtjRvTable(bad))).toMatch(/ndr\.csv:5: serial-MTJ R\(V\) table: in the low \(P\) state the current V \/ R falls/);
  });
});
