/**
 * The LLG Monte Carlo of seed 000 (Sec. III): 12,300 iterations for each of five magnet
 * lengths, on every core, as `spinarch device irmen` runs it; prints its wall time as JSON.
 *
 *   npm run bench:llg
 *   npm run bench:llg -- --workers 1
 */
import { parseArgs } from 'node:util';
import { irmenScenario, stageDelayOf } from '../src/arch/cenn/irmen-dual-cenn.js';
import { loadScenario } from '../src/arch/scenario.js';
import { DEFAULT_LENGTHS_NM, PAPER_ITERATIONS, characterizeIrmen } from '../src/device/irmen-transfer.js';
import { defaultWorkers } from '../src/workers/threads.js';

const { values } = parseArgs({ options: { workers: { type: 'string' }, iterations: { type: 'string' } } });
const workers = Number(values.workers ?? defaultWorkers());
const iterations = Number(values.iterations ?? PAPER_ITERATIONS);
const v = irmenScenario.parse(loadScenario('scenarios/irmen-dual-cenn.yaml').raw.data);
const t0 = performance.now();
const r = await characterizeIrmen('irmen-dual-cenn', v.seed, v.params.irmen, stageDelayOf(v), { lengthsNm: DEFAULT_LENGTHS_NM, iterations, workers });
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ bench: 'llg', lengths: DEFAULT_LENGTHS_NM.length, iterations_per_length: iterations, workers, seconds: Number(seconds.toFixed(1)), iterations_per_s: Math.round((iterations * DEFAULT_LENGTHS_NM.length) / seconds), mean_abs_error: r.lengths.map((l) => Number(l.mean_abs_error.toFixed(4))) }));
