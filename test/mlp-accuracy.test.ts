import { describe, expect, it } from 'vitest';
import { mapLayer } from '../src/arch/mtj/mapping.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { programCell, drawCells } from '../src/components/mtj/synapse-array.js';
import { streamFor } from '../src/components/random.js';
import { mnistImages } from '../src/data/images.js';
import { loadMnist } from '../src/data/mnist.js';
import { WeightSource } from '../src/data/weights.js';
import { evaluateImages } from '../src/eval/pool.js';
import { mnistTrainData } from '../src/train/data.js';
import { trainNetwork } from '../src/train/trainer.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cli, syntheticMnist, tempFiles } from './helpers.js';

const dir = syntheticMnist({ test: 12, train: 300 }, 11);

describe('SOT-MRAM and serial-MTJ perceptrons: accuracy', () => {
  for (const [file, sets, images] of [
    ['sot-mlp', [], 12],
    ['mtj-mlp', ['params.monte_carlo_cells=0'], 4],
  ] as const) {
    it(`${file}: eval gives the event-level run's class and output voltages, image by image, with device variation on`, async () => {
      const s = loadScenario(`scenarios/${file}.yaml`, sets);
      const run = runScenario(s, { images, source: mnistImages(dir, 0, 'test', images) });
      const functional = await evaluateImages(s, { dir, set: 'test', from: 0, count: images, workers: 1 });
      for (let k = 0; k < images; k++) {
        expect(run.per_image[k]!.outputs).toEqual([...functional.outputs.subarray(10 * k, 10 * k + 10)]);
        expect(run.per_image[k]!.predicted).toBe(functional.predicted[k]);
      }
    });
  }

  it('the SOT crossbars vary device to device: nominal devices give other outputs', () => {
    const source = mnistImages(dir, 0, 'test', 1);
    const varied = runScenario(loadScenario('scenarios/sot-mlp.yaml'), { source });
    const nominal = runScenario(loadScenario('scenarios/sot-mlp.yaml', ['params.device_variation={ra_sigma: 0, tmr0_sigma: 0}']), { source });
    expect(varied.per_image[0]!.outputs).not.toEqual(nominal.per_image[0]!.outputs);
  });

  it('trains the SOT perceptron as seed 004 did: every student weight and bias in {-1, +1}', async () => {
    const s = loadScenario('scenarios/sot-mlp.yaml');
    const profile = s.design.training!(s.value, s.layers);
    expect(profile.teacher).toBe(true);
    const net = trainNetwork(profile, mnistTrainData(loadMnist(dir, 'train'), s.value.network.input), { epochs: 1, batch: 20, learningRate: 0.01, decay: 1, seed: 1 });
    for (const p of net.params) {
      for (const x of [...p.qw, ...p.qb]) expect(Math.abs(x)).toBe(1);
      // The teacher's real-valued copy stays within [-1, 1] (clipped after every update).
      for (const x of [...p.w, ...p.b]) expect(Math.abs(x)).toBeLessThanOrEqual(1);
    }
    const out = path.join(tempFiles({}), 'sot.json');
    const r = await cli('train', 'scenarios/sot-mlp.yaml', '--mnist', dir, '--epochs', '1', '--out', out);
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { layers: { weights: number[]; bias: number[] }[]; provenance: { epochs: unknown } };
    expect(written.provenance.epochs).toEqual({ teacher: 1, student: 1 });
    for (const l of written.layers) for (const x of [...l.weights, ...l.bias]) expect(Math.abs(x)).toBe(1);
  });

  it("maps each MTJ weight onto exactly its cell's own levels, and the cells reach them", () => {
    const s = loadScenario('scenarios/mtj-mlp.yaml', ['params.cell.mtjs=3']);
    const p = (s.value as unknown as { params: { cell: Parameters<typeof mapLayer>[5] } }).params.cell;
    const [rows, columns] = [3, 6];
    const lw = WeightSource.random(9).forLayer(0, [rows, columns - 1], rows);
    const cells = drawCells(rows * columns * 2, p, streamFor(1, 'cells'));
    const own = cells.map((c) => c.levelConductances(p.read_voltage));
    const { levels, wMax, span } = mapLayer(lw.weights, lw.bias, rows, columns, cells, p);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const i = (r * columns + c) * 2;
        const w = c < columns - 1 ? lw.weights[r * (columns - 1) + c]! : lw.bias[r]!;
        const [active, partner] = w >= 0 ? [i, i + 1] : [i + 1, i];
        expect(levels[partner]).toBe(3);
        // The active cell's level is the one of its own four whose conductance above its partner's is nearest the target.
        const errors = [...own[active]!].map((g) => Math.abs(g - own[partner]![3]! - (Math.abs(w) / wMax) * span));
        expect(errors[levels[active]!]).toBe(Math.min(...errors));
      }
    }
    // Programmed by pulse-and-verify, each cell reads at exactly its level's own conductance.
    cells.forEach((cell, i) => {
      expect(programCell(cell, levels[i]!, p).reached).toBe(true);
      expect(1 / cell.readResistance(p.read_voltage)).toBeCloseTo(own[i]![levels[i]!]!, 12);
    });
  });

  it('reports cells that fail to program, in both modes', async () => {
    const sets = ['params.monte_carlo_cells=0', 'params.cell.program.max_voltage=3.2 V'];
    const s = loadScenario('scenarios/mtj-mlp.yaml', sets);
    const run = runScenario(s, { images: 1, source: mnistImages(dir, 0, 'test', 1) });
    const failed = (run['programming'] as { failed: number }).failed;
    expect(failed).toBeGreaterThan(0);
    const functional = await evaluateImages(s, { dir, set: 'test', from: 0, count: 1, workers: 1 });
    expect([...functional.outputs.subarray(0, 10)]).toEqual(run.per_image[0]!.outputs);
  });
});
