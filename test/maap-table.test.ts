import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../src/arch/report.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario, variant } from '../src/arch/scenario.js';
import { maapScenario } from '../src/arch/maap/maap-cnn.js';
import { PAIR_CSV_STEP, maapTableCsv, pairInputNoise, pairTableGrid } from '../src/cli/device.js';
import { NOMINAL_PAIR, designPair, nominalActivation, pairOutput, pairOutputUnclipped, realizePair, thermalSigma } from '../src/components/maap/maap-circuit.js';
import { MAAP_PAIR_TABLE, pairTableCsv } from '../src/components/maap/pair-table.js';
import { calibrateTrim, drawSet, setModel, setOutput } from '../src/components/maap/set-response.js';
import { drawTableSet, pairTableModel, tableSetOutput } from '../src/components/maap/table-response.js';
import type { ThermalSource } from '../src/components/maap/set-response.js';
import { RandomStream, streamFor } from '../src/components/random.js';
import { bundledMnistDir, loadMnist } from '../src/data/mnist.js';
import { parseDeviceTable } from '../src/device-table/csv-table.js';
import { evaluateScenario } from '../src/eval/evaluate.js';
import { evaluateImages } from '../src/eval/pool.js';
import { pointKey } from '../src/sweep/point-key.js';
import { cli, tempFiles, scenarioErrorOf } from './helpers.js';

/** A source of thermal draws whose first normal is always `z`. */
const fixed = (z: number): ThermalSource => ({ first: z, second: 0, pair() {} });

describe('MAAP pair table: the reader and the set it makes', () => {
  // Three pairs, full scale 50 uA: pair 1 a ReLU measured at its rails (0 and 1), pair 2 with its zero rail
  // lifted to 0.05, pair 3 as the circuit writes one: its output past the rails, as far as its inverter is driven.
  const dir = tempFiles({ 'three.csv': '# three test pairs\nI [uA],out_1 [1],out_2 [1],out_3 [1],sd_I [nA]\n-100,0,0.05,-0.2,100\n-50,0,0.05,-0.2,100\n0,0,0.1,0,100\n50,0.5,0.7,0.5,200\n100,1,1,1.1,200\n' });
  const model = pairTableModel(path.join(dir, 'three.csv'), { full_scale_current: 50e-6 });
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
    expect(model.devices).toHaveLength(3);
    // 100 nA over 50 uA at the knee, 150 nA (between rows) at mid-scale.
    expect(model.sigmas[2]).toBeCloseTo(0.002, 15);
    expect(model.sigma).toBeCloseTo(0.003, 15);
    // The set's nominal is the median of the measured pairs, clipped to the rails.
    expect(model.nominal(0.5)).toBeCloseTo(0.25, 15);
    expect(model.nominal(-1.5)).toBe(0);
    expect(model.nominal(1.5)).toBeCloseTo(0.75, 15);
    expect(model.nominal(2)).toBe(1);
    expect(Array.from(model.flatTo)).toEqual([model.xs[2], model.xs[1], model.xs[1]]);
  });

  it('interpolates linearly, never extrapolates, and counts the reads beyond the table', () => {
    model.count.reads = model.count.beyond = 0;
    expect(read(0, 0.5)).toBeCloseTo(0.25, 15);
    expect(read(0, 0.25)).toBeCloseTo(0.125, 15);
    expect(read(1, 0.5)).toBeCloseTo(0.4, 15);
    expect(read(1, -1.5)).toBe(0.05);
    // Past the rails a curve is read at them.
    expect(read(2, -1.5)).toBe(0);
    expect(read(2, 1.95)).toBe(1);
    expect(model.count).toEqual({ reads: 6, beyond: 0 });
    // Past either end: the end's value (a linear continuation would give 1.5 and -0.05).
    expect(read(0, 3)).toBe(1);
    expect(read(1, -3)).toBe(0.05);
    expect(model.count).toEqual({ reads: 8, beyond: 2 });
  });

  it('the winner-take-all reads the largest pair; the trim shifts the output, holding the rails', () => {
    expect(tableSetOutput(model, set(0, 1, 0), Float64Array.of(0.2, 0.9, -1), 3, undefined, 0)).toBeCloseTo(0.1 + 0.9 * 0.6, 15);
    // Off the rails, the trim's current shifts the output by the trim.
    expect(read(0, 0.5, 0.1)).toBeCloseTo(0.35, 15);
    expect(read(0, 0.5, -0.3)).toBe(0);
    // A lifted zero rail is inside the inverter's range: the trim brings it down.
    expect(read(1, -1.5, -0.05)).toBe(0);
    expect(read(1, -1.5, -0.02)).toBeCloseTo(0.03, 15);
    // At a measured rail, the trim moves the curve as an input shift: near the knee it lifts the output, deep in the rail it holds.
    expect(read(0, -0.05, 0.1)).toBeCloseTo(0.025, 15);
    expect(read(0, -0.5, 0.1)).toBe(0);
    expect(read(0, 2, -0.1)).toBeCloseTo(0.95, 15);
    // Past the rails, as the circuit: a trim within the margin holds the rail, one beyond it moves it.
    expect(read(2, -1.5, 0.15)).toBe(0);
    expect(read(2, -1.5, 0.3)).toBeCloseTo(0.1, 15);
    expect(read(2, 2, -0.05)).toBe(1);
    expect(read(2, 2, -0.2)).toBeCloseTo(0.9, 15);
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
    ['missing column', '# s\nI [uA],sd_I [uA]\n0,1\n1,1\n', /^bad\.csv:2: missing column out \(pair output over the supply .*\); MAAP activation-pair table has the columns I \[A\], out \[1\] \(may repeat\), nominal \[1\] \(optional\), sd_I \[A\] \(optional\)$/],
    ['a current in volts', '# s\nI [V],out [1]\n0,0\n1,1\n', /^bad\.csv:2:3: column I: wrong unit 'V' .*expected \[A\]/],
    ['an output with a unit', '# s\nI [uA],out [V]\n0,0\n1,1\n', /^bad\.csv:2:12: column out: a pair output over the supply .* has no unit: write \[1\], got \[V\]/],
    ['a noise in volts', '# s\nI [uA],out [1],sd_I [mV]\n0,0,1\n1,1,1\n', /^bad\.csv:2:21: column sd_I: wrong unit 'mV'/],
    ['an output that falls', '# s\nI [uA],out [1]\n0,0\n50,0.6\n100,0.5\n', /^bad\.csv:5:5: out must not fall as I grows .*from 0\.600000 to 0\.500000/],
    ['a current that does not increase', '# s\nI [uA],out [1]\n0,0\n50,0.5\n50,0.6\n', /^bad\.csv:5:1: I must increase from row to row/],
    ['NaN', '# s\nI [uA],out [1]\n0,0\n50,NaN\n', /^bad\.csv:4:4: 'NaN' is not a number \(column out \[1\]\)/],
    ['one row', '# s\nI [uA],out [1]\n0,0\n', /^bad\.csv:3: MAAP activation-pair table: one data row; linear interpolation needs at least two/],
    ['an output far past the rails', '# s\nI [uA],out [1]\n0,0\n50,2.5\n', /^bad\.csv:4:4: out = 2\.5 is above 2/],
    ['a negative noise', '# s\nI [uA],out [1],sd_I [uA]\n0,0,1\n50,1,-1\n', /^bad\.csv:4:6: sd_I = -1 is below 0/],
    ['no source line', 'I [uA],out [1]\n0,0\n50,1\n', /^bad\.csv:1: MAAP activation-pair table: no source line/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses a table with ${what}`, () => {
      expect(scenarioErrorOf(() => parseDeviceTable(text, path.resolve('bad.csv'), MAAP_PAIR_TABLE))).toMatch(message);
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
    const design = designPair(maap.circuit);
    const circuit = nominalActivation(design);
    const nominal = realizePair(design, NOMINAL_PAIR, 0);
    const grid = pairTableGrid(PAIR_CSV_STEP);
    expect(model.xs).toHaveLength(grid.length);
    // The knee and full scale are on the grid, so the kinks are read exactly.
    expect(grid).toContain(0);
    expect(grid).toContain(1);
    // The pair's output before its rails, and the model's nominal that clipped.
    for (let r = 0; r < model.xs.length; r++) {
      expect(model.devices[0]![r]).toBe(pairOutputUnclipped(design, nominal, model.xs[r]!));
      expect(model.nominal(model.xs[r]!)).toBe(circuit(model.xs[r]!));
    }
    // Its foot: the design's margin, 0.125 of full scale past the zero rail.
    expect(model.devices[0]![0]).toBeCloseTo(-0.125, 12);
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

  it('device maap --csv writes the nominal pair, or --devices N drawn pairs with the nominal as their target; another design is refused', async () => {
    const three = path.join(dir, 'three.csv');
    const r = await cli('device', 'maap', 'scenarios/maap-cnn-4bit.yaml', '--csv', three, '--devices', '3');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe(`wrote ${three}: 637 rows, 3 pairs, input -8 to 4 full scale\n`);
    const text = readFileSync(three, 'utf8');
    expect(text.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(3);
    expect(text).toContain('\nI [uA],out_1 [1],out_2 [1],out_3 [1],nominal [1],sd_I [uA]\n');
    // The same command writes the same bytes (the pairs come from a seeded stream), and the drawn pairs differ.
    expect(text).toBe(maapTableCsv(base.name, value.seed, maap, 3, PAIR_CSV_STEP).text);
    const model = pairTableModel(three, maap.circuit);
    const mid = model.xs.indexOf(0.5);
    expect(new Set(model.devices.map((c) => c[mid])).size).toBe(3);
    expect(model.nominal(0.5)).toBe(nominalActivation(designPair(maap.circuit))(model.xs[mid]!));
    // A table spinarch wrote is replaced without --force.
    expect((await cli('device', 'maap', 'scenarios/maap-cnn-4bit.yaml', '--csv', three)).code).toBe(0);
    const other = await cli('device', 'maap', 'scenarios/irmen-dual-cenn.yaml', '--csv', path.join(dir, 'x.csv'));
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/design: device maap writes a MAAP activation pair's output: the scenario's design is irmen-dual-cenn, not maap-cnn/);
  });

  it("thermal noise through the table has the circuit's mean and spread at every input (its two magnets, 20,000 reads each)", () => {
    const design = designPair(maap.circuit);
    const pair = realizePair(design, NOMINAL_PAIR, 0);
    const sigma = thermalSigma(maap.circuit);
    const model = pairTableModel(nominalFile, maap.circuit);
    const set = drawTableSet(model, 1, new RandomStream('one'));
    const rng = new RandomStream('thermal');
    const source = { first: 0, second: 0, pair() {} };
    for (const x of [-0.3, -0.1, 0, 0.05, 0.3, 0.5, 0.9, 1, 1.1]) {
      let [c1, c2, t1, t2] = [0, 0, 0, 0];
      const n = 20_000;
      for (let k = 0; k < n; k++) {
        const [a, b] = [rng.normal(), rng.normal()];
        const circuit = pairOutput(design, pair, x, sigma * a, sigma * b);
        source.first = a;
        const table = tableSetOutput(model, set, Float64Array.of(x), 1, source, 0);
        c1 += circuit;
        c2 += circuit * circuit;
        t1 += table;
        t2 += table * table;
      }
      const [mc, mt] = [c1 / n, t1 / n];
      const [sc, st] = [Math.sqrt(c2 / n - mc * mc), Math.sqrt(t2 / n - mt * mt)];
      // Measured (200,000 reads): means within 0.0006, spreads within 3 % (2e-4 absolute below the knee, where a read is rarely off zero).
      expect(Math.abs(mt - mc), `mean at ${x}`).toBeLessThan(0.002);
      expect(Math.abs(st - sc), `sd at ${x}`).toBeLessThan(0.04 * sc + 1e-3);
    }
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

  it('with thermal noise: the same measurement error (1 %), energy (1e-4) and accuracy (100 images, 3 points)', async () => {
    const [a, b] = [runScenario(nominalCircuit, { images: 1 }), runScenario(nominalTable, { images: 1 })];
    // 62,464 measurements an image: one noisy read of the same device from either source (measured: 0.5 % and 0.3 %).
    expect(Math.abs(errors(b).measurement_rms / errors(a).measurement_rms - 1)).toBeLessThan(0.01);
    expect(Math.abs(errors(b).output_rms / errors(a).output_rms - 1)).toBeLessThan(0.02);
    // Energy: only the trim currents may differ (the calibration reads the noise in another order).
    const rest = (r: RunReport) => r.energy_j - energy(r, 'trim_current');
    expect(Math.abs(rest(b) / rest(a) - 1)).toBeLessThan(1e-12);
    // (measured: 4.5e-6 of the energy, the trim currents 0.30 nJ of 80.9 nJ).
    expect(Math.abs(b.energy_j / a.energy_j - 1)).toBeLessThan(1e-4);
    const dirMnist = bundledMnistDir();
    const [ea, eb] = [await evaluateImages(nominalCircuit, { dir: dirMnist, set: 'test', from: 0, count: 100, workers: 1 }), await evaluateImages(nominalTable, { dir: dirMnist, set: 'test', from: 0, count: 100, workers: 1 })];
    const labels = loadMnist(dirMnist, 'test').labels!;
    const correct = (e: typeof ea) => Array.from(e.predicted).filter((p, k) => p === labels[k]).length;
    expect(eb.tally['pair_beyond_share']).toEqual([0, expect.any(Number)]);
    expect(Math.abs(correct(eb) - correct(ea))).toBeLessThanOrEqual(3);
  }, 60_000);
});

describe('MAAP pair table: measured pairs as the variation', () => {
  const base = loadScenario('scenarios/maap-cnn-4bit.yaml');
  const value = maapScenario.parse(base.raw.data);
  const dir = tempFiles({});
  const file = path.join(dir, 'drawn.csv');
  writeFileSync(file, maapTableCsv(base.name, value.seed, value.params.maap, 64, PAIR_CSV_STEP).text);
  const zero = ['resistance_sigma', 'tmr_sigma', 'critical_current_sigma'].map((k) => `params.maap.variation.${k}=0`).concat(['params.maap.variation.threshold_sigma=0 mV', `params.maap.pair.table=${file}`]);
  const drawn = variant(base, zero);
  const energy = (r: RunReport, action: string): number => r.energy_breakdown.filter((l) => l.action === action).reduce((a, l) => a + l.energy_j, 0);
  const errors = (r: RunReport) => (r as unknown as { errors: { measurement_rms: number; output_rms: number } }).errors;

  it("a table of a chip's own pairs, each pair reading its own column, is that chip: the same trims and outputs", () => {
    const maap = value.params.maap;
    const circuitModel = setModel(maap.circuit, 9, false);
    const sets = 16;
    const drawnSets = Array.from({ length: sets }, (_, i) => drawSet(circuitModel, streamFor(value.seed, `maap[${i}]`), maap.variation));
    const design = circuitModel.design;
    const nominal = realizePair(design, NOMINAL_PAIR, 0);
    const rows = pairTableGrid(PAIR_CSV_STEP).map((x) => {
      const microamps = Number((x * 50).toPrecision(12));
      const read = (microamps * 1e-6) / maap.circuit.full_scale_current;
      return { microamps, out: drawnSets.flatMap((s) => s.pairs.map((p) => pairOutputUnclipped(design, p, read))), nominal: pairOutputUnclipped(design, nominal, read), noiseMicroamps: 0 };
    });
    const own = path.join(dir, 'own.csv');
    writeFileSync(own, pairTableCsv(['the pairs of 16 sets of chip 0, in order'], sets * 9, rows));
    const tableModel = setModel(maap.circuit, 9, false, { table: own });
    const circuitSets = drawnSets.map((s, i) => (calibrateTrim(circuitModel, s, maap.trim, streamFor(value.seed, `maap[${i}]/trim`)), s));
    const tableSets = circuitSets.map((_, i) => {
      const s = drawSet(tableModel, new RandomStream('unused'), maap.variation);
      s.measured!.set(Array.from({ length: 9 }, (_, p) => i * 9 + p));
      calibrateTrim(tableModel, s, maap.trim, streamFor(value.seed, `maap[${i}]/trim`));
      return s;
    });
    // The same trim codes: each search compares the same outputs (to the table's interpolation, 1e-3 at a drawn pair's kink).
    const codes = (list: typeof circuitSets) => list.flatMap((s) => Array.from(s.trimCodes));
    const differ = codes(tableSets).filter((c, k) => c !== codes(circuitSets)[k]);
    // (measured: 1 of 144, by one step)
    expect(differ.length).toBeLessThanOrEqual(2);
    const same = (i: number) => Array.from(tableSets[i]!.trimCodes).every((c, p) => c === circuitSets[i]!.trimCodes[p]);
    const rng = new RandomStream('sums');
    const worst = [0, 0];
    for (let k = 0; k < 5000; k++) {
      const sums = Float64Array.from({ length: 9 }, () => rng.normal(-0.3, 0.6));
      const i = k % sets;
      const d = Math.abs(setOutput(tableModel, tableSets[i]!, sums, 9, undefined, 0) - setOutput(circuitModel, circuitSets[i]!, sums, 9, undefined, 0));
      const w = same(i) ? 0 : 1;
      worst[w] = Math.max(worst[w]!, d);
    }
    // Where the codes agree, within the interpolation error (a drawn pair's kinks fall between rows); elsewhere a trim step (1/64) more.
    expect(worst[0]).toBeLessThan(2e-3);
    expect(worst[0]).toBeGreaterThan(0);
    expect(worst[1]).toBeLessThan(2e-3 + 1 / 64);
  });

  it("64 pairs drawn from the circuit's variation give its measurement error and trim energy", () => {
    const model = pairTableModel(file, value.params.maap.circuit);
    // The spread of the 64 at mid-scale is the circuit's first-order pair spread (0.22 of full scale) within its sampling error.
    const mid = model.xs.indexOf(0.5);
    const outs = model.devices.map((c) => c[mid]!);
    const mean = outs.reduce((a, v) => a + v, 0) / outs.length;
    const sd = Math.sqrt(outs.reduce((a, v) => a + (v - mean) ** 2, 0) / (outs.length - 1));
    const a = runScenario(base, { images: 1 });
    const spread = (a as unknown as { circuit: { pair_spread_at_half_scale: number } }).circuit.pair_spread_at_half_scale;
    expect(sd / spread).toBeGreaterThan(0.8);
    expect(sd / spread).toBeLessThan(1.2);
    const b = runScenario(drawn, { images: 1 });
    // Each of 576 pairs draws one of 64 measured pairs: the chip's errors are the circuit's chip's, to the sampling of 64 pairs
    // (measured: measurement 0.0690 against 0.0728, R-averaged output 0.0502 against 0.0515, trim currents 2.00 against 2.10 nJ:
    // the circuit's chip holds a few pairs past the trim's range that 64 draws need not).
    expect(Math.abs(errors(b).measurement_rms / errors(a).measurement_rms - 1)).toBeLessThan(0.08);
    expect(Math.abs(errors(b).output_rms / errors(a).output_rms - 1)).toBeLessThan(0.1);
    // The trim currents are what the variation costs: the nominal pair alone needs a seventh of them.
    expect(Math.abs(energy(b, 'trim_current') / energy(a, 'trim_current') - 1)).toBeLessThan(0.1);
    const rest = (r: RunReport) => r.energy_j - energy(r, 'trim_current');
    expect(Math.abs(rest(b) / rest(a) - 1)).toBeLessThan(1e-12);
    // Accuracy over 1,000 images (chip 0): 97.0 % from either (scenarios/variants/maap-cnn-4bit-table.yaml, 64 pairs of another stream).
  }, 60_000);
});

describe('MAAP pair table: range, sweeps, point keys', () => {
  const base = loadScenario('scenarios/variants/maap-cnn-4bit-table.yaml');
  const bundled = readFileSync('scenarios/devices/maap-pair.csv', 'utf8');
  const dir = tempFiles({});

  it('reads beyond the table are read at its edge, counted and warned of, in eval and in run', async () => {
    // Only -1 to 2 full scale: the networks' conv sums reach -4.6.
    const narrow = path.join(dir, 'narrow.csv');
    writeFileSync(narrow, bundled.split('\n').filter((l) => l.startsWith('#') || l.startsWith('I ') || (l !== '' && Math.abs(Number(l.split(',')[0]) / 50 - 0.5) <= 1.5 + 1e-9)).join('\n'));
    const s = variant(base, [`params.maap.pair.table=${narrow}`]);
    const r = await evaluateScenario(s, { dir: bundledMnistDir(), set: 'test', from: 0, count: 5, workers: 1 });
    expect(r.figures['pair_beyond_share']).toBeGreaterThan(0.05);
    expect(r.warnings?.[0]).toMatch(/^[\d,]+ of [\d,]+ device reads \([\d.]+ %\) were beyond the measured table's range and read at its edge/);
    const run = runScenario(s, { images: 1 });
    expect(run.warnings?.[0]).toMatch(/device reads .* beyond the measured table's range/);
    // Read at the edge, where the curve is flat, the classes do not change.
    expect(run.per_image[0]!.predicted).toBe(runScenario(base, { images: 1 }).per_image[0]!.predicted);
    // The bundled table covers what the network drives: no warning.
    const inRange = await evaluateScenario(base, { dir: bundledMnistDir(), set: 'test', from: 0, count: 5, workers: 1 });
    expect(inRange.figures['pair_beyond_share']).toBe(0);
    expect(inRange.warnings ?? []).toEqual([]);
  }, 40_000);

  it('sweeps over the table path like any other key; a point is keyed by the content', async () => {
    writeFileSync(path.join(dir, 'same.csv'), bundled);
    // The same pairs with twice the noise: another device.
    writeFileSync(path.join(dir, 'noisy.csv'), bundled.replace(/,([\d.e-]+)$/gm, (_, s: string) => `,${2 * Number(s)}`));
    writeFileSync(path.join(dir, 'table.yaml'), `extends: ${path.resolve('scenarios/variants/maap-cnn-4bit-table.yaml')}\nname: swept\n`);
    const key = (file: string): string => pointKey({ scenario: variant(base, [`params.maap.pair.table=${file}`]), metrics: [], version: 'test' });
    expect(key(path.join(dir, 'same.csv'))).toBe(key(path.resolve('scenarios/devices/maap-pair.csv')));
    expect(key(path.join(dir, 'noisy.csv'))).not.toBe(key(path.join(dir, 'same.csv')));
    writeFileSync(path.join(dir, 'sweep.yaml'), 'scenario: table.yaml\naxes:\n  params.maap.pair.table: [same.csv, noisy.csv]\nrun: {images: 1}\nmetrics: [energy_j]\nout: results.jsonl\n');
    const r = await cli('sweep', path.join(dir, 'sweep.yaml'), '--workers', '1');
    expect(r.code, r.err).toBe(0);
    const lines = readFileSync(path.join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { point: Record<string, unknown>; metrics: Record<string, number> });
    expect(lines.map((l) => l.point['params.maap.pair.table'])).toEqual(['same.csv', 'noisy.csv']);
    // The noisier pairs need other trims: their currents cost other energy.
    expect(lines[0]!.metrics['energy_j']).not.toBe(lines[1]!.metrics['energy_j']);
  }, 40_000);
});
