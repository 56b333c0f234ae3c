import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitImage, syntheticDigit } from '../src/data/images.js';
import type { RunReport } from '../src/arch/report.js';
import { runScenario } from '../src/arch/runner.js';
import { loadScenario } from '../src/arch/scenario.js';
import { WeightSource } from '../src/data/weights.js';
import { pairSums } from '../src/components/maap/maap-set.js';
import { chipSets } from '../src/components/maap/maap-array.js';
import { setModel, setOutput } from '../src/components/maap/set-response.js';
import { nominalActivation, designPair } from '../src/components/maap/maap-circuit.js';
import { sramAccessOf } from '../src/components/memory/sram.js';

const run = (file: string, ...sets: string[]): RunReport => runScenario(loadScenario(`scenarios/${file}`, sets));
const energy = (r: RunReport, ...actions: string[]): number => r.energy_breakdown.filter((l) => actions.includes(l.action)).reduce((a, l) => a + l.energy_j, 0);
const near = (x: number, target: number, tolerance: number): void => {
  expect(Math.abs(x - target) / target).toBeLessThan(tolerance);
};

describe('maap-cnn (seed 003)', () => {
  const four = run('maap-cnn-4bit.yaml');

  it('counts what Table 1 counts, from the network', () => {
    expect(four.counts).toMatchObject({ maap_outputs: 3904, maap_ops: 3904 * 16, adc_conversions: 3904, multiplies: 3088, memory_accesses: 85328 });
    expect(four['count_rule']).toEqual({ outputs: 3904, inputReads: 3088, multiplies: 3088, weightReads: 2304 * 9 + 1600 * 36, outputWrites: 3904, memoryAccesses: 85328 });
    // Traffic in bits: every access moves one b-bit word.
    expect(four.traffic).toEqual({ reads: 85328 - 3904, writes: 3904, bits_read: 4 * (85328 - 3904), bits_written: 4 * 3904 });
  });

  // Eq. 2 counts Table 1's operations; the trim currents (the mean-error correction) come on top.
  const eq2 = (r: RunReport): number => r.energy_j - energy(r, 'trim_current');

  it('spends 80.6 nJ at 4 bits and 964 nJ at 32 bits (R = 16, analog averaging), plus its trim currents', () => {
    near(eq2(four), 80.6e-9, 0.02);
    near(eq2(run('maap-cnn-32bit.yaml')), 964e-9, 0.02);
    // The trims' currents: a few percent at 4 bits, growing with the threshold spread (Fig. 4b).
    const trim = energy(four, 'trim_current');
    expect(trim / four.energy_j).toBeGreaterThan(0.005);
    expect(trim / four.energy_j).toBeLessThan(0.1);
    expect(energy(run('maap-cnn-4bit.yaml', 'params.maap.variation.threshold_sigma=20 mV'), 'trim_current')).toBeGreaterThan(1.2 * trim);
    expect(energy(run('maap-cnn-4bit.yaml', 'params.maap.trim.enabled=false'), 'trim_current')).toBe(0);
    // Each part is its count times its cost: 0.225 pJ/bit per measurement, 41.8 fJ/bit per access, ...
    near(energy(four, 'maap_op', 'ota_drive'), 3904 * 16 * 0.9e-12, 1e-9);
    near(energy(four, 'sram_read', 'sram_write'), 85328 * 4 * 41.8e-15, 1e-9);
    near(energy(four, 'multiply'), 3088 * 16 * 125.4e-15, 1e-9);
    near(energy(four, 'adc_conversion'), 3904 * 1e-12, 1e-9);
  });

  it('spends 79.8 nJ (b = 4, R = 8) and 1023 nJ (b = 32, R = 16) when each measurement is converted', () => {
    const small = run('maap-cnn-4bit.yaml', 'params.maap.redundancy=8', 'params.maap.averaging=digital');
    expect(small.counts['adc_conversions']).toBe(3904 * 8);
    near(eq2(small), 79.8e-9, 0.02);
    const big = run('maap-cnn-32bit.yaml', 'params.maap.averaging=digital');
    expect(big.counts['adc_conversions']).toBe(3904 * 16);
    near(eq2(big), 1023e-9, 0.02);
  });

  it('is dominated by memory and digital multiplies per operation (Fig. 4a, R = 1), and at 32 bits even with R = 16', () => {
    for (const file of ['maap-cnn-4bit.yaml', 'maap-cnn-8bit.yaml', 'maap-cnn-32bit.yaml']) {
      const r = run(file, 'params.maap.redundancy=1');
      expect(energy(r, 'sram_read', 'sram_write', 'multiply') / r.energy_j).toBeGreaterThan(0.5);
    }
    const big = run('maap-cnn-32bit.yaml');
    expect(energy(big, 'sram_read', 'sram_write', 'multiply') / big.energy_j).toBeGreaterThan(0.5);
  });

  it('gets no slower with more sets, until the SRAM ports saturate', () => {
    const m1 = run('maap-cnn-4bit.yaml', 'params.maap.sets=1', 'params.maap.redundancy=1');
    const sweep = [16, 64, 256, 3904].map((m) => run('maap-cnn-4bit.yaml', `params.maap.sets=${m}`));
    const latencies = [m1, ...sweep].map((r) => r.latency_ps);
    for (let i = 1; i < latencies.length; i++) expect(latencies[i]!).toBeLessThanOrEqual(latencies[i - 1]!);
    expect(latencies[2]!).toBeLessThan(0.5 * latencies[1]!);
    expect(m1['busiest']).toBe('maap_sets');
    expect(sweep[3]!['busiest']).toBe('sram_ports');
    expect((sweep[3]!['utilization'] as Record<string, number>)['sram_ports']).toBeGreaterThan(0.85);
    // Eq. 2's energy does not depend on how many sets there are (seed 003 Sec. 4.1); the trim
    // currents do a little: other sets, other devices, other trims.
    for (const r of sweep) {
      near(eq2(r), eq2(four), 1e-12);
      near(r.energy_j, four.energy_j, 0.01);
    }
  });

  it('refuses fewer sets than the redundancy needs', () => {
    expect(() => run('maap-cnn-4bit.yaml', 'params.maap.sets=8')).toThrow(/R = 16 distinct sets, but there are only 8/);
  });

  it('maps another network by the same rule (hand-derived counts)', () => {
    // 16x16x1 -> conv 5x5, 2 templates -> 12x12x2 -> ReLU -> pool 2/2 -> 6x6x2 (72 outputs)
    // -> conv 3x3 over 2 maps, 3 templates -> 4x4x3 -> ReLU (48 outputs, no pooling).
    const r = run(
      'maap-cnn-4bit.yaml',
      'weights=random',
      'network.input=[16, 16, 1]',
      'network.layers=[{type: conv, kernel: 5, templates: 2}, {type: relu}, {type: maxpool, size: 2, stride: 2}, {type: conv, kernel: 3, templates: 3}, {type: relu}, {type: dense, outputs: 10}]',
      'params.maap.redundancy=4',
    );
    const outputs = 72 + 48;
    const inputs = 256 + 72;
    const weightReads = 72 * 25 + 48 * 18;
    expect(r.counts).toMatchObject({ maap_outputs: outputs, maap_ops: 4 * outputs, adc_conversions: outputs, multiplies: inputs, memory_accesses: weightReads + outputs + inputs });
    expect(r.counts['memory_accesses']).toBe(3112);
  });

  it('measures each output on R distinct sets, and averaging shrinks the error', () => {
    const single = run('maap-cnn-4bit.yaml', 'params.maap.redundancy=1');
    const e1 = single['errors'] as { measurement_rms: number; output_rms: number };
    const e16 = four['errors'] as { measurement_rms: number; output_rms: number };
    expect(e1.output_rms).toBeCloseTo(e1.measurement_rms, 12);
    // Averaging shrinks the spread, not the bias (the winner-take-all's pick of the highest noisy pair reads high).
    expect(e16.output_rms).toBeLessThan(0.8 * e16.measurement_rms);
    expect(e16.measurement_rms).toBeGreaterThan(0.01);
    const none = run('maap-cnn-4bit.yaml', 'params.maap.variation={resistance_sigma: 0, tmr_sigma: 0, critical_current_sigma: 0, threshold_sigma: 0 V}', 'params.maap.thermal_noise=false');
    expect((none['errors'] as { measurement_rms: number }).measurement_rms).toBeLessThan(1e-12);
  });

  it('carries real values: without variation, the outputs in SRAM are what a plain CNN computes', () => {
    const weights = WeightSource.random(2020);
    const bits = 16;
    const q = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * (2 ** bits - 1)) / (2 ** bits - 1);
    // The nominal pair's activation (the circuit's ReLU, saturating at full scale).
    const act = nominalActivation(designPair({ tmr: 1.5, supply: 0.8, overdrive: 0.25 }));
    const layer = (input: Float64Array[], size: number, index: number): Float64Array[] => {
      const lw = weights.forLayer(index, [4, input.length, 3, 3], 4);
      const max = lw.weights.reduce((m, w) => Math.max(m, Math.abs(w)), 0);
      const scale = max / (2 ** (bits - 1) - 1);
      const w = lw.weights.map((x) => Math.round(x / scale) * scale);
      const conv = size - 2;
      const out = conv - 2;
      return Array.from({ length: 4 }, (_, k) => {
        const o = new Float64Array(out * out);
        for (let y = 0; y < out; y++)
          for (let x = 0; x < out; x++) {
            let best = 0;
            for (let py = 0; py < 3; py++)
              for (let px = 0; px < 3; px++) {
                let s = lw.bias[k]!;
                for (let j = 0; j < input.length; j++) for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) s += w[((k * input.length + j) * 3 + dy) * 3 + dx]! * input[j]![(y + py + dy) * size + x + px + dx]!;
                best = Math.max(best, s);
              }
            o[y * out + x] = q(act(best));
          }
        return o;
      });
    };
    const image = fitImage(syntheticDigit(7), [28, 28, 1]).map(q);
    const expected = layer(layer([image], 28, 0), 24, 3).flatMap((a) => [...a]);
    const written = new Map<number, number>();
    runScenario(loadScenario('scenarios/maap-cnn-4bit.yaml', ['weights=random', 'params.bits=16', 'params.maap.variation={resistance_sigma: 0, tmr_sigma: 0, critical_current_sigma: 0, threshold_sigma: 0 V}', 'params.maap.thermal_noise=false']), {
      // Op names (which output a write is) are built only when something traces.
      tracing: true,
      attach: (sim) =>
        sim.bus.topic(sramAccessOf('sram')).listen((a) => {
          const m = /^L2\/out\[(\d+)\]$/.exec(a.op ?? '');
          if (a.kind === 'write' && m !== null) written.set(Number(m[1]), a.value! / (2 ** bits - 1));
        }),
    });
    expect(written.size).toBe(1600);
    let worst = 0;
    expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(written.get(i)! - v))));
    expect(worst).toBeLessThan(1e-3);
    expect(Math.max(...expected)).toBeGreaterThan(0.1);
  });
});

describe('the template buffer (params.template_buffer)', () => {
  it('reads each template word once per image, delivers every output its words, and frees the SRAM ports', () => {
    const four = run('maap-cnn-4bit.yaml');
    const buffered = run('maap-cnn-4bit.yaml', "params.template_buffer.energy_per_bit=41.8 fJ");
    // 3,088 input reads, and the 4 x 9 + 4 x 36 template words once each (not per output).
    expect(buffered.traffic.reads).toBe(3088 + 4 * 9 + 4 * 36);
    expect(buffered.counts['template_broadcast']).toBe(2304 * 9 + 1600 * 36);
    // At the SRAM's energy per bit, memory costs what Eq. 2 counts plus the 180 words' one read into the buffer.
    near(energy(buffered, 'sram_read', 'sram_write', 'template_broadcast'), energy(four, 'sram_read', 'sram_write') + 180 * 4 * 41.8e-15, 1e-9);
    // The same chip computes the same image.
    expect(buffered.per_image[0]!.outputs).toEqual(four.per_image[0]!.outputs);
    // 64 sets and 16 banks: the ports were the limit (70 %); with the buffer the sets are.
    expect(four['busiest']).toBe('sram_ports');
    expect(buffered['busiest']).toBe('maap_sets');
    expect(buffered.latency_ps).toBeLessThan(0.6 * four.latency_ps);
    // The sets alone need 3,904 outputs x 16 measurements x 0.6 ns over 64 sets: a floor.
    expect(buffered.latency_ps).toBeGreaterThan((3904 * 16 * 600) / 64);
  });
});

describe('MAAP set', () => {
  const scenario = loadScenario('scenarios/maap-cnn-4bit.yaml');
  const maap = (scenario.value as unknown as { params: { maap: Parameters<typeof chipSets>[0] } }).params.maap;
  const model = setModel(maap.circuit, 9, false);

  it('draws its devices once per chip, from its own stream: the same seed and chip give the same set, another chip another', () => {
    const a = chipSets(maap, model, 1, 0);
    const b = chipSets(maap, model, 1, 0);
    const c = chipSets(maap, model, 1, 1);
    expect(Array.from(a[3]!.packed)).toEqual(Array.from(b[3]!.packed));
    expect(Array.from(a[3]!.packed)).not.toEqual(Array.from(a[4]!.packed));
    expect(Array.from(a[3]!.packed)).not.toEqual(Array.from(c[3]!.packed));
    // The trim leaves each pair within a few trim steps of nominal at the calibration input.
    const lsb = maap.trim.range / 2 ** (maap.trim.bits - 1);
    const worst = Math.max(...a.flatMap((s) => Array.from(s.residuals).map(Math.abs)));
    expect(worst).toBeLessThan(0.3);
    const typical = Math.sqrt(a.flatMap((s) => Array.from(s.residuals)).reduce((t, r) => t + r * r, 0) / (a.length * 9));
    expect(typical).toBeLessThan(3 * lsb);
  });

  it('a large chip keeps its calibration on disk, and reading it back gives the very sets calibration made', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spinarch-trim-'));
    const before = process.env['SPINARCH_CACHE'];
    process.env['SPINARCH_CACHE'] = dir;
    try {
      const big = { ...maap, sets: 1024 };
      const noisy = setModel(maap.circuit, 9, true);
      const made = chipSets(big, noisy, 7, 0);
      expect(readdirSync(path.join(dir, 'maap-trim'))).toHaveLength(1);
      const read = chipSets(big, noisy, 7, 0);
      for (const i of [0, 511, 1023]) {
        expect(Array.from(read[i]!.packed)).toEqual(Array.from(made[i]!.packed));
        expect(Array.from(read[i]!.residuals)).toEqual(Array.from(made[i]!.residuals));
      }
      // Another chip is calibrated, not read.
      expect(Array.from(chipSets(big, noisy, 7, 1)[0]!.trimCodes)).not.toEqual(Array.from(made[0]!.trimCodes));
      expect(readdirSync(path.join(dir, 'maap-trim'))).toHaveLength(2);
    } finally {
      if (before === undefined) delete process.env['SPINARCH_CACHE'];
      else process.env['SPINARCH_CACHE'] = before;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the winner-take-all reads the largest pair, and a negative input reads zero on a nominal set', () => {
    const sets = chipSets({ ...maap, variation: { resistance_sigma: 0, tmr_sigma: 0, critical_current_sigma: 0, threshold_sigma: 0 }, trim: { ...maap.trim, enabled: false } }, model, 1, 0);
    const sums = Float64Array.of(-0.5, 0.3, 0.7, 0.1, -1, 0, 0.2, 0.65, 0.05);
    expect(setOutput(model, sets[0]!, sums, 9, undefined, 0)).toBeCloseTo(model.nominal(0.7), 12);
    expect(setOutput(model, sets[0]!, new Float64Array(9).fill(-0.3), 9, undefined, 0)).toBe(0);
  });

  it('sums the pooling window: one conv sum per activation pair', () => {
    // 1 map, 1x1 kernel, 2x2 pool: the patch is 2x2 and each conv output is w * x + b.
    const sums = new Float64Array(4);
    expect(pairSums({ geometry: { maps: 1, kernel: 1, convStride: 1, pool: 2, patch: 2 }, inputs: Float64Array.of(0.1, 0.7, 0.3, 0.2), weights: Float64Array.of(0.5), bias: 0.05 }, sums)).toBe(4);
    expect(Array.from(sums)).toEqual([0.05 + 0.5 * 0.1, 0.05 + 0.5 * 0.7, 0.05 + 0.5 * 0.3, 0.05 + 0.5 * 0.2]);
  });
});

describe('the output ADC rounding (params.adc.rounding)', () => {
  it('nearest puts a value on its closest code, truncate on the one below: half an LSB lower on average', async () => {
    const { toCode } = await import('../src/components/converters/quantize.js');
    // 4 bits, unipolar: 15 steps of 1/15.
    expect(toCode(0.49 / 15, 4, 'unipolar')).toBe(0);
    expect(toCode(0.51 / 15, 4, 'unipolar')).toBe(1);
    expect(toCode(0.99 / 15, 4, 'unipolar', 'truncate')).toBe(0);
    expect(toCode(1, 4, 'unipolar', 'truncate')).toBe(15);
    let gap = 0;
    for (let i = 0; i < 1000; i++) gap += toCode((i + 0.5) / 1000, 4, 'unipolar') - toCode((i + 0.5) / 1000, 4, 'unipolar', 'truncate');
    expect(gap / 1000).toBeCloseTo(0.5, 1);
  });

  it('a truncating ADC runs the same in both modes, and its codes reach the outputs', async () => {
    const { evaluateScenario } = await import('../src/eval/evaluate.js');
    const { evaluateImages } = await import('../src/eval/pool.js');
    const { bundledMnistDir } = await import('../src/data/mnist.js');
    const dir = bundledMnistDir();
    const scenario = (rounding: string) => loadScenario('scenarios/maap-cnn-4bit.yaml', [`params.adc.rounding=${rounding}`]);
    // evaluateScenario checks the first image against an event-level run (the Adc block) too.
    expect((await evaluateScenario(scenario('truncate'), { dir, set: 'test', from: 0, count: 1, workers: 1 })).images).toBe(1);
    const outputs = async (rounding: string) => (await evaluateImages(scenario(rounding), { dir, set: 'test', from: 0, count: 30, workers: 1 })).outputs;
    // Half an LSB lower on every code: every image's class scores move.
    const [truncated, nearest] = [await outputs('truncate'), await outputs('nearest')];
    expect(truncated).toHaveLength(nearest.length);
    for (let k = 0; k < nearest.length; k++) expect(truncated[k], `image ${k}`).not.toEqual(nearest[k]);
  }, 60_000);
});
