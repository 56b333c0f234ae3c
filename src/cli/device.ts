import type { z } from 'zod';
import { cellSettingOf, irmenScenario, stageDelayOf } from '../arch/cenn/irmen-dual-cenn.js';
import { readMean, readSpread } from '../components/irmen/cell-read.js';
import { cellReadOf } from '../components/irmen/irmen-bank.js';
import { FIELD_MAX, FIELD_STEP } from '../components/irmen/read-physics.js';
import { transferTableCsv } from '../components/irmen/transfer-table.js';
import { sotRvCsv } from '../components/sot/rv-table.js';
import { ANTIPARALLEL, PARALLEL, resistanceAt, type SotDeviceParams } from '../components/sot/sot-mram.js';
import { sotScenario } from '../arch/sot/sot-mlp.js';
import { mtjScenario } from '../arch/mtj/mtj-mlp.js';
import { mtjRvCsv } from '../components/mtj/rv-table.js';
import { SerialCell, meanMtj, mtjSlope } from '../components/mtj/serial-mtj.js';
import type { MultiLevelCellParams } from '../components/mtj/synapse-array.js';
import { maapScenario } from '../arch/maap/maap-cnn.js';
import type { MaapParams } from '../components/maap/maap-array.js';
import { NOMINAL_PAIR, designPair, drawPair, pairOutput, pairOutputUnclipped, realizePair, thermalSigma, type PairDevices } from '../components/maap/maap-circuit.js';
import { pairTableCsv } from '../components/maap/pair-table.js';
import { streamFor } from '../components/random.js';
import { formatQuantity } from '../scenario/units.js';
import { spinarchVersion } from '../data/project.js';
import { loadScenario } from '../arch/scenario.js';
import { DEFAULT_LENGTHS_NM, characterizeIrmen, type DeviceReport } from '../device/irmen-transfer.js';
import { plotSvg } from '../plot/draw.js';
import { ScenarioError } from '../scenario/errors.js';
import { locate } from '../scenario/load.js';
import { parseQuantity } from '../scenario/units.js';
import type { ResultLine } from '../sweep/measure.js';
import { render } from './format.js';
import { UsageError, writeText, type CliIo } from './io.js';
import { progressBar } from './progress.js';

export interface DeviceCommandOptions {
  readonly fmLength: readonly string[];
  readonly iterations: number;
  readonly workers: number;
  readonly json?: boolean;
  readonly plot?: string;
  /** Fig. 4b: the error histograms of the shortest and the longest magnet. */
  readonly histogram?: string;
  readonly set: readonly string[];
  /** Write the settled read as a device table instead of running the Monte Carlo. */
  readonly csv?: string;
  readonly csvStep?: number;
}

/** The readable form of a device report. */
export function formatDevice(r: DeviceReport): string {
  const rows = r.lengths.map((l) => [
    `${l.fm_length_nm} nm`,
    l.thermal_stability.toFixed(1),
    l.mean_abs_error.toFixed(4),
    l.error_sd.toFixed(4),
    `${(l.settling_ps.full_scale / 1000).toFixed(2)} ns`,
    `${(l.settling_ps.from_rest / 1000).toFixed(2)} ns`,
    `${(l.relaxation_ps.at_zero / 1000).toFixed(2)} / ${(l.relaxation_ps.at_0_9 / 1000).toFixed(2)} ns`,
  ]);
  const head = `IRMEN cell from the LLG macrospin: ${r.scenario}, ${r.iterations.toLocaleString('en-US')} iterations per length (seed ${r.seed}); damping ${r.damping}, input held ${r.stage_time_ps} ps, read ${r.read_pulse_ps} ps through a ${r.read_rc_ps} ps RC, step ${r.time_step_ps} ps\n`;
  const slow = r.lengths.filter((l) => 3 * l.relaxation_ps.at_0_9 > r.stage_time_ps).map((l) => `${l.fm_length_nm} nm`);
  const warn = slow.length === 0 ? '' : `\nAt ${slow.join(', ')} the relaxation time tau is over a third of the ${r.stage_time_ps} ps stage: the magnet cannot settle in a stage, and its read carries the state before (transfer: llg shows it; a higher damping or stage_delay: derived gives it time).\n`;
  return `${head}${render([['FM length', 'Delta (kT)', 'mean |error|', 'error sd', `settling, -0.9 to 0.9 (${100 * r.settle_tolerance} %)`, 'settling, 0 to 1', 'tau at 0 / at 0.9'], ...rows], [1, 2, 3, 4, 5, 6])}${warn}`;
}

/** Fig. 4a from a device report: the mean error against magnet length. */
export async function errorPlotSvg(report: DeviceReport): Promise<string> {
  const lines: ResultLine[] = report.lengths.map((l) => ({ key: String(l.fm_length_nm), point: { fm_length: `${l.fm_length_nm} nm` }, metrics: { mean_abs_error: l.mean_abs_error }, spinarch: '' }));
  return (await plotSvg(lines, { x: 'fm_length', y: 'mean_abs_error', mark: 'line', log_x: false, log_y: false, title: 'IRMEN cell - transfer-function error vs FM length, LLG (seed 000 Fig. 4a)', x_title: 'FM length (nm)', y_title: 'mean |readout - sat(input)|, normalized' })).svg;
}

/** Fig. 4b from a device report: the error histograms of the shortest and the longest magnet. */
export async function histogramPlotSvg(report: DeviceReport): Promise<string> {
  const ends = [report.lengths[0]!, report.lengths[report.lengths.length - 1]!].filter((l, i, a) => i === 0 || l !== a[0]);
  const lines: ResultLine[] = ends.flatMap((l) =>
    l.error_histogram.counts.map((n, b) => ({ key: `${l.fm_length_nm}/${b}`, point: { fm_length: `${l.fm_length_nm} nm`, error: l.error_histogram.from + (b + 0.5) * l.error_histogram.bin }, metrics: { share: n / report.iterations }, spinarch: '' })),
  );
  return (await plotSvg(lines, { x: 'error', y: 'share', series: 'fm_length', mark: 'line', log_x: false, log_y: false, title: 'IRMEN cell - histogram of the readout error, LLG (seed 000 Fig. 4b)', x_title: 'readout - sat(input), normalized (bins of 0.02; the end bins hold what is beyond)', y_title: 'share of iterations' })).svg;
}

/**
 * The cell's settled read as a device table (transfer-table.ts): the read model every driver
 * uses (cellReadOf, analytic) at noise scale 1, in the scenario's circuit (its stage window
 * and input RC shape the read), every `step` of drive over the model's own range. Run from it
 * with params.irmen.transfer: {table: ...}, the design reads the same cell.
 */
export function irmenTableCsv(name: string, value: z.output<typeof irmenScenario>, step: number): { text: string; rows: number } {
  const irmen = { ...value.params.irmen, transfer: 'analytic' as const, noise_scale: 1 };
  const read = cellReadOf(irmen, cellSettingOf(value, stageDelayOf(value)), value.seed);
  const n = Math.floor((2 * FIELD_MAX) / step + 1e-9) + 1;
  const rows = Array.from({ length: n }, (_, k) => {
    const u = Number((-FIELD_MAX + k * step).toPrecision(12));
    return { u, mean: readMean(read, u), sd: readSpread(read, u) };
  });
  const m = value.params.irmen;
  const source = [
    `spinarch device irmen --csv ${spinarchVersion()}: the settled read model (src/components/irmen/read-physics.ts) of scenario ${name} at noise scale 1`,
    `fm_length ${formatQuantity(m.fm_length, 'length', 4)}, cross-section ${formatQuantity(m.fm_cross_section, 'area', 4)}, ${formatQuantity(m.temperature, 'temperature', 4)}; read in its circuit: window ${value.params.timing.window} ps, input RC ${Number((value.params.shunt_resistance * m.me_capacitance * 1e12).toPrecision(4))} ps`,
    'u: drive over the drive that saturates the magnet; readout: mean of what the next cell receives (normalized m_x); sd: standard deviation of one read',
  ];
  return { text: transferTableCsv(source, rows), rows: n };
}

/** Bias range and step of `device sot --csv`: past anything the design applies (0.1 V inputs, 0.8 V VDD at the later layers). */
export const SOT_CSV_SPAN = 1;
export const SOT_CSV_STEP = 0.005;

/**
 * The SOT-MRAM's nominal R(V) in P and AP from Eqs. 1-2 (sot-mram.ts, the function the
 * crossbar reads through) as a device table, every `step` volts over +-SOT_CSV_SPAN.
 */
export function sotTableCsv(name: string, device: SotDeviceParams, step: number): { text: string; rows: number } {
  const { mtj: _table, ...physics } = device;
  const n = Math.floor((2 * SOT_CSV_SPAN) / step + 1e-9) + 1;
  const rows = Array.from({ length: n }, (_, k) => {
    const v = Number((-SOT_CSV_SPAN + k * step).toPrecision(12));
    return { v, rP: resistanceAt(physics, PARALLEL, v), rAP: resistanceAt(physics, ANTIPARALLEL, v) };
  });
  const source = [
    `spinarch device sot --csv ${spinarchVersion()}: the nominal SOT-MRAM of scenario ${name} from Eqs. 1-2 (src/components/sot/sot-mram.ts)`,
    `RA ${formatQuantity(device.ra, 'resistanceArea', 4)}, MTJ ${formatQuantity(device.mtj_length, 'length', 3)} x ${formatQuantity(device.mtj_width, 'length', 3)}, TMR0 ${device.tmr0_percent} %, V0 ${formatQuantity(device.v0, 'voltage', 3)}`,
  ];
  return { text: sotRvCsv(source, rows), rows: n };
}

/** `spinarch device sot --csv`: the scenario's SOT-MRAM as an R(V) table. */
export function deviceSotCommand(file: string, o: { readonly csv: string; readonly csvStep?: number; readonly set: readonly string[] }, io: CliIo): void {
  const scenario = loadScenario(file, o.set);
  if (scenario.design.name !== 'sot-mlp') {
    throw new ScenarioError([{ location: locate(scenario.raw, ['design']), path: 'design', message: `device sot writes an SOT-MRAM's R(V): the scenario's design is ${scenario.design.name}, not sot-mlp` }]);
  }
  const value = sotScenario.parse(scenario.raw.data);
  const table = sotTableCsv(scenario.name, value.params.device, o.csvStep ?? SOT_CSV_STEP);
  writeText(o.csv, table.text);
  io.err(`wrote ${o.csv}: ${table.rows} rows, bias ${-SOT_CSV_SPAN} to ${SOT_CSV_SPAN} V\n`);
}

/** Bias range and step of `device mtj --csv`, per MTJ: past what programming puts across one (3.6 V over seven in series); 1 mV keeps the interpolation of I(V) under 1e-5 of a read current at 15 mV. */
export const MTJ_CSV_SPAN = 1;
export const MTJ_CSV_STEP = 0.001;

/**
 * The serial cell's mean MTJ as a device table: R(V) = V / I(V) in each state, I(V) from the
 * four-line model's own V(I) (serial-mtj.ts, solved as a cell of one MTJ reads it), R(0) its
 * slope at zero current; every `step` volts over +-MTJ_CSV_SPAN.
 */
export function mtjTableCsv(name: string, cell: MultiLevelCellParams, step: number): { text: string; rows: number } {
  const mtj = meanMtj(cell.table);
  const one = new SerialCell([mtj]);
  const resistance = (high: boolean, v: number): number => {
    one.high[0] = high;
    return v === 0 ? mtjSlope(mtj, high, 0) : one.readResistance(v);
  };
  const n = Math.floor((2 * MTJ_CSV_SPAN) / step + 1e-9) + 1;
  const rows = Array.from({ length: n }, (_, k) => {
    const v = Number((-MTJ_CSV_SPAN + k * step).toPrecision(12));
    return { v, rP: resistance(false, v), rAP: resistance(true, v) };
  });
  const t = cell.table;
  const source = [
    `spinarch device mtj --csv ${spinarchVersion()}: the mean MTJ of scenario ${name}, the four-line model of seed 002 (src/components/mtj/serial-mtj.ts)`,
    `a1 ${t.a1.mean} 1/A, b1 ${t.b1.mean} Ohm, a0 ${t.a0.mean} 1/A, b0 ${t.b0.mean} Ohm (R = b + a |V|); critical currents stay the scenario's (params.cell.table.cN, cP)`,
  ];
  return { text: mtjRvCsv(source, rows), rows: n };
}

/** `spinarch device mtj --csv`: the scenario's mean MTJ as an R(V) table. */
export function deviceMtjCommand(file: string, o: { readonly csv: string; readonly csvStep?: number; readonly set: readonly string[] }, io: CliIo): void {
  const scenario = loadScenario(file, o.set);
  if (scenario.design.name !== 'mtj-mlp') {
    throw new ScenarioError([{ location: locate(scenario.raw, ['design']), path: 'design', message: `device mtj writes a serial cell's MTJ R(V): the scenario's design is ${scenario.design.name}, not mtj-mlp` }]);
  }
  const value = mtjScenario.parse(scenario.raw.data);
  const table = mtjTableCsv(scenario.name, value.params.cell, o.csvStep ?? MTJ_CSV_STEP);
  writeText(o.csv, table.text);
  io.err(`wrote ${o.csv}: ${table.rows} rows, bias ${-MTJ_CSV_SPAN} to ${MTJ_CSV_SPAN} V\n`);
}

/**
 * Input range of `device maap --csv`, in full-scale inputs: every `step` over PAIR_CSV_FINE,
 * where the pair's knee and full scale are (0 and 1 lie on the grid), every PAIR_CSV_COARSE
 * beyond it, out to PAIR_CSV_SPAN: there cell 1's inverter sits at a rail and the pair's
 * output is constant, so a coarse grid reads it exactly. The span holds the conv sums of the
 * bundled networks (-4.6 to 1.7 full scale over 200 test images) and the calibration's -1.
 */
export const PAIR_CSV_SPAN: readonly [number, number] = [-8, 4];
export const PAIR_CSV_FINE: readonly [number, number] = [-1, 2];
export const PAIR_CSV_COARSE = 0.25;
export const PAIR_CSV_STEP = 0.005;

/** The grid of `device maap --csv`, in full-scale inputs. */
export function pairTableGrid(step: number): number[] {
  const at = (from: number, to: number, h: number, last: boolean): number[] => {
    const n = Math.floor((to - from) / h + 1e-9);
    return Array.from({ length: n + (last ? 1 : 0) }, (_, k) => Number((from + k * h).toPrecision(12)));
  };
  const [lo, hi] = PAIR_CSV_SPAN;
  const [a, b] = PAIR_CSV_FINE;
  return [...at(lo, a, PAIR_CSV_COARSE, false), ...at(a, b, step, true), ...at(b, hi, PAIR_CSV_COARSE, true).slice(1)];
}

/**
 * The nominal pair's thermal noise referred to its input at input x, as a fraction of
 * full-scale input: each magnet's spread (thermalSigma) times the output's sensitivity to it,
 * over the output's sensitivity to the input (central differences of the circuit's
 * pairOutput). It grows from 0.087 at the knee to 0.10 at full scale as cell 2's share grows;
 * past the knee and full scale, where the output is at a rail, the value at the rail's edge.
 */
export function pairInputNoise(maap: Pick<MaapParams, 'circuit'>, x: number): number {
  const design = designPair(maap.circuit);
  const pair = realizePair(design, NOMINAL_PAIR, 0);
  const h = 1e-6;
  const at = Math.min(1 - 2 * h, Math.max(2 * h, x));
  const slope = (f: (e: number) => number): number => (f(h) - f(-h)) / (2 * h);
  const g1 = slope((e) => pairOutput(design, pair, at, e, 0));
  const g2 = slope((e) => pairOutput(design, pair, at, 0, e));
  const gx = slope((e) => pairOutput(design, pair, at + e, 0, 0));
  return (thermalSigma(maap.circuit) * Math.hypot(g1, g2)) / gx;
}

/**
 * The activation pair as a device table (pair-table.ts): the nominal pair's noiseless output
 * from the circuit (maap-circuit.ts, trim 0) against its input current, before its rails (so
 * the table holds how far past them each pair's inverter is driven), or with
 * `devices` > 1 that many pairs drawn with the scenario's params.maap.variation, one column
 * each, and the nominal pair as their `nominal`; sd_I the nominal pair's input-referred
 * thermal noise at each row (pairInputNoise). Each row's
 * output is the circuit's at the input the table reads back (the written current over the
 * full-scale current, in the reader's arithmetic), so the table holds the model's values.
 */
export function maapTableCsv(name: string, seed: string | number, maap: MaapParams, devices: number, step: number): { text: string; rows: number } {
  const design = designPair(maap.circuit);
  const drawn: PairDevices[] = devices === 1 ? [NOMINAL_PAIR] : (() => {
    const rng = streamFor(seed, 'maap/pair-table');
    return Array.from({ length: devices }, () => drawPair(rng, maap.variation));
  })();
  const pairs = drawn.map((d) => realizePair(design, d, 0));
  // Drawn pairs are trimmed to the design's: its column is the target (their median is a noisy one).
  const nominal = devices === 1 ? undefined : realizePair(design, NOMINAL_PAIR, 0);
  const fs = maap.circuit.full_scale_current;
  const uA = 1e-6;
  const microamps = (x: number): number => Number((x * (fs / uA)).toPrecision(12));
  const rows = pairTableGrid(step).map((x) => {
    const written = microamps(x);
    const read = (written * uA) / fs;
    return { microamps: written, out: pairs.map((pair) => pairOutputUnclipped(design, pair, read)), ...(nominal === undefined ? {} : { nominal: pairOutputUnclipped(design, nominal, read) }), noiseMicroamps: microamps(pairInputNoise(maap, read)) };
  });
  const c = maap.circuit;
  const v = maap.variation;
  const source = [
    `spinarch device maap --csv ${spinarchVersion()}: ${devices === 1 ? 'the nominal activation pair' : `${devices} activation pairs drawn with params.maap.variation (stream maap/pair-table of seed ${seed})`} of scenario ${name}, the circuit of src/components/maap/maap-circuit.ts, noiseless, trim 0`,
    `supply ${formatQuantity(c.supply, 'voltage', 4)}, TMR ${c.tmr}, overdrive ${c.overdrive}, full scale ${formatQuantity(fs, 'current', 4)}${devices === 1 ? '' : `; variation: R ${v.resistance_sigma}, TMR ${v.tmr_sigma}, I_c ${v.critical_current_sigma}, threshold ${formatQuantity(v.threshold_sigma, 'voltage', 3)}`}`,
    `I: current into the pair's SHE layer; out: its output over the supply (fraction of full scale), past 0 and 1 as far as its inverter is driven beyond the rails;${devices === 1 ? '' : ' nominal: the nominal pair (the trim target);'} sd_I: the nominal pair's thermal noise referred to its input (Delta ${c.thermal_stability}, relaxation ${c.relaxation_time} ps, integration ${c.integration_time} ps)`,
  ];
  return { text: pairTableCsv(source, pairs.length, rows), rows: rows.length };
}

/** `spinarch device maap --csv`: the scenario's activation pair (or `devices` drawn pairs) as a table. */
export function deviceMaapCommand(file: string, o: { readonly csv: string; readonly csvStep?: number; readonly devices?: number; readonly set: readonly string[] }, io: CliIo): void {
  const scenario = loadScenario(file, o.set);
  if (scenario.design.name !== 'maap-cnn') {
    throw new ScenarioError([{ location: locate(scenario.raw, ['design']), path: 'design', message: `device maap writes a MAAP activation pair's output: the scenario's design is ${scenario.design.name}, not maap-cnn` }]);
  }
  const value = maapScenario.parse(scenario.raw.data);
  const table = maapTableCsv(scenario.name, value.seed, value.params.maap, o.devices ?? 1, o.csvStep ?? PAIR_CSV_STEP);
  writeText(o.csv, table.text);
  io.err(`wrote ${o.csv}: ${table.rows} rows, ${o.devices ?? 1} pair${(o.devices ?? 1) === 1 ? '' : 's'}, input ${PAIR_CSV_SPAN[0]} to ${PAIR_CSV_SPAN[1]} full scale\n`);
}

/** `spinarch device irmen`: the cell's transfer function, error and switching delay from the LLG solver. */
export async function deviceIrmenCommand(file: string, o: DeviceCommandOptions, io: CliIo): Promise<DeviceReport | undefined> {
  const scenario = loadScenario(file, o.set);
  if (scenario.design.name !== 'irmen-dual-cenn') {
    throw new ScenarioError([{ location: locate(scenario.raw, ['design']), path: 'design', message: `device irmen characterizes an IRMEN cell: the scenario's design is ${scenario.design.name}, not irmen-dual-cenn` }]);
  }
  const value = irmenScenario.parse(scenario.raw.data);
  if (o.csv !== undefined) {
    const table = irmenTableCsv(scenario.name, value, o.csvStep ?? FIELD_STEP);
    writeText(o.csv, table.text);
    io.err(`wrote ${o.csv}: ${table.rows} rows, drive ${-FIELD_MAX} to ${FIELD_MAX}\n`);
    return undefined;
  }
  const lengths = o.fmLength.length === 0 ? [...DEFAULT_LENGTHS_NM] : o.fmLength.map((text) => {
    const q = parseQuantity(text, 'length');
    if (!q.ok || q.value <= 0) throw new UsageError(`--fm-length ${text}: ${q.ok ? 'must be > 0' : q.error}`);
    return Number((q.value * 1e9).toPrecision(6));
  });
  const bar = progressBar(io, 'LLG Monte Carlo', o.iterations * lengths.length, 'iterations');
  let report: DeviceReport;
  try {
    report = await characterizeIrmen(scenario.name, value.seed, value.params.irmen, stageDelayOf(value), { lengthsNm: lengths, iterations: o.iterations, workers: o.workers, onProgress: (done) => bar.update(done) });
  } finally {
    bar.stop();
  }
  if (o.plot !== undefined) {
    writeText(o.plot, await errorPlotSvg(report));
    io.err(`wrote ${o.plot}\n`);
  }
  if (o.histogram !== undefined) {
    writeText(o.histogram, await histogramPlotSvg(report));
    io.err(`wrote ${o.histogram}\n`);
  }
  io.out(o.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatDevice(report));
  return report;
}

