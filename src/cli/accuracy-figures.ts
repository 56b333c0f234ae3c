import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { accuracy, scorePredictions, type Accuracy } from '../arch/accuracy.js';
import { runScenario } from '../arch/runner.js';
import { loadScenario } from '../arch/scenario.js';
import { mnistImages } from '../data/images.js';
import { bundledMnistDir, loadMnist } from '../data/mnist.js';
import { projectRoot, spinarchVersion } from '../data/project.js';
import { evaluateImages } from '../eval/pool.js';
import { formatSI } from '../scenario/units.js';
import { networkMacs } from '../arch/network.js';
import { irmenScenario, stageDelayOf } from '../arch/cenn/irmen-dual-cenn.js';
import { irmenDynamicsOf, magnetOf } from '../components/irmen/irmen-bank.js';
import { GAMMA_ELECTRON } from '../components/irmen/llg.js';
import { relaxationTime } from '../components/irmen/read-physics.js';

/** One configuration whose accuracy the README shows: a bundled scenario and overrides. */
export interface AccuracyCase {
  readonly id: string;
  readonly file: string;
  readonly sets: readonly string[];
  /** The trained network in plain arithmetic, not the hardware (seed 004's "GPU"). */
  readonly plain?: boolean;
}

/** FM lengths of seed 000 Fig. 7 and weight bits of Fig. 8 (16 bits stands for "essentially perfect precision"). */
export const FM_LENGTHS = [17, 30, 45, 60] as const;
export const IRMEN_BITS = [4, 6, 8, 16] as const;
export const MAAP_BITS = [4, 8, 32] as const;
export const MAAP_R = [1, 2, 4, 8, 16] as const;
export const MTJS = [1, 2, 3, 4, 5, 6, 7] as const;
/** The LLG variants of the IRMEN scenario (scenarios/variants/irmen-dual-cenn-<name>.yaml). */
export const IRMEN_LLG = ['llg', 'llg-damped', 'llg-derived'] as const;

/** The bundled ONNX examples: a case name, the scenario in examples/, what the README calls it. */
export const EXAMPLES = [
  { name: 'lenet', file: 'lenet-maap.yaml', model: 'lenet.onnx', design: 'maap-cnn (8 bits, R = 16)' },
  { name: 'mlp', file: 'mlp-mtj.yaml', model: 'mlp.onnx', design: 'mtj-mlp' },
  { name: 'wide', file: 'wide-mlp-sot.yaml', model: 'wide-mlp.onnx', design: 'sot-mlp' },
] as const;

export const ACCURACY_CASES: readonly AccuracyCase[] = [
  ...FM_LENGTHS.flatMap((l) => IRMEN_BITS.map((b) => ({ id: `irmen/${l}nm/${b}bit`, file: 'irmen-dual-cenn.yaml', sets: [`params.irmen.fm_length=${l} nm`, `params.ota.weight_bits=${b}`] }))),
  { id: 'irmen/30nm/8bit/noiseless', file: 'irmen-dual-cenn.yaml', sets: ['params.irmen.noise_scale=0'] },
  // The same cell read through the LLG macrospin: the paper's damping and stage, a damped magnet, the derived stage.
  ...IRMEN_LLG.map((v) => ({ id: `irmen/${v}`, file: `variants/irmen-dual-cenn-${v}.yaml`, sets: [] })),
  // Weights trained with the read noise, its scale varied (spinarch train --noise).
  ...FM_LENGTHS.map((l) => ({ id: `irmen-noise-aware/${l}nm`, file: 'variants/irmen-dual-cenn-noise-aware.yaml', sets: [`params.irmen.fm_length=${l} nm`] })),
  { id: 'irmen-noise-aware/noiseless', file: 'variants/irmen-dual-cenn-noise-aware.yaml', sets: ['params.irmen.noise_scale=0'] },
  { id: 'charge', file: 'charge-cenn.yaml', sets: [] },
  ...MAAP_BITS.map((b) => ({ id: `maap/${b}bit`, file: `maap-cnn-${b}bit.yaml`, sets: [] })),
  ...MAAP_R.filter((r) => r !== 16).map((r) => ({ id: `maap/4bit/R${r}`, file: 'maap-cnn-4bit.yaml', sets: [`params.maap.redundancy=${r}`] })),
  { id: 'maap/4bit/vt0', file: 'maap-cnn-4bit.yaml', sets: ['params.maap.variation.threshold_sigma=0 mV'] },
  { id: 'maap/4bit/vt20', file: 'maap-cnn-4bit.yaml', sets: ['params.maap.variation.threshold_sigma=20 mV'] },
  // At 20 mV some pairs need more trim than the DAC's +-0.5 full scale: the same chip with +-1.
  { id: 'maap/4bit/vt20/range1', file: 'maap-cnn-4bit.yaml', sets: ['params.maap.variation.threshold_sigma=20 mV', 'params.maap.trim.range=1'] },
  { id: 'maap/4bit/ideal', file: 'maap-cnn-4bit.yaml', sets: ['params.maap.variation={resistance_sigma: 0, tmr_sigma: 0, critical_current_sigma: 0, threshold_sigma: 0 mV}', 'params.maap.thermal_noise=false'] },
  // Ideal devices at 8 and 32 bits: whether more bits help once the analog error is gone.
  ...MAAP_BITS.filter((b) => b !== 4).map((b) => ({ id: `maap/${b}bit/ideal`, file: `maap-cnn-${b}bit.yaml`, sets: ['params.maap.variation={resistance_sigma: 0, tmr_sigma: 0, critical_current_sigma: 0, threshold_sigma: 0 mV}', 'params.maap.thermal_noise=false'] })),
  // One mechanism off at a time: the mean-error trim (at R = 16 and R = 1), the thermal noise.
  { id: 'maap/4bit/notrim', file: 'maap-cnn-4bit.yaml', sets: ['params.maap.trim.enabled=false'] },
  { id: 'maap/4bit/R1/notrim', file: 'maap-cnn-4bit.yaml', sets: ['params.maap.redundancy=1', 'params.maap.trim.enabled=false'] },
  { id: 'maap/4bit/nothermal', file: 'maap-cnn-4bit.yaml', sets: ['params.maap.thermal_noise=false'] },
  // Weights trained in float and quantized after (spinarch train --quantize post), as seed 003 did.
  ...MAAP_BITS.map((b) => ({ id: `maap-post/${b}bit`, file: `variants/maap-cnn-${b}bit-post.yaml`, sets: [] })),
  // The 4-bit hardware running weights trained for 32 bits: quantizing after training, not during it.
  { id: 'maap/4bit/weights32', file: 'maap-cnn-4bit.yaml', sets: ['weights={file: scenarios/weights/maap-cnn-32bit.json}'] },
  { id: 'sot/plain', file: 'sot-mlp.yaml', sets: [], plain: true },
  { id: 'sot', file: 'sot-mlp.yaml', sets: [] },
  { id: 'sot/nominal', file: 'sot-mlp.yaml', sets: ['params.device_variation={ra_sigma: 0, tmr0_sigma: 0}'] },
  { id: 'mtj/plain', file: 'mtj-mlp.yaml', sets: [], plain: true },
  ...MTJS.map((n) => ({ id: `mtj/N${n}`, file: 'mtj-mlp.yaml', sets: [`params.cell.mtjs=${n}`] })),
  // The bundled ONNX examples (examples/*.yaml), on the hardware and in plain arithmetic.
  ...EXAMPLES.flatMap((e) => [
    { id: `examples/${e.name}`, file: `../examples/${e.file}`, sets: [] },
    { id: `examples/${e.name}/plain`, file: `../examples/${e.file}`, sets: [], plain: true },
  ]),
];

/** One case evaluated over the whole test set. */
export interface AccuracyResult {
  readonly id: string;
  readonly file: string;
  readonly sets: readonly string[];
  readonly plain?: boolean;
  readonly accuracy: Accuracy;
  /** Sums the functional model reports (transfer_error_mean). */
  readonly figures: Readonly<Record<string, number>>;
  /** Event-level energy and latency per image (the seeds' scope); null for a network in plain arithmetic. */
  readonly energy_j: number | null;
  readonly latency_ps: number | null;
  /** Every test image's predicted class, in order, as one string of digits. */
  readonly predictions: string;
}

export interface AccuracyFile {
  readonly about: string;
  readonly spinarch: string;
  readonly test_images_sha256: string;
  readonly results: readonly AccuracyResult[];
}

export const accuracyFilePath = (): string => path.join(projectRoot(), 'docs', 'accuracy.json');

/** A case's scenario, its files found from the project root (the README's commands run there). */
export function loadCase(c: AccuracyCase) {
  const sets = c.sets.map((s) => s.replace(/\{file: (scenarios\/[^}]+)\}/, (_m, f: string) => `{file: ${path.join(projectRoot(), f)}}`));
  return loadScenario(path.join(projectRoot(), 'scenarios', c.file), sets);
}

/** The event-level energy and latency per image of a case (what the test checks again), or null in plain arithmetic. */
export function caseCost(c: AccuracyCase): { energy_j: number | null; latency_ps: number | null } {
  if (c.plain === true) return { energy_j: null, latency_ps: null };
  const r = runScenario(loadCase(c), { images: 1, source: mnistImages(bundledMnistDir(), 0, 'test', 1) });
  return { energy_j: r.energy_j, latency_ps: r.latency_ps };
}

/**
 * Evaluates the cases over the bundled test set (minutes: `spinarch figures --evaluate`);
 * with `only`, just the cases whose id starts with one of them, keeping the others' results.
 */
export async function evaluateAccuracyCases(workers: number, only: readonly string[] = [], onCase?: (done: number, total: number, id: string) => void): Promise<AccuracyFile> {
  const dir = bundledMnistDir();
  const data = loadMnist(dir, 'test');
  const before = only.length === 0 ? undefined : readAccuracyFile();
  const results: AccuracyResult[] = [];
  for (const c of ACCURACY_CASES) {
    onCase?.(results.length, ACCURACY_CASES.length, c.id);
    const kept = before?.results.find((r) => r.id === c.id && r.file === c.file && JSON.stringify(r.sets) === JSON.stringify(c.sets));
    if (kept !== undefined && !only.some((prefix) => c.id.startsWith(prefix))) {
      // Its classes are kept; its cost (one event-level image, fast) is what the code gives now.
      const { predictions, ...rest } = kept;
      results.push({ ...rest, ...caseCost(c), predictions });
      continue;
    }
    const scenario = loadCase(c);
    const outcome = await evaluateImages(scenario, { dir, set: 'test', from: 0, count: data.count, workers, ...(c.plain === true ? { plain: true } : {}) });
    const scored = scorePredictions(Array.from(outcome.predicted, (predicted, k) => ({ label: data.labels?.[k], predicted })), outcome.classes)!;
    results.push({
      id: c.id,
      file: c.file,
      sets: c.sets,
      ...(c.plain === true ? { plain: true } : {}),
      accuracy: scored.accuracy,
      figures: Object.fromEntries(Object.entries(outcome.tally).map(([k, [sum, n]]) => [k, n > 0 ? sum / n : 0])),
      ...caseCost(c),
      predictions: Array.from(outcome.predicted).join(''),
    });
  }
  return {
    about: 'Accuracy of the bundled scenarios over the 10,000 MNIST test images (functional mode): spinarch figures --evaluate writes it; the README tables are rendered from it; a test re-evaluates a sample and recomputes each accuracy from the predictions and the labels.',
    spinarch: spinarchVersion(),
    test_images_sha256: data.sha256.images,
    results,
  };
}

export function writeAccuracyFile(f: AccuracyFile): void {
  const results = f.results.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
  writeFileSync(accuracyFilePath(), `{\n  "about": ${JSON.stringify(f.about)},\n  "spinarch": ${JSON.stringify(f.spinarch)},\n  "test_images_sha256": ${JSON.stringify(f.test_images_sha256)},\n  "results": [\n${results}\n  ]\n}\n`);
}

export function readAccuracyFile(): AccuracyFile | undefined {
  const file = accuracyFilePath();
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AccuracyFile) : undefined;
}

/** The accuracy a result's predictions give against the labels (what the test recomputes). */
export function rescore(r: AccuracyResult, labels: Uint8Array): Accuracy {
  let correct = 0;
  for (let i = 0; i < r.predictions.length; i++) if (Number(r.predictions[i]) === labels[i]) correct++;
  return accuracy(correct, r.predictions.length);
}

const pct = (a: Accuracy): string => `${(100 * a.rate).toFixed(1)} %`;
const ci = (a: Accuracy): string => `${(100 * a.ci95[0]).toFixed(1)}-${(100 * a.ci95[1]).toFixed(1)}`;
const withCi = (a: Accuracy): string => `${pct(a)} (${ci(a)})`;

/** "yes" if each value is above the one before (rising), within `slack`. */
function monotone(values: readonly number[], rising: boolean, slack = 0): boolean {
  return values.every((v, i) => i === 0 || (rising ? v >= values[i - 1]! - slack : v <= values[i - 1]! + slack));
}

/** Whether y falls (never rises) as x rises, over points taken in the order of x. */
function fallsWith(xs: readonly number[], ys: readonly number[]): boolean {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  return monotone(order.map((i) => ys[i]!), false);
}

/** A weights file's epochs: a number, or one per stage of training ({ teacher: 10, student: 10 }). */
function epochsOf(e: unknown): string {
  if (typeof e === 'number') return `${e} epochs`;
  if (typeof e === 'object' && e !== null) return Object.entries(e).map(([stage, n]) => `${String(n)} epochs (${stage})`).join(' + ');
  return `${String(e)} epochs`;
}

/** The bundled networks, as their weights files' provenance describes them (the software accuracy). */
export function trainedNetworksMarkdown(): string {
  const dir = path.join(projectRoot(), 'scenarios', 'weights');
  const rows = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    // By name without the extension, so a file comes before its variants (maap-cnn-4bit, then maap-cnn-4bit-post).
    .sort((a, b) => a.replace(/\.json$/, '').localeCompare(b.replace(/\.json$/, ''), 'en', { numeric: true }))
    .map((f) => {
      const p = (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { provenance: Record<string, unknown> }).provenance;
      const acc = p['accuracy'] as { train: number; test: number };
      const fw = p['accuracy_float_weights'] as { test: number };
      // Post-training quantization (train --quantize post): trained in float, the weights quantized after; files from before the option were trained through the quantizers.
      const float = p['accuracy_float'] as { test: number } | undefined;
      const post = p['quantize'] === 'post' && float !== undefined ? `; trained in float (test ${(100 * float.test).toFixed(2)} %), weights quantized after` : '';
      return `| \`scenarios/weights/${f}\` | ${String(p['training'])} | ${epochsOf(p['epochs'])}, seed ${String(p['seed'])}${post} | ${(100 * acc.train).toFixed(2)} % | ${(100 * acc.test).toFixed(2)} % | ${(100 * fw.test).toFixed(2)} % |`;
    });
  return ['| weights | trained for | training | train accuracy | test accuracy | test, float weights |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

/** The generated README blocks of accuracy: the trends table and seed 000's grid of Fig. 8. */
export function accuracyBlocks(f: AccuracyFile | undefined): Record<string, string> {
  if (f === undefined) return { accuracy: 'Not evaluated yet: run `spinarch figures --evaluate`.\n', 'irmen-accuracy': '', 'irmen-fidelity': '', 'irmen-training': '', trained: trainedNetworksMarkdown(), examples: '' };
  const at = (id: string): AccuracyResult => {
    const r = f.results.find((x) => x.id === id);
    if (r === undefined) throw new Error(`docs/accuracy.json has no result '${id}': run spinarch figures --evaluate`);
    return r;
  };
  const irmen = (l: number, b: number): AccuracyResult => at(`irmen/${l}nm/${b}bit`);
  const eight = FM_LENGTHS.map((l) => irmen(l, 8));
  const four = FM_LENGTHS.map((l) => irmen(l, 4));
  const err = eight.map((r) => r.figures['transfer_error_mean'] ?? 0);
  const cmd = (file: string, ...sets: string[]): string => `spinarch eval scenarios/${file}${sets.map((s) => ` --set ${s.replace(/=(.* .*)$/, "='$1'")}`).join('')}`;
  const rows: string[][] = [];
  const byLength = (rs: readonly AccuracyResult[]): string => rs.map((r, i) => `${FM_LENGTHS[i]} nm: ${pct(r.accuracy)}`).join(', ');
  const maap = MAAP_BITS.map((b) => at(`maap/${b}bit`));
  const maapR = MAAP_R.map((r) => (r === 16 ? at('maap/4bit') : at(`maap/4bit/R${r}`)));
  const yes = (b: boolean): string => (b ? 'yes' : 'NO');
  rows.unshift(
    ['IRMEN: accuracy vs FM length (8-bit weights)', '000 Fig. 7b', 'rises with FM length (thermal stability)', `${byLength(eight)}; rises: ${yes(monotone(eight.map((r) => r.accuracy.rate), true))}`, cmd('irmen-dual-cenn.yaml', 'params.irmen.fm_length=17 nm')],
    ['IRMEN: transfer-function error vs FM length', '000 Fig. 4a, 7d', 'falls as FM length rises; accuracy falls as it grows', `${err.map((e, i) => `${FM_LENGTHS[i]} nm: ${e.toFixed(3)}`).join(', ')}; falls: ${yes(monotone(err, false))}; accuracy falls as error grows: ${yes(fallsWith(err, eight.map((r) => r.accuracy.rate)))}`, cmd('irmen-dual-cenn.yaml', 'params.irmen.fm_length=17 nm')],
    ['IRMEN: accuracy vs energy per image (8-bit)', '000 Fig. 7c', 'more energy (longer magnets), more accuracy', eight.map((r) => `${formatSI(r.energy_j ?? 0, 'J')}: ${pct(r.accuracy)}`).join(', '), cmd('irmen-dual-cenn.yaml', 'params.irmen.fm_length=60 nm')],
    ['IRMEN: 4-bit weights', '000 Fig. 8', 'clearly lower at short magnets; "still quite good for lengths above 30 nm"', `${byLength(four)}; below 8-bit by ${FM_LENGTHS.map((_, i) => `${(100 * (eight[i]!.accuracy.rate - four[i]!.accuracy.rate)).toFixed(1)}`).join(', ')} points`, cmd('irmen-dual-cenn.yaml', 'params.ota.weight_bits=4')],
    ['IRMEN: without thermal noise (30 nm, 8-bit)', 'spinarch', 'the network as trained, on the hardware without noise', withCi(at('irmen/30nm/8bit/noiseless').accuracy), cmd('irmen-dual-cenn.yaml', 'params.irmen.noise_scale=0')],
    ['Charge CeNN: accuracy of the same network', 'spinarch (Lou et al.)', 'not given in the seeds', withCi(at('charge').accuracy), cmd('charge-cenn.yaml')],
    ['MAAP-CNN: accuracy vs bits (R = 16)', '003 Fig. 6a', 'about 90 % at 4 bits rising to about 95 % at 32 bits', `${maap.map((r, i) => `${MAAP_BITS[i]} bits: ${withCi(r.accuracy)}`).join(', ')}; ideal devices, no noise: ${MAAP_BITS.map((b) => `${b} bits: ${pct(at(`maap/${b}bit/ideal`).accuracy)}`).join(', ')}`, cmd('maap-cnn-32bit.yaml')],
    ['MAAP-CNN: accuracy vs redundancy R (4 bits)', '003 Fig. 6b', 'R = 1 clearly worse; a modest R recovers almost all', `with the trim: ${maapR.map((r, i) => `R = ${MAAP_R[i]}: ${pct(r.accuracy)}`).join(', ')}; without it: R = 1: ${pct(at('maap/4bit/R1/notrim').accuracy)}, R = 16: ${pct(at('maap/4bit/notrim').accuracy)}; without thermal noise (R = 16): ${pct(at('maap/4bit/nothermal').accuracy)}; ideal devices, no noise: ${pct(at('maap/4bit/ideal').accuracy)}`, cmd('maap-cnn-4bit.yaml', 'params.maap.redundancy=1', 'params.maap.trim.enabled=false')],
    ['MAAP-CNN: threshold spread (4 bits, R = 16)', '003 Fig. 7', '0 mV and 20 mV about the same', `0 mV: ${withCi(at('maap/4bit/vt0').accuracy)}, 20 mV: ${withCi(at('maap/4bit/vt20').accuracy)}; 20 mV with a +-1 full-scale trim range: ${pct(at('maap/4bit/vt20/range1').accuracy)}`, cmd('maap-cnn-4bit.yaml', 'params.maap.variation.threshold_sigma=20 mV')],
    ['MAAP-CNN: weights quantized after float training (--quantize post) / during it (aware)', '003 Sec. 4.2', 'trained in TensorFlow, then quantized', MAAP_BITS.map((b, i) => `${b} bits: ${pct(at(`maap-post/${b}bit`).accuracy)} / ${pct(maap[i]!.accuracy)}`).join(', '), cmd('variants/maap-cnn-4bit-post.yaml')],
    ['MAAP-CNN: 4 bits, network trained for 32 bits', 'spinarch', 'seed 003 trained in TensorFlow, then quantized', withCi(at('maap/4bit/weights32').accuracy), cmd('maap-cnn-4bit.yaml', 'weights={file: scenarios/weights/maap-cnn-32bit.json}')],
    ['MAAP-CNN: accuracy vs energy per image', '003 Fig. 8', 'about 90 % at about 80 nJ (4 bits); 95 % at about 1000 nJ (32 bits)', maap.map((r, i) => `${MAAP_BITS[i]} bits: ${formatSI(r.energy_j ?? 0, 'J')}, ${pct(r.accuracy)}`).join('; '), cmd('maap-cnn-4bit.yaml')],
  );
  const sotPlain = at('sot/plain');
  const sot = at('sot');
  const mtjPlain = at('mtj/plain');
  const mtj = MTJS.map((n) => at(`mtj/N${n}`));
  const gap = (a: Accuracy, b: Accuracy): string => `${(100 * (a.rate - b.rate)).toFixed(2)} points`;
  rows.push(
    ['SOT-MLP 784x16x10: binarized network, plain arithmetic ("GPU") / SOT-MRAM hardware', '004 Sec. V-B, Fig. 6', '86.54 % / 85.56 % (gap 0.98 points)', `${withCi(sotPlain.accuracy)} / ${withCi(sot.accuracy)} (gap ${gap(sotPlain.accuracy, sot.accuracy)})`, `${cmd('sot-mlp.yaml')} [--plain]`],
    ['SOT-MLP: hardware with nominal devices (no RA or TMR0 spread)', 'spinarch', 'the devices\' nonlinearity alone', withCi(at('sot/nominal').accuracy), cmd('sot-mlp.yaml', 'params.device_variation={ra_sigma: 0, tmr0_sigma: 0}')],
    ['MTJ-MLP 400x16x16x10: accuracy vs MTJs per cell', '002 Fig. 6c', 'close to software from 4 MTJs per cell; clearly lower with 1 or 2', `float (plain arithmetic): ${pct(mtjPlain.accuracy)}; ${mtj.map((r, i) => `${MTJS[i]}: ${pct(r.accuracy)}`).join(', ')}`, cmd('mtj-mlp.yaml', 'params.cell.mtjs=4')],
  );
  const table = ['| figure | seed | published | spinarch (10,000 MNIST test images; 95 % CI) | command |', '| --- | --- | --- | --- | --- |', ...rows.map((r) => `| ${r[0]} | ${r[1]} | ${r[2]} | ${r[3]} | \`${r[4]}\` |`)].join('\n') + '\n';
  const grid = [
    `| FM length | read error: mean abs(readout - state) | energy per image | ${IRMEN_BITS.map((b) => (b === 16 ? '16 bits (ideal)' : `${b} bits`)).join(' | ')} |`,
    `| --- | --- | --- | ${IRMEN_BITS.map(() => '---').join(' | ')} |`,
    ...FM_LENGTHS.map((l, i) => `| ${l} nm | ${err[i]!.toFixed(3)} | ${formatSI(eight[i]!.energy_j ?? 0, 'J')} | ${IRMEN_BITS.map((b) => withCi(irmen(l, b).accuracy)).join(' | ')} |`),
  ].join('\n') + '\n';
  return { accuracy: table, 'irmen-accuracy': grid, 'irmen-fidelity': irmenFidelity(at), 'irmen-training': irmenTraining(at), trained: trainedNetworksMarkdown(), examples: examplesMarkdown(at) };
}

/** The ONNX examples' accuracy on their hardware and in plain arithmetic, with their size. */
function examplesMarkdown(at: (id: string) => AccuracyResult): string {
  return [
    '| model | design | multiply-accumulates per image | hardware (functional model: devices, variation, noise) | plain arithmetic (`--plain`) | command |',
    '| --- | --- | --- | --- | --- | --- |',
    ...EXAMPLES.map((e) => {
      const macs = networkMacs(loadCase(at(`examples/${e.name}`)).layers);
      return `| \`examples/${e.model}\` | ${e.design} | ${macs.toLocaleString('en-US')} | ${withCi(at(`examples/${e.name}`).accuracy)} | ${withCi(at(`examples/${e.name}/plain`).accuracy)} | \`spinarch eval examples/${e.file}\` |`;
    }),
  ].join('\n') + '\n';
}

/** The IRMEN read model at its two fidelities: the settled magnet, and the LLG with the magnet's own history. */
function irmenFidelity(at: (id: string) => AccuracyResult): string {
  const row = (label: string, id: string): string => {
    const r = at(id);
    const s = irmenScenario.parse(loadCase({ id, file: r.file, sets: r.sets }).raw.data);
    const stage = stageDelayOf(s);
    const d = irmenDynamicsOf(s.params.irmen, stage);
    const linear = { magnet: magnetOf(s.params.irmen), damping: d.damping, gamma: GAMMA_ELECTRON };
    const tau = `${(relaxationTime(0, linear) * 1e9).toFixed(2)} / ${(relaxationTime(0.9, linear) * 1e9).toFixed(2)} ns`;
    return `| ${label} | ${d.damping} | ${(stage / 1000).toFixed(2)} ns | ${tau} | ${((r.latency_ps ?? 0) / 1000).toFixed(1)} ns | ${formatSI(r.energy_j ?? 0, 'J')} | ${(r.figures['transfer_error_mean'] ?? 0).toFixed(4)} | ${withCi(r.accuracy)} | \`spinarch eval scenarios/${r.file}\` |`;
  };
  return [
    '| read model (30 nm, 8-bit) | Gilbert damping | stage delay | relaxation time tau at state 0 / 0.9 | latency per image | energy per image | mean abs(read - state) | accuracy (95 % CI) | command |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    row('settled magnet (`transfer: analytic`, the default)', 'irmen/30nm/8bit'),
    row('LLG, Table I damping, the paper\'s 1.5 ns stage', 'irmen/llg'),
    row('LLG, damped magnet (three tau fit in the stage)', 'irmen/llg-damped'),
    row('LLG, Table I damping, stage delay derived from the magnet', 'irmen/llg-derived'),
  ].join('\n') + '\n';
}

/** What noise-aware training buys, against FM length: no noise, the bundled weights under noise, the noise-aware ones. */
function irmenTraining(at: (id: string) => AccuracyResult): string {
  const clean = at('irmen/30nm/8bit/noiseless');
  const cleanAware = at('irmen-noise-aware/noiseless');
  return [
    '| FM length | energy per image | no noise, bundled weights | trained without noise (bundled) | noise-aware training | no noise, noise-aware weights |',
    '| --- | --- | --- | --- | --- | --- |',
    ...FM_LENGTHS.map((l) => `| ${l} nm | ${formatSI(at(`irmen/${l}nm/8bit`).energy_j ?? 0, 'J')} | ${pct(clean.accuracy)} | ${withCi(at(`irmen/${l}nm/8bit`).accuracy)} | ${withCi(at(`irmen-noise-aware/${l}nm`).accuracy)} | ${pct(cleanAware.accuracy)} |`),
  ].join('\n') + '\n';
}
