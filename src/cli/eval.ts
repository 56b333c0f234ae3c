import { loadScenario } from '../arch/scenario.js';
import { loadMnist, type MnistSetName } from '../data/mnist.js';
import { evaluateScenario, type EvalReport } from '../eval/evaluate.js';
import { formatAccuracy, formatArea, formatConfusion, joules, render, seconds } from './format.js';
import type { CliIo } from './io.js';
import { mnistDir } from './input.js';
import { progressBar } from './progress.js';

export interface EvalCommandOptions {
  readonly mnist?: string | true;
  readonly mnistSet: MnistSetName;
  readonly from: number;
  readonly images?: number;
  readonly workers: number;
  readonly json?: boolean;
  readonly perImage?: boolean;
  readonly plain?: boolean;
  readonly chips?: number;
  readonly set: readonly string[];
}

const pctOf = (rate: number): string => `${(100 * rate).toFixed(2)} %`;

/** The readable form of `spinarch eval`. */
export function formatEval(r: EvalReport): string {
  const out: string[] = [`${r.title}: ${r.scenario} (${r.model === 'plain' ? 'the trained network in plain arithmetic' : 'functional model'}, ${r.data}; seed ${r.seed})\n`];
  for (const w of r.warnings ?? []) out.push(`WARNING: ${w}\n`);
  const f = r.first_image;
  const rows: string[][] = [
    ['images', String(r.images)],
    [r.chips === undefined ? 'accuracy' : `accuracy, pooled over ${r.chips.count} chips`, r.accuracy === undefined ? 'no labels' : formatAccuracy(r.accuracy)],
    ...(r.chips === undefined
      ? []
      : [
          ['chip to chip', `mean ${pctOf(r.chips.mean)}, sd ${(100 * r.chips.sd).toFixed(2)} points, ${pctOf(r.chips.min)} to ${pctOf(r.chips.max)}`],
          ...r.chips.accuracy.map((a, k) => [`chip ${r.chips!.first + k}`, pctOf(a)]),
        ]),
    ...Object.entries(r.figures).map(([k, v]) => [k, v.toPrecision(4)]),
    [`per image (event level, ${f.source})`, `${seconds(f.latency_ps)}, ${joules(f.energy_j)}`],
    ...(f.area_m2 === undefined ? [] : [['chip area', formatArea(f.area_m2)]]),
    ...(f.classifier_energy_j === undefined ? [] : [['classifier head', `${joules(f.classifier_energy_j)}, ${seconds(f.classifier_latency_ps ?? 0)}${f.classifier_counted === true ? ', included above' : ", not in the totals above (the seeds' scope)"}`]]),
  ];
  out.push(render([['', 'value'], ...rows], [1]));
  if (r.confusion !== undefined) out.push(formatConfusion(r.confusion));
  return out.join('');
}

/**
 * `spinarch eval`: accuracy of a scenario over MNIST with its functional model on all cores,
 * and the event-level cost of its first image.
 */
export async function evalCommand(file: string, o: EvalCommandOptions, io: CliIo): Promise<EvalReport> {
  const scenario = loadScenario(file, o.set);
  const dir = mnistDir(o.mnist);
  const started = Date.now();
  const chips = o.chips ?? 1;
  const bar = progressBar(io, `evaluating ${scenario.name}`, chips * (o.images ?? loadMnist(dir, o.mnistSet).count - o.from), 'images');
  let report: EvalReport;
  try {
    report = await evaluateScenario(scenario, {
      dir,
      set: o.mnistSet,
      from: o.from,
      ...(o.images === undefined ? {} : { count: o.images }),
      workers: o.workers,
      perImage: o.perImage === true,
      plain: o.plain === true,
      chips,
      onProgress: (done) => bar.update(done),
    });
  } finally {
    bar.stop();
  }
  if (io.errIsTty) {
    const s = (Date.now() - started) / 1000;
    io.err(`${report.images} images in ${s.toFixed(1)} s (${(report.images / s).toFixed(0)} images/s, ${o.workers} worker${o.workers === 1 ? '' : 's'})\n`);
  }
  io.out(o.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatEval(report));
  return report;
}
