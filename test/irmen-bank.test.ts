import { describe, expect, it } from 'vitest';
import { Ledger } from '../src/components/ledger.js';
import { READOUTS, STAGES, cellInputsOf, packPlanes, unpackPlanes, type PlaneSamples } from '../src/components/cenn/messages.js';
import { IDENTITY, type CennStep } from '../src/components/cenn/template.js';
import { IrmenBank, cellReadOf, readPhysicsOf, type IrmenParams } from '../src/components/irmen/irmen-bank.js';
import { readMoments } from '../src/components/irmen/read-physics.js';
import { IMAGES } from '../src/components/records.js';
import { Bus } from '../src/scheduler/bus.js';
import { Kernel } from '../src/scheduler/kernel.js';

const params: IrmenParams = {
  fm_length: 45e-9, fm_cross_section: 90e-18, anisotropy: 4.5e4, saturation_magnetization: 1.7e6, temperature: 300,
  me_capacitance: 1e-15, me_coefficient_per_c: 10, me_thickness: 5e-9, ir_resistivity: 1e-4, spin_conversion_length: 6e-9,
  drive_voltage: 0.1, ground_resistance: 10e3, access_capacitance: 50e-18, access_voltage: 0.8, noise_scale: 1,
};

describe('IRMEN bank as memory (seed 000, Fig. 3)', () => {
  it('holds its state across 200 ps reads 12 ns apart; each read returns it with thermal noise', () => {
    const kernel = new Kernel();
    const bus = new Bus(kernel);
    const ledger = new Ledger(bus);
    const bank = new IrmenBank({ kernel, bus, seed: 3 }, 'bankA', params, cellReadOf(params, { stageDelayPs: 1500, windowPs: 130, inputRc: 100e-12 }, 3));
    const shape = { maps: 1, h: 20, w: 50 };
    const stored = new Float64Array(1000).map((_, i) => (i % 2 === 0 ? 0.5 : -0.5));
    const step: CennStep = { index: 0, layer: 0, kind: 'hold', label: 'read', inputs: { v: { shape, encoding: IDENTITY } }, outputs: [], inputMaps: 1 };
    const reads: PlaneSamples[] = [];
    bus.topic(READOUTS).listen((r) => reads.push(r));
    bus.topic(IMAGES).publish({ time: 0, image: 0, phase: 'start' });
    bus.topic(cellInputsOf('bankA')).publish(packPlanes(0, 'test', new Map([['v', { shape, encoding: IDENTITY, values: stored }]])));
    for (let k = 0; k < 3; k++) kernel.at(1000 + 12_000 * k, () => bus.topic(STAGES).publish({ stage: k, step, holder: 'bankA', computer: 'none', window: 200 }), 0);
    kernel.at(40_000, () => bus.topic(IMAGES).publish({ time: kernel.now, image: 0, phase: 'end' }), 0);
    kernel.run();

    expect(reads).toHaveLength(3);
    // Non-destructive: the stored charge is what was written, after all three reads.
    expect([...bank.contents.get('v')!.values]).toEqual([...stored]);
    // The spread of a settled cell at 0.5 through the read path (read-physics.ts; checked against the LLG solver there).
    const spread = readMoments(0.5, readPhysicsOf(params, { stageDelayPs: 1500, windowPs: 130, inputRc: 100e-12 })).sd;
    for (const r of reads) {
      const v = unpackPlanes(r).get('v')!.values;
      let err = 0;
      let mean = 0;
      for (let i = 0; i < v.length; i += 2) {
        mean += v[i]! / 500;
        err += Math.abs(v[i]! - 0.5) / 500;
      }
      expect(mean).toBeCloseTo(0.5, 1);
      // Mean |error| of a normal spread is sigma * sqrt(2/pi).
      expect(err / (spread * Math.sqrt(2 / Math.PI))).toBeGreaterThan(0.85);
      expect(err / (spread * Math.sqrt(2 / Math.PI))).toBeLessThan(1.15);
    }
    // Each read drives 1000 cells for 200 ps.
    const drive = ledger.images[0]!.lines.find((l) => l.action === 'irmen_drive')!;
    expect(drive.count).toBe(3000);
    expect(drive.energy).toBeCloseTo(3000 * bank.model.drivePower * 200e-12, 24);
  });
});
