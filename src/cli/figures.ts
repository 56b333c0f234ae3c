import path from 'node:path';
import type { RunReport } from '../arch/report.js';
import { runScenario } from '../arch/runner.js';
import { loadScenario } from '../arch/scenario.js';
import { formatSI } from '../scenario/units.js';
import { scenarioArea } from '../arch/area-report.js';
import { formatArea } from './format.js';
import { accuracyBlocks, readAccuracyFile } from './accuracy-figures.js';
import { projectRoot } from './paths.js';
import { deviceMarkdown, readDeviceReport } from './device-figures.js';
import { sweepFiguresMarkdown } from './sweep-figures.js';

/** One published figure beside what spinarch computes for it. */
export interface Figure {
  readonly what: string;
  readonly source: string;
  readonly published: string;
  readonly spinarch: string;
  /** The command that gives spinarch's figure. */
  readonly command: string;
}

type Runner = (file: string, ...sets: string[]) => RunReport;

/** Runs each scenario variant once, however many figures read it. */
function cachedRunner(): Runner {
  const cache = new Map<string, RunReport>();
  return (file, ...sets) => {
    const key = [file, ...sets].join('\u0000');
    let r = cache.get(key);
    if (r === undefined) {
      r = runScenario(loadScenario(path.join(projectRoot(), 'scenarios', file), sets));
      cache.set(key, r);
    }
    return r;
  };
}

const ns = (ps: number): string => formatSI(ps * 1e-12, 's', 4);
const J = (j: number): string => formatSI(j, 'J');
/** In femtojoules, as the paper writes it. */
const fJ = (j: number): string => (j * 1e15).toFixed(2);
/** Four digits where the paper's figure has four (80.6 nJ, 1023 nJ). */
const J4 = (j: number): string => formatSI(j, 'J', 4);
const cmd = (file: string, ...sets: string[]): string => `spinarch run scenarios/${file} --json${sets.map((s) => ` --set ${s.replace(/=(.* .*)$/, "='$1'")}`).join('')}`;
const device = (r: RunReport): Record<string, number> => r['device'] as Record<string, number>;
/** One instance of a block of a report's area breakdown. */
const areaEach = (r: RunReport, component: string): number => {
  const l = r.area_breakdown?.find((x) => x.component === component);
  if (l === undefined) throw new Error(`${r.scenario} has no area line ${component}`);
  return l.area_m2 / l.count;
};
/** The chip's area of a scenario variant, from its area functions (no run: the figure a run reports). */
const chipArea = (file: string, ...sets: string[]): number => scenarioArea(loadScenario(path.join(projectRoot(), 'scenarios', file), sets)).area_m2;
const seqs = (r: RunReport): { latency_ps: number }[] => r['sequences'] as { latency_ps: number }[];

/** The published figures of the seeds and spinarch's numbers for them, computed now. */
export function publishedFigures(): Figure[] {
  const run = cachedRunner();
  const irmen = run('irmen-dual-cenn.yaml');
  const short = run('irmen-dual-cenn.yaml', 'params.irmen.fm_length=17 nm');
  const long = run('irmen-dual-cenn.yaml', 'params.irmen.fm_length=60 nm');
  const charge = run('charge-cenn.yaml');
  const figures: Figure[] = [
    { what: 'IRMEN dual-CeNN: CeNN stages per image', source: '000 Sec. IV-B', published: '2x2 + 2x12 = 28', spinarch: String(irmen['stages']), command: cmd('irmen-dual-cenn.yaml') },
    { what: 'IRMEN dual-CeNN: latency per image', source: '000 abstract, Sec. IV-B', published: '42 ns', spinarch: ns(irmen.latency_ps), command: cmd('irmen-dual-cenn.yaml') },
    { what: 'IRMEN dual-CeNN: powered time per stage', source: '000 Sec. III-A', published: 'about 130 ps', spinarch: ns(irmen.power.powered_ps / (irmen['stages'] as number)), command: cmd('irmen-dual-cenn.yaml') },
    { what: 'IRMEN dual-CeNN: energy per image (30 nm FM)', source: '000 abstract', published: 'about 100 pJ', spinarch: J(irmen.energy_j), command: cmd('irmen-dual-cenn.yaml') },
    { what: 'IRMEN dual-CeNN: energy, 17 nm to 60 nm FM', source: '000 Fig. 7a, Sec. IV-B', published: 'rises with length; < 0.14 nJ', spinarch: `${J(short.energy_j)} to ${J(long.energy_j)}`, command: cmd('irmen-dual-cenn.yaml', 'params.irmen.fm_length=60 nm') },
    { what: 'IRMEN cell: thermal stability, 17 nm to 60 nm', source: '000 Table I', published: '16 to 59', spinarch: `${device(short)['thermal_stability']!.toFixed(1)} to ${device(long)['thermal_stability']!.toFixed(1)}`, command: cmd('irmen-dual-cenn.yaml', 'params.irmen.fm_length=17 nm') },
    { what: 'IRMEN cell: intrinsic write energy (60 nm FM)', source: '000 Sec. II-B', published: 'no more than 10 aJ', spinarch: J(device(long)['write_energy_per_cell_j']!), command: cmd('irmen-dual-cenn.yaml', 'params.irmen.fm_length=60 nm') },
    { what: 'IRMEN cell: write energy with external circuitry, 17 to 60 nm', source: '000 Sec. II-B', published: '0.24 to 0.79 fJ', spinarch: `${fJ(short['write_energy_with_circuitry_per_cell_j'] as number)} to ${fJ(long['write_energy_with_circuitry_per_cell_j'] as number)} fJ (OTA drive + ME charge + access)`, command: cmd('irmen-dual-cenn.yaml', 'params.irmen.fm_length=17 nm') },
    { what: 'IRMEN cell: current to saturate (30 nm FM)', source: '000 Sec. III-B', published: 'up to 1 uA', spinarch: formatSI(device(irmen)['full_scale_current_a']!, 'A'), command: cmd('irmen-dual-cenn.yaml') },
    { what: 'IRMEN cell: area, 17 nm to 60 nm FM', source: '000 Sec. IV-B ("at the cost of increased energy and area")', published: 'rises with FM length', spinarch: `${formatArea(areaEach(short, 'bankA'))} to ${formatArea(areaEach(long, 'bankA'))} per cell (its 2 transistors and the magnet, 9.5 nm wide); the chip's ${formatArea(long.area_m2 ?? 0)} (mostly OTAs) grows by ${formatArea((long.area_m2 ?? 0) - (short.area_m2 ?? 0))}`, command: cmd('irmen-dual-cenn.yaml', 'params.irmen.fm_length=60 nm') },
    { what: 'Charge CeNN: latency per image', source: '000 Sec. IV-B (Lou et al.)', published: '240.5 ns', spinarch: ns(charge.latency_ps), command: cmd('charge-cenn.yaml') },
    { what: 'Charge CeNN: conv-ReLU-pool sequences', source: '003 Sec. 4.3 (Lou et al.)', published: '101.5 ns and 139 ns', spinarch: seqs(charge).map((s) => ns(s.latency_ps)).join(' and '), command: cmd('charge-cenn.yaml') },
    { what: 'Charge CeNN: energy per image', source: '000 Sec. IV-B (Lou et al.)', published: 'over 12 nJ', spinarch: J(charge.energy_j), command: cmd('charge-cenn.yaml') },
    { what: 'Charge CeNN / IRMEN: energy', source: '000 Sec. IV-B', published: 'over 12 nJ vs < 0.14 nJ (> 85x)', spinarch: `${(charge.energy_j / irmen.energy_j).toFixed(0)}x`, command: 'spinarch run of both scenarios' },
    { what: 'Charge CeNN / IRMEN: latency', source: '000 Sec. IV-B', published: '240.5 ns vs 42 ns (5.7x)', spinarch: `${(charge.latency_ps / irmen.latency_ps).toFixed(2)}x`, command: 'spinarch run of both scenarios' },
  ];
  const m4 = run('maap-cnn-4bit.yaml');
  const m32 = run('maap-cnn-32bit.yaml');
  const d4 = run('maap-cnn-4bit.yaml', 'params.maap.redundancy=8', 'params.maap.averaging=digital');
  const d32 = run('maap-cnn-32bit.yaml', 'params.maap.averaging=digital');
  const c = m4.counts;
  const parallel = run('variants/maap-cnn-4bit-parallel.yaml');
  // The resource that limits a MAAP-CNN run, with its utilization.
  const busiest = (r: RunReport): string => {
    const name = String(r['busiest']);
    const u = (r['utilization'] as Record<string, number>)[name] ?? 0;
    return `${name.replace('_', ' ')}, ${(u * 100).toFixed(0)} %`;
  };
  // Eq. 2 counts Table 1's operations; the trim currents (the mean-error correction, Fig. 4b) come on top.
  const trim = (r: RunReport): number => r.energy_breakdown.filter((l) => l.action === 'trim_current').reduce((a, l) => a + l.energy_j, 0);
  const eq2 = (r: RunReport): string => `${J4(r.energy_j - trim(r))} (+ ${J(trim(r))} trim currents = ${J4(r.energy_j)})`;
  figures.push(
    { what: 'MAAP-CNN: MAAP operations (outputs) per image', source: '003 Table 1', published: '3904', spinarch: `${c['maap_outputs']} (x R = ${c['maap_ops']} measurements)`, command: cmd('maap-cnn-4bit.yaml') },
    { what: 'MAAP-CNN: ADC conversions per image', source: '003 Table 1', published: '3904', spinarch: String(c['adc_conversions']), command: cmd('maap-cnn-4bit.yaml') },
    { what: 'MAAP-CNN: digital multiplies per image', source: '003 Table 1', published: '3088', spinarch: String(c['multiplies']), command: cmd('maap-cnn-4bit.yaml') },
    { what: 'MAAP-CNN: memory accesses per image', source: '003 Table 1', published: '85328', spinarch: String(c['memory_accesses']), command: cmd('maap-cnn-4bit.yaml') },
    { what: 'MAAP-CNN: energy, 4 bits, R = 16, analog averaging', source: '003 Eq. 2, Sec. 4.2 ("about 80 nJ")', published: '80.6 nJ', spinarch: eq2(m4), command: cmd('maap-cnn-4bit.yaml') },
    { what: 'MAAP-CNN: energy, 32 bits, R = 16, analog averaging', source: '003 Eq. 2, Sec. 4.2 ("about 1000 nJ")', published: '964 nJ', spinarch: eq2(m32), command: cmd('maap-cnn-32bit.yaml') },
    { what: 'MAAP-CNN: energy, 4 bits, R = 8, digital averaging', source: '003 Eq. 2 (second reading)', published: '79.8 nJ', spinarch: eq2(d4), command: cmd('maap-cnn-4bit.yaml', 'params.maap.redundancy=8', 'params.maap.averaging=digital') },
    {
      what: 'MAAP-CNN: chip area against R, on M = R sets (the fewest)',
      source: '003 Sec. 4.1 ("at least R physically distinct MAAP sets")',
      published: 'R distinct sets (no area given)',
      spinarch: [1, 4, 16].map((r) => `R = ${r}: ${formatArea(chipArea('maap-cnn-4bit.yaml', `params.maap.sets=${r}`, `params.maap.redundancy=${r}`))}`).join(', ') + ` (4 bits; the 64 sets of the scenario: ${formatArea(m4.area_m2 ?? 0)})`,
      command: cmd('maap-cnn-4bit.yaml', 'params.maap.sets=16', 'params.maap.redundancy=16'),
    },
    { what: 'MAAP-CNN: energy, 32 bits, R = 16, digital averaging', source: '003 Eq. 2 (second reading)', published: '1023 nJ', spinarch: eq2(d32), command: cmd('maap-cnn-32bit.yaml', 'params.maap.averaging=digital') },
    {
      what: 'MAAP-CNN provisioned like the charge CeNN: latency per image',
      source: '003 Sec. 5 ("assuming sufficient devices to compute an entire sequence of layer operations in parallel")',
      published: 'a significant speed-up over the charge CeNN (101.5 ns + 139 ns); a MAAP operation takes on the order of 1 ns',
      spinarch: `${ns(parallel.latency_ps)}, ${(charge.latency_ps / parallel.latency_ps).toFixed(1)}x faster than the charge CeNN (busiest: ${busiest(parallel)}); the bundled 64 sets: ${ns(m4.latency_ps)} (busiest: ${busiest(m4)})`,
      command: cmd('variants/maap-cnn-4bit-parallel.yaml'),
    },
  );
  const sot = run('sot-mlp.yaml');
  const sd = device(sot);
  const sotSetup = sot['setup'] as { latency_ps: number; energy_j: number };
  const kOhm = (x: number): string => formatSI(x, 'Ohm', 4);
  const neuronArea = areaEach(sot, 'layer[0]/neurons');
  // The neuron's power is the scenario's (seed 004's 64 uW from SPICE): the product's other factor.
  const neuronPower = (loadScenario(path.join(projectRoot(), 'scenarios', 'sot-mlp.yaml')).value as unknown as { params: { neuron: { power: number } } }).params.neuron.power;
  figures.push(
    { what: 'SOT-MRAM MTJ: R_P and R_AP at zero bias', source: '004 Eq. 1, Table I', published: 'R_P = RA / Area = 8.49 kOhm, R_AP = 16.98 kOhm', spinarch: `${kOhm(sd['r_p_ohm']!)}, ${kOhm(sd['r_ap_ohm']!)}`, command: cmd('sot-mlp.yaml') },
    { what: 'SOT-MRAM MTJ: TMR at V_b = V0', source: '004 Eq. 2', published: 'TMR0/100 / 2 = 0.5', spinarch: String(sd['tmr_at_v0']), command: cmd('sot-mlp.yaml') },
    { what: 'SOT-MLP 784x16x10: inference latency', source: '004 Sec. III, V-B', published: '1 clock cycle', spinarch: `${sot.latency_ps / (sot['clock_period_ps'] as number)} cycle (${ns(sot.latency_ps)} at the chosen clock)`, command: cmd('sot-mlp.yaml') },
    { what: 'SOT-MLP 784x16x10: writing all weights', source: '004 Sec. III', published: '16 + 10 = 26 cycles (one row per cycle)', spinarch: `${sot['write_cycles'] as number} cycles (${ns(sotSetup.latency_ps)})`, command: cmd('sot-mlp.yaml') },
    { what: 'SOT-MRAM neuron (2T-2R): area', source: '004 Sec. V-A', published: 'about 13 lambda x 30 lambda, 0.02 um^2 at 14 nm; SOT-MRAMs on top, no overhead', spinarch: `${formatArea(neuronArea)} (2 transistors of 195 lambda^2 at lambda = 7 nm, the SOT-MRAMs over them)`, command: cmd('sot-mlp.yaml') },
    { what: 'SOT-MRAM neuron: power-area product', source: '004 Table IV', published: '1x; the neurons of [11] and [12] 74x and 12x (scaled)', spinarch: `${formatSI(neuronPower * neuronArea * 1e12, 'W·um²')} (64 uW x ${formatArea(neuronArea)}); so [11] ${formatSI(74 * neuronPower * neuronArea * 1e12, 'W·um²')}, [12] ${formatSI(12 * neuronPower * neuronArea * 1e12, 'W·um²')}`, command: cmd('sot-mlp.yaml') },
    { what: 'SOT-MLP 784x16x10: energy per inference / per full write', source: '004 (open in the paper)', published: 'not given (neuron 64 uW)', spinarch: `${J(sot.energy_j)} / ${J(sotSetup.energy_j)}`, command: cmd('sot-mlp.yaml') },
  );
  const mtj = run('mtj-mlp.yaml');
  const cs = mtj['cell_statistics'] as { levels: unknown[]; separated: boolean; program_all_v: { min: number; max: number; mean: number } };
  const volts = (v: number): string => `${v.toFixed(2)} V`;
  const perN = [1, 2, 3, 4, 5, 6, 7].map((n) => {
    const c = run('mtj-mlp.yaml', 'weights=random', `params.cell.mtjs=${n}`, 'network.layers=[{type: dense, outputs: 2}]', 'params.neuron.feedback=[5 kOhm]')['cell_statistics'] as { levels: unknown[]; separated: boolean };
    return c.separated ? c.levels.length : -c.levels.length;
  });
  const mtjSetup = mtj['setup'] as { latency_ps: number; energy_j: number };
  figures.push(
    { what: 'Serial-MTJ cell, 7 MTJs, 300 Monte Carlo cells: levels', source: '002 Sec. II, Fig. 2a', published: '8 clearly separated levels', spinarch: `${cs.levels.length} levels, ${cs.separated ? 'no overlap' : 'OVERLAPPING'}`, command: cmd('mtj-mlp.yaml') },
    { what: 'Serial-MTJ cell, 7 MTJs: voltage to program all seven', source: '002 Sec. II-B', published: 'about 3.25 V', spinarch: `${volts(cs.program_all_v.mean)} mean (${volts(cs.program_all_v.min)} to ${volts(cs.program_all_v.max)})`, command: cmd('mtj-mlp.yaml') },
    { what: 'Serial-MTJ cell, 1 to 7 MTJs: levels', source: '002 Sec. II', published: 'N + 1', spinarch: perN.map((l) => (l > 0 ? String(l) : `${-l} (overlap)`)).join(', '), command: cmd('mtj-mlp.yaml', 'params.cell.mtjs=3') },
    { what: 'MTJ-MLP 400x16x16x10: latency / energy per inference', source: '002 (not given)', published: 'not given (op-amp 12 uA at 1.8 V)', spinarch: `${ns(mtj.latency_ps)} / ${J(mtj.energy_j)}`, command: cmd('mtj-mlp.yaml') },
    { what: 'MTJ-MLP 400x16x16x10: programming all weights', source: '002 (not given)', published: 'not given', spinarch: `${ns(mtjSetup.latency_ps)} / ${J(mtjSetup.energy_j)}`, command: cmd('mtj-mlp.yaml') },
  );
  return figures;
}

/** MAAP-CNN latency against the number of sets M: it falls until the shared SRAM ports saturate. */
export function maapLatencyMarkdown(): string {
  const run = cachedRunner();
  const rows = [
    { m: 1, r: 1 },
    { m: 16, r: 16 },
    { m: 64, r: 16 },
    { m: 256, r: 16 },
    { m: 3904, r: 16 },
  ].map(({ m, r }) => {
    const rep = run('maap-cnn-4bit.yaml', `params.maap.sets=${m}`, `params.maap.redundancy=${r}`);
    const u = rep['utilization'] as Record<string, number>;
    const pct = (x: number | undefined): string => `${Math.round(100 * (x ?? 0))} %`;
    return `| ${m} | ${r} | ${formatSI(rep.latency_ps * 1e-12, 's', 4)} | ${rep['busiest'] as string} | ${pct(u['maap_sets'])} | ${pct(u['sram_ports'])} | ${pct(u['adcs'])} | ${pct(u['multipliers'])} |`;
  });
  return ['| sets M | R | latency per image | busiest | MAAP sets | SRAM ports | ADCs | multipliers |', '| --- | --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

/** The generated blocks of the README, by marker name. */
export function readmeBlocks(): Record<string, string> {
  return { figures: figuresMarkdown(publishedFigures()), 'maap-latency': maapLatencyMarkdown(), ...accuracyBlocks(readAccuracyFile()), sweeps: sweepFiguresMarkdown(), 'irmen-device': deviceMarkdown(readDeviceReport()) };
}

/** The figures as a Markdown table (the README embeds this). */
export function figuresMarkdown(figures: readonly Figure[]): string {
  const rows = figures.map((f) => `| ${f.what} | ${f.source} | ${f.published} | ${f.spinarch} | \`${f.command}\` |`);
  return ['| figure | seed | published | spinarch | command |', '| --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
