import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../src/arch/report.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario, variant } from '../src/arch/scenario.js';
import { maapScenario } from '../src/arch/maap/maap-cnn.js';
import { PAIR_CSV_STEP, maapTableCsv, pairInputNoise, pairTableGrid } from '../src/cli/device.js';
import { designPair, nominalActivation } from '../src/components/maap/maap-circuit.js';
import { MAAP_PAIR_TABLE } from '../src/components/maap/pair-table.js';
import { drawTableSet, pairTableModel, tableSetOutput } from '../src/components/maap/table-response.js';
import type { ThermalSource } from '../src/components/maap/set-response.js';
import { RandomStream } from '../src/components/random.js';
import { bundledMnistDir, loadMnist } from '../src/data/mnist.js';
import { parseDeviceTable } from '../src/device-table/csv-table.js';
import { evaluateScenario } from '../src/eval/evaluate.js';
import { evaluateImages } from '../src/eval/pool.js';
import { ScenarioError } from '../src/scenario/errors.js';
import { pointKey } from '../src/sweep/point-key.js';
import { cli, tempFiles } from './helpers.js';

const issuesOf = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  throw new Error('no error');
};

/** A source of thermal draws whose first normal is always `z`. */
const fixed = (z: number): ThermalSource => ({ first: z, second: 0, pair() {} });

describe('MAAP pair table: the reader and the set it makes', () => {
  // Two pairs, full scale 50 uA: pair 1 a clean ReLU, pair 2 with its zero rail lifted to 0.05.
  const dir = tempFiles({ 'two.csv': '# two test pairs\nI [uA],out_1 [1],out_2 [1],sd_I [nA]\n-100,0,0.05,100\n-50,0,0.05,100\n0,0,0.1,100\n50,0.5,0.7,200\n100,1,1,200\n' });
  const model = pairTableModel(path.join(dir, 'two.csv'), { full_scale_current: 50e-6 });
  const set = (...measured: number[]) => {
    const s = drawTableSet(model, measured.length, new RandomStream('test'));
    s.measured!.set(measured);
    return s;
  };
  const read = (d: number, x: number, trim = 0): number => {
    const s = set(d);
    s.trims[0] = trim;
    return tableSetOutput(model, s, Float64Array.of(x), 1, undefined, 0);
  };

  it('reads the current against the full-scale current, each out column a measured pair, sd_I referred to the input', () => {
    [-2, -1, 0, 1, 2].forEach((x, r) => expect(model.xs[r]).toBeCloseTo(x, 15));
    expect(model.devices).toHaveLength(2);
    // 100 nA over 50 uA at the knee, 150 nA (between rows) at mid-scale.
    expect(model.sigmas[2]).toBeCloseTo(0.002, 15);
    expect(model.sigma).toBeCloseTo(0.003, 15);
    // The set's nominal is the median of the measured pairs (of two: their mean).
    expect(model.nominal(0.5)).toBeCloseTo(0.5 * (0.25 + 0.4), 15);
    expect(Array.from(model.flatTo)).toEqual([model.xs[2], model.xs[1]]);
  });

  it('interpolates linearly, never extrapolates, and counts the reads beyond the table', () => {
    model.count.reads = model.count.beyond = 0;
    expect(read(0, 0.5)).toBeCloseTo(0.25, 15);
    expect(read(0, 0.25)).toBeCloseTo(0.125, 15);
    expect(read(1, 0.5)).toBeCloseTo(0.4, 15);
    expect(read(1, -1.5)).toBe(0.05);
    expect(model.count).toEqual({ reads: 4, beyond: 0 });
    // Past either end: the end's value (a linear continuation would give 1.5 and -0.05).
    expect(read(0, 3)).toBe(1);
    expect(read(1, -3)).toBe(0.05);
    expect(model.count).toEqual({ reads: 6, beyond: 2 });
  });

  it('the winner-take-all reads the largest pair; the trim shifts the output, holding the rails', () => {
    expect(tableSetOutput(model, set(0, 1, 0), Float64Array.of(0.2, 0.9, -1), 3, undefined, 0)).toBeCloseTo(0.1 + 0.9 * 0.6, 15);
    // Off the rails, the trim's current shifts the output by the trim.
    expect(read(0, 0.5, 0.1)).toBeCloseTo(0.35, 15);
    expect(read(0, 0.5, -0.3)).toBe(0);
    // A lifted zero rail is inside the inverter's range: the trim brings it down.
    expect(read(1, -1.5, -0.05)).toBe(0);
    expect(read(1, -1.5, -0.02)).toBeCloseTo(0.03, 15);
    // At a rail, the trim moves the curve as an input shift: near the knee it lifts the output, deep in the rail it holds.
    expect(read(0, -0.05, 0.1)).toBeCloseTo(0.025, 15);
    expect(read(0, -0.5, 0.1)).toBe(0);
    expect(read(0, 2, -0.1)).toBeCloseTo(0.95, 15);
  });

  it('thermal noise is added at the input, sd_I of the input, and shaped by the curve', () => {
    const s = set(0);
    // At mid-scale sd_I is 150 nA = 0.003 full scale: two sigma move the input by 0.006, the output by 0.003.
    expect(tableSetOutput(model, s, Float64Array.of(0.5), 1, fixed(2), 0)).toBeCloseTo(0.25 + 0.003, 12);
    // Below the knee a draw that does not reach it reads zero; one past it is rectified.
    expect(tableSetOutput(model, s, Float64Array.of(-0.001), 1, fixed(-3), 0)).toBe(0);
    expect(tableSetOutput(model, s, Float64Array.of(-0.001), 1, fixed(3), 0)).toBeCloseTo(0.5 * (3 * 0.002 - 0.001), 12);
  });
});

describe('bad pair tables: file, line and column, exit 2', () => {
  const bad: [string, string, RegExp][] = [
    ['missing column', '# s\nI [uA],sd_I [uA]\n0,1\n1,1\n', /^bad\.csv:2: missing column out \(pair output over the supply \(fraction of full scale\)/],
    ['a current in volts', '# s\nI [V],out [1]\n0,0\n1,1\n', /^bad\.csv:2:3: column I: wrong unit 'V' .*expected \[A\]/],
    ['an output with a unit', '# s\nI [uA],out [V]\n0,0\n1,1\n', /^bad\.csv:2:12: column out: a pair output over the supply .* has no unit: write \[1\], got \[V\]/],
    ['a noise in volts', '# s\nI [uA],out [1],sd_I [mV]\n0,0,1\n1,1,1\n', /^bad\.csv:2:21: column sd_I: wrong unit 'mV'/],
    ['an output that falls', '# s\nI [uA],out [1]\n0,0\n50,0.6\n100,0.5\n', /^bad\.csv:5:5: out must not fall as I grows .*from 0\.600000 to 0\.500000/],
    ['a current that does not increase', '# s\nI [uA],out [1]\n0,0\n50,0.5\n50,0.6\n', /^bad\.csv:5:1: I must increase from row to row/],
    ['NaN', '# s\nI [uA],out [1]\n0,0\n50,NaN\n', /^bad\.csv:4:4: 'NaN' is not a number \(column out \[1\]\)/],
    ['one row', '# s\nI [uA],out [1]\n0,0\n', /^bad\.csv:3: MAAP activation-pair table: one data row; linear interpolation needs at least two/],
    ['an output above full scale', '# s\nI [uA],out [1]\n0,0\n50,1.2\n', /^bad\.csv:4:4: out = 1\.2 is above 1/],
    ['a negative noise', '# s\nI [uA],out [1],sd_I [uA]\n0,0,1\n50,1,-1\n', /^bad\.csv:4:6: sd_I = -1 is below 0/],
    ['no source line', 'I [uA],out [1]\n0,0\n50,1\n', /^bad\.csv:1: MAAP activation-pair table: no source line/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses a table with ${what}`, () => {
      expect(issuesOf(() => parseDeviceTable(text, path.resolve('bad.csv'), MAAP_PAIR_TABLE))).toMatch(message);
    });
  }

  const scenarioIn = (dir: string, table: string, extra = ''): string => {
    writeFileSync(path.join(dir, 's.yaml'), `extends: ${path.resolve('scenarios/maap-cnn-4bit.yaml')}\nparams:\n  maap:\n    pair: {table: ${table}}\n${extra}`);
    return path.join(dir, 's.yaml');
  };
  const zero = '    variation: {resistance_sigma: 0, tmr_sigma: 0, critical_current_sigma: 0, threshold_sigma: 0 mV}\n';

  it('through the CLI: a bad row, a 100 MB file, and tables the scenario cannot use', async () => {
    const dir = tempFiles({ 'bad.csv': '# s\nI [uA],out [1],sd_I [uA]\n0,0,1\n50,0.5,x\n', 'quiet.csv': '# s\nI [uA],out [1]\n-400,0\n0,0\n50,1\n200,1\n' });
    const row = await cli('run', scenarioIn(dir, 'bad.csv', zero));
    expect(row.code).toBe(2);
    expect(row.err).toMatch(/bad\.csv:4:8: 'x' is not a number \(column sd_I \[uA\]\)/);
    expect(row.err).not.toMatch(/internal error|\n\s+at /);
    writeFileSync(path.join(dir, 'big.csv'), '');
    truncateSync(path.join(dir, 'big.csv'), 100 * 1024 * 1024);
    const big = await cli('eval', scenarioIn(dir, 'big.csv', zero), '--images', '2');
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/s\.yaml:4:12: params\.maap\.pair\.table: cannot read the MAAP activation-pair table .*big\.csv: it has 104857600 bytes, more than the 16777216/);
    // The circuit's device spreads on top of a table's measured pairs would count the variation twice.
    const twice = await cli('run', scenarioIn(dir, 'quiet.csv', '    thermal_noise: false\n'));
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/params\.maap\.variation: the pair table .*quiet\.csv gives the pairs \(1 measured; their spread is the variation\).*set resistance_sigma, tmr_sigma, critical_current_sigma and threshold_sigma to 0/);
    // Thermal noise from a table without sd_I is refused, not silently dropped.
    const silent = await cli('run', scenarioIn(dir, 'quiet.csv', zero));
    expect(silent.code).toBe(2);
    expect(silent.err).toMatch(/params\.maap\.thermal_noise: the pair table .*quiet\.csv has no sd_I column/);
  });
});

describe('MAAP pair: circuit -> CSV -> model', () => {
  const base = loadScenario('scenarios/maap-cnn-4bit.yaml');
  const value = maapScenario.parse(base.raw.data);
  const maap = value.params.maap;
  const zero = ['resistance_sigma', 'tmr_sigma', 'critical_current_sigma'].map((k) => `params.maap.variation.${k}=0`).concat(['params.maap.variation.threshold_sigma=0 mV']);
  const nominalCircuit = variant(base, zero);
  const dir = tempFiles({});
  const nominalFile = path.join(dir, 'nominal.csv');
  writeFileSync(nominalFile, maapTableCsv(base.name, value.seed, maap, 1, PAIR_CSV_STEP).text);
  const nominalTable = variant(nominalCircuit, [`params.maap.pair.table=${nominalFile}`]);
  const energy = (r: RunReport, action: string): number => r.energy_breakdown.filter((l) => l.action === action).reduce((a, l) => a + l.energy_j, 0);
  const errors = (r: RunReport) => (r as unknown as { errors: { measurement_rms: number; output_rms: number } }).errors;

  it("holds the circuit's nominal pair: its values on the grid, within h^2/8 max|f''| between, sd_I the input-referred noise", () => {
    const model = pairTableModel(nominalFile, maap.circuit);
    const circuit = nominalActivation(designPair(maap.circuit));
    const grid = pairTableGrid(PAIR_CSV_STEP);
    expect(model.xs).toHaveLength(grid.length);
    // The knee and full scale are on the grid, so the kinks are read exactly.
    expect(grid).toContain(0);
    expect(grid).toContain(1);
    for (let r = 0; r < model.xs.length; r++) expect(model.devices[0]![r]).toBe(circuit(model.xs[r]!));
    // Between rows, linear interpolation of the circuit's curve (its largest |f''| on the fine grid, by differences).
    let curvature = 0;
    for (let x = PAIR_CSV_STEP; x < 1 - PAIR_CSV_STEP / 2; x += PAIR_CSV_STEP) curvature = Math.max(curvature, Math.abs(circuit(x + PAIR_CSV_STEP) - 2 * circuit(x) + circuit(x - PAIR_CSV_STEP)) / PAIR_CSV_STEP ** 2);
    let worst = 0;
    for (let x = -1.5; x < 2.5; x += 0.00137) worst = Math.max(worst, Math.abs(model.nominal(x) - circuit(x)));
    expect(worst).toBeLessThanOrEqual(((PAIR_CSV_STEP ** 2 * curvature) / 8) * 1.05);
    expect(worst).toBeGreaterThan(0);
    // sd_I: each magnet's spread through the circuit, referred to its input: 0.087 full scale at the knee, 0.10 at full scale.
    expect(model.sigmas[grid.indexOf(0.5)]).toBeCloseTo(pairInputNoise(maap, 0.5), 10);
    expect(pairInputNoise(maap, 0)).toBeCloseTo(0.0864, 3);
    expect(pairInputNoise(maap, 1)).toBeCloseTo(0.1004, 3);
  });

  it('without thermal noise: the same outputs, image by image, and the same energy; the same classes over 300 images', async () => {
    const quiet = ['params.maap.thermal_noise=false'];
    const [a, b] = [runScenario(variant(nominalCircuit, quiet), { images: 1 }), runScenario(variant(nominalTable, quiet), { images: 1 })];
    // The table holds the circuit's values at its rows and the conv sums fall between them:
    // outputs agree to the interpolation error (1e-6 of full scale), far inside an ADC code.
    expect(b.per_image[0]!.outputs).toEqual(a.per_image[0]!.outputs);
    expect(b.energy_j).toBe(a.energy_j);
    expect(b.latency_ps).toBe(a.latency_ps);
    expect(errors(b).measurement_rms).toBeLessThan(1e-9);
    const dirMnist = bundledMnistDir();
    const classes = async (s: typeof base) => Array.from((await evaluateImages(variant(s, quiet), { dir: dirMnist, set: 'test', from: 0, count: 300, workers: 1 })).predicted);
    expect(await classes(nominalTable)).toEqual(await classes(nominalCircuit));
  }, 40_000);

  it('with thermal noise: the same measurement error (1 %), energy (0.1 %) and accuracy (200 images, 2 points)', async () => {
    const [a, b] = [runScenario(nominalCircuit, { images: 1 }), runScenario(nominalTable, { images: 1 })];
    // 62,464 measurements an image: one noisy read of the same device from either source.
    expect(Math.abs(errors(b).measurement_rms / errors(a).measurement_rms - 1)).toBeLessThan(0.01);
    expect(Math.abs(errors(b).output_rms / errors(a).output_rms - 1)).toBeLessThan(0.02);
    // Energy: only the trim currents may differ (the calibration reads the noise in another order).
    expect(b.energy_j - energy(b, 'trim_current')).toBeCloseTo(a.energy_j - energy(a, 'trim_current'), 20);
    expect(Math.abs(b.energy_j / a.energy_j - 1)).toBeLessThan(1e-3);
    const dirMnist = bundledMnistDir();
    const [ea, eb] = [await evaluateImages(nominalCircuit, { dir: dirMnist, set: 'test', from: 0, count: 200, workers: 1 }), await evaluateImages(nominalTable, { dir: dirMnist, set: 'test', from: 0, count: 200, workers: 1 })];
    const labels = loadMnist(dirMnist, 'test').labels!;
    const correct = (e: typeof ea) => Array.from(e.predicted).filter((p, k) => p === labels[k]).length;
    expect(eb.tally['pair_beyond_share']).toEqual([0, expect.any(Number)]);
    expect(Math.abs(correct(eb) - correct(ea))).toBeLessThanOrEqual(4);
  }, 60_000);
});
