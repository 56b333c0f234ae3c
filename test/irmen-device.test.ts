import { describe, expect, it } from 'vitest';
import { CellDynamics, type CellDynamicsParams } from '../src/components/irmen/cell-dynamics.js';
import { thermalSpread, type MagnetParams } from '../src/components/irmen/magnet.js';
import { streamFor } from '../src/components/random.js';
import { characterizeIrmen } from '../src/device/irmen-transfer.js';
import { loadScenario } from '../src/arch/scenario.js';
import { cellSettingOf, irmenScenario, stageDelayOf } from '../src/arch/cenn/irmen-dual-cenn.js';

/** Table I's magnet at a given length. */
const magnet = (nm: number, temperature = 300): MagnetParams => ({ length: nm * 1e-9, crossSection: 90e-18, anisotropy: 4.5e4, saturationMagnetization: 1.7e6, temperature });
const cell = (nm: number, over: Partial<CellDynamicsParams> = {}): CellDynamicsParams => ({ magnet: magnet(nm), damping: 0.01, stageTime: 1.5e-9, readPulse: 200e-12, readRc: 50e-12, timeStep: 0.25e-12, ...over });

describe('the IRMEN cell from the LLG macrospin', () => {
  it('at rest, the hard-axis field sets m_x = H / H_sat and saturates beyond: the saturated-linear transfer function', () => {
    // Near zero temperature and a long stage: the statics of the energy that defines H_sat.
    const c = new CellDynamics(cell(30, { magnet: magnet(30, 1e-6), stageTime: 40e-9, damping: 0.05 }));
    const zero = (): number => 0;
    for (const u of [-1.3, -0.6, 0.25, 0.5, 0.9, 1.4]) expect(c.iterate(0, u, zero)).toBeCloseTo(Math.max(-1, Math.min(1, u)), 3);
  });

  it('thermal agitation spreads the readout as equipartition says, sqrt(kT / (2 K_eff V)), when the read does not average', () => {
    for (const nm of [17, 60]) {
      const c = new CellDynamics(cell(nm, { readRc: 0.25e-12, readPulse: 0.25e-12, stageTime: 3e-9 }));
      const rng = streamFor(3, `spread/${nm}`);
      const normal = (): number => rng.normal();
      const xs = Array.from({ length: 400 }, () => c.iterate(0.3, 0.3, normal));
      const mean = xs.reduce((a, b) => a + b) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
      expect(mean).toBeCloseTo(0.3, 1);
      // 400 samples: the sd is known to about 4 %.
      expect(sd / thermalSpread(magnet(nm))).toBeGreaterThan(0.85);
      expect(sd / thermalSpread(magnet(nm))).toBeLessThan(1.15);
    }
  }, 30_000);

  it('settles in a time set by the damping: twice the damping, about half the time', () => {
    const slow = new CellDynamics(cell(30, { damping: 0.01 })).settlingTime(-0.9, 0.9, 0.05);
    const fast = new CellDynamics(cell(30, { damping: 0.02 })).settlingTime(-0.9, 0.9, 0.05);
    expect(slow).toBeGreaterThan(1e-9);
    expect(fast / slow).toBeGreaterThan(0.4);
    expect(fast / slow).toBeLessThan(0.6);
  });

  it('spinarch device irmen: the error falls with magnet length, and the report does not depend on the threads', async () => {
    const s = loadScenario('scenarios/irmen-dual-cenn.yaml');
    const v = irmenScenario.parse(s.raw.data);
    const one = await characterizeIrmen('x', v.seed, v.params.irmen, stageDelayOf(v), { lengthsNm: [17, 60], iterations: 300, workers: 1 });
    const two = await characterizeIrmen('x', v.seed, v.params.irmen, stageDelayOf(v), { lengthsNm: [17, 60], iterations: 300, workers: 2 });
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    const [short, long] = one.lengths;
    expect(short!.mean_abs_error).toBeGreaterThan(2 * long!.mean_abs_error);
    expect(short!.transfer.reduce((a, b) => a + b.n, 0)).toBe(300);
    expect(short!.error_histogram.counts.reduce((a, b) => a + b, 0)).toBe(300);
    expect(short!.settling_ps.full_scale).toBeGreaterThan(long!.settling_ps.full_scale);
  }, 60_000);
});

describe('transfer: llg, the IRMEN bank reading through the LLG table', () => {
  it('the table rises with the stored state and is odd about 0, as the magnet is; run and eval agree on it', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    process.env['SPINARCH_CACHE'] = mkdtempSync(path.join(tmpdir(), 'spinarch-cache-'));
    const { cellReadOf } = await import('../src/components/irmen/irmen-bank.js');
    const { runScenario } = await import('../src/arch/runner.js');
    const { evaluateImages } = await import('../src/eval/pool.js');
    const { bundledMnistDir } = await import('../src/data/mnist.js');
    const { mnistImages } = await import('../src/data/images.js');
    const sets = ['params.irmen.transfer=llg', 'params.irmen.fm_length=60 nm'];
    const s = loadScenario('scenarios/irmen-dual-cenn.yaml', sets);
    const v = irmenScenario.parse(s.raw.data);
    const read = cellReadOf(v.params.irmen, cellSettingOf(v, stageDelayOf(v)), v.seed);
    if (read.kind !== 'llg') throw new Error('expected an LLG table');
    const { mean, sd, previous, states, span } = read.table;
    const drive = (j: number, n: number): number => -span + (2 * span * j) / (n - 1);
    // From a magnet that held 0, the read rises with the new drive (to Monte Carlo error).
    const zero = (previous - 1) / 2;
    expect(drive(zero, previous)).toBe(0);
    for (let j = 1; j < states; j++) expect(mean[zero * states + j]!, `state ${drive(j, states)}`).toBeGreaterThan(mean[zero * states + j - 1]! - 0.02);
    // A magnet saturated along +x sits at an energy maximum when the drive turns slightly
    // negative: only damping pulls it off (growth rate ~ alpha gamma mu0 H_sat), so at
    // alpha = 0.01 it is still near +x when read, where a magnet that held 0 reads the new state.
    const at = (p: number, u: number): number => mean[Math.round(((p + span) / (2 * span)) * (previous - 1)) * states + Math.round(((u + span) / (2 * span)) * (states - 1))]!;
    expect(at(span, -0.1)).toBeGreaterThan(0.5);
    expect(at(0, -0.1)).toBeLessThan(0);
    // The magnet has no preferred sign along its hard axis: m(-p, -u) = -m(p, u), to Monte Carlo error.
    const { TABLE_ITERATIONS } = await import('../src/components/irmen/read-table.js');
    for (let i = 0; i < previous; i++) {
      for (let j = 0; j < states; j++) {
        const [a, b] = [i * states + j, (previous - 1 - i) * states + states - 1 - j];
        const error = Math.hypot(sd[a]!, sd[b]!) / Math.sqrt(TABLE_ITERATIONS);
        expect(Math.abs(mean[a]! + mean[b]!)).toBeLessThan(4 * error + 0.01);
      }
    }
    // Thermal agitation, and what is left of the previous state: a magnet that held the same
    // drive is settled and barely spread; one leaving saturation may or may not have escaped.
    for (let k = 0; k < sd.length; k++) expect(sd[k]!).toBeGreaterThan(0);
    for (let k = 0; k < sd.length; k++) expect(sd[k]!).toBeLessThanOrEqual(1);
    const spreadAt = (p: number, u: number): number => sd[Math.round(((p + span) / (2 * span)) * (previous - 1)) * states + Math.round(((u + span) / (2 * span)) * (states - 1))]!;
    for (const u of [-1.5, -0.5, 0, 0.5, 1.5]) expect(spreadAt(u, u), `settled at ${u}`).toBeLessThan(0.05);
    // One model: the event-level run and the functional mode give the same scores with the table.
    const dir = bundledMnistDir();
    const event = runScenario(s, { images: 2, source: mnistImages(dir, 0, 'test', 2) });
    const functional = await evaluateImages(s, { dir, set: 'test', from: 0, count: 2, workers: 1 });
    expect([...functional.outputs.subarray(0, 10)]).toEqual(event.per_image[0]!.outputs);
    expect([...functional.outputs.subarray(10, 20)]).toEqual(event.per_image[1]!.outputs);
    // trace --op follows one cell's magnet through its stage: m_x, m_y, m_z as VCD reals and Perfetto counters.
    const { cli, tempFiles } = await import('./helpers.js');
    const out = tempFiles({});
    const traced = await cli('trace', 'scenarios/irmen-dual-cenn.yaml', ...sets.flatMap((x) => ['--set', x]), '--op', 'stage[3]/v[0,5,5]', '--vcd', path.join(out, 'm.vcd'), '--perfetto', path.join(out, 'm.json'));
    expect(traced.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const vcd = readFileSync(path.join(out, 'm.vcd'), 'utf8');
    expect(vcd).toMatch(/\$var real 64 \S+ m_x_V \$end/);
    const events = (JSON.parse(readFileSync(path.join(out, 'm.json'), 'utf8')) as { traceEvents: { ph: string; name: string; args: Record<string, number> }[] }).traceEvents.filter((e) => e.ph === 'C' && e.name.endsWith('magnetization'));
    // One sample every 10 ps over the 1.5 ns stage, for each component.
    expect(events.length).toBe(3 * 151);
    for (const e of events) for (const v of Object.values(e.args)) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    delete process.env['SPINARCH_CACHE'];
  }, 60_000);
});

describe('docs/device-irmen.json (the README rows of the LLG cell)', () => {
  it("is spinarch device irmen of the bundled scenario at the paper's 12,300 iterations; its settling times are what the solver gives today", async () => {
    const { readDeviceReport } = await import('../src/cli/device-figures.js');
    const { PAPER_ITERATIONS } = await import('../src/device/irmen-transfer.js');
    const { irmenDynamicsOf } = await import('../src/components/irmen/irmen-bank.js');
    const r = readDeviceReport()!;
    expect(r.iterations).toBe(PAPER_ITERATIONS);
    const v = irmenScenario.parse(loadScenario('scenarios/irmen-dual-cenn.yaml').raw.data);
    expect(r.seed).toBe(v.seed);
    for (const l of r.lengths) {
      const c = new CellDynamics(irmenDynamicsOf({ ...v.params.irmen, fm_length: l.fm_length_nm * 1e-9 }, stageDelayOf(v)));
      expect(Math.round(c.settlingTime(-0.9, 0.9, r.settle_tolerance) * 1e12)).toBe(l.settling_ps.full_scale);
      expect(l.transfer.reduce((a, b) => a + b.n, 0)).toBe(PAPER_ITERATIONS);
    }
    const errors = r.lengths.map((l) => l.mean_abs_error);
    for (let i = 1; i < errors.length; i++) expect(errors[i]!).toBeLessThan(errors[i - 1]!);
    // The README's two plots are drawn from it.
    const { errorPlotSvg, histogramPlotSvg } = await import('../src/cli/device.js');
    const { readFileSync } = await import('node:fs');
    expect(await errorPlotSvg(r)).toBe(readFileSync('docs/figures/irmen-fig4a-error-vs-fm-length-llg.svg', 'utf8'));
    expect(await histogramPlotSvg(r)).toBe(readFileSync('docs/figures/irmen-fig4b-error-histograms-llg.svg', 'utf8'));
  });
});

describe('stage_delay: derived', () => {
  it("takes the stage delay from the magnet's settling time, and the latency follows", async () => {
    const { runScenario } = await import('../src/arch/runner.js');
    const { irmenDynamicsOf } = await import('../src/components/irmen/irmen-bank.js');
    const { SETTLE_TOLERANCE } = await import('../src/components/irmen/cell-dynamics.js');
    const s = loadScenario('scenarios/irmen-dual-cenn.yaml', ['params.timing.stage_delay=derived']);
    const v = irmenScenario.parse(s.raw.data);
    const settle = Math.round(new CellDynamics(irmenDynamicsOf(v.params.irmen, 1)).settlingTime(-0.9, 0.9, SETTLE_TOLERANCE) * 1e12);
    const r = runScenario(s) as unknown as { latency_ps: number; stages: number; device: { stage_delay_ps: number } };
    expect(r.device.stage_delay_ps).toBe(settle);
    expect(r.latency_ps).toBe(r.stages * settle);
    expect(settle).toBeGreaterThan(1500);
  });

  it('refuses anything but a time or derived, at its key', async () => {
    const { cli } = await import('./helpers.js');
    const r = await cli('validate', 'scenarios/irmen-dual-cenn.yaml', '--set', 'params.timing.stage_delay=fast');
    expect(r.code).toBe(2);
    expect(r.err).toContain("params.timing.stage_delay: expected a time with its unit, like '1.5 ns', or 'derived'");
    // A time that is too short says so, not that it is not a time.
    const zero = await cli('validate', 'scenarios/irmen-dual-cenn.yaml', '--set', 'params.timing.stage_delay=0 ns');
    expect(zero.code).toBe(2);
    expect(zero.err).toContain("params.timing.stage_delay: must be at least 1 ps (a stage has to last), got '0 ns'");
  });

  it('refuses magnets the model cannot take, at their key: too short for the length to be the easy axis, or beyond any known material', async () => {
    const { cli } = await import('./helpers.js');
    const short = await cli('validate', 'scenarios/irmen-dual-cenn.yaml', '--set', 'params.irmen.fm_length=8 nm');
    expect(short.code).toBe(2);
    // Aharoni's factors for a 9.49 nm square section: shape cancels K = 45 kJ/m^3 at 8.81 nm.
    expect(short.err).toMatch(/params\.irmen\.fm_length: at 8\.00 nm the magnet's shape anisotropy cancels its crystalline anisotropy \(hard-axis saturation field -5\d\.\d kA\/m\).* longer than 8\.8\d nm/);
    expect((await cli('run', 'scenarios/irmen-dual-cenn.yaml', '--json', '--set', 'params.irmen.fm_length=9 nm')).code).toBe(0);
    const absurd = await cli('validate', 'scenarios/irmen-dual-cenn.yaml', '--set', 'params.irmen.anisotropy=1e30 J/m^3');
    expect(absurd.code).toBe(2);
    expect(absurd.err).toContain('params.irmen.anisotropy: must be at most');
  });
});
