import { describe, expect, it } from 'vitest';
import { CellDynamics } from '../src/components/irmen/cell-dynamics.js';
import { readCell } from '../src/components/irmen/cell-read.js';
import { GAMMA_ELECTRON } from '../src/components/irmen/llg.js';
import { thermalSpread, type MagnetParams } from '../src/components/irmen/magnet.js';
import { BoltzmannSampler, boltzmannMx, pathWeights, readMoments, readStatisticsFor, type ReadPath, type ReadPhysicsParams } from '../src/components/irmen/read-physics.js';
import { streamFor } from '../src/components/random.js';

const magnet = (nm: number): MagnetParams => ({ length: nm * 1e-9, crossSection: 90e-18, anisotropy: 4.5e4, saturationMagnetization: 1.7e6, temperature: 300 });
/** The bundled scenario's read path: 50 ps readout RC, 100 kOhm x 1 fF input RC, 130 ps window, 0.25 ps steps. */
const path: ReadPath = { readRc: 50e-12, inputRc: 100e-12, window: 130e-12, step: 0.25e-12 };
const physics = (nm: number): ReadPhysicsParams => ({ magnet: magnet(nm), damping: 0.01, gamma: GAMMA_ELECTRON, path, noiseScale: 1 });

/** What the next cell receives, from the LLG solver started from Boltzmann samples at u and read through the same path. */
function llgReceived(m: MagnetParams, u: number, samples: number): { mean: number; sd: number } {
  const cell = new CellDynamics({ magnet: m, damping: 0.01, stageTime: 0, readPulse: path.window, readRc: path.readRc, timeStep: path.step });
  const sampler = new BoltzmannSampler(u, thermalSpread(m));
  const w = pathWeights(path);
  const rng = streamFor(1, `read-physics/${m.length}/${u}`);
  const start = new Float64Array(3);
  let s = 0;
  let s2 = 0;
  for (let k = 0; k < samples; k++) {
    sampler.sample(() => rng.uniform(), start);
    cell.place(start);
    const r = cell.receive(u, w, () => rng.normal());
    s += r;
    s2 += r * r;
  }
  const mean = s / samples;
  return { mean, sd: Math.sqrt((s2 - samples * mean * mean) / (samples - 1)) };
}

describe('the IRMEN read model (read-physics.ts), derived and checked against the LLG solver', () => {
  it('statics: Boltzmann on the sphere gives equipartition at zero field, linear response below saturation, and a tight magnet past it', () => {
    const sigma = 0.02;
    const zero = boltzmannMx(0, sigma);
    expect(zero.mean).toBeCloseTo(0, 12);
    expect(zero.variance / sigma ** 2).toBeGreaterThan(0.98);
    expect(zero.variance / sigma ** 2).toBeLessThan(1.02);
    // Below saturation the magnet follows the field: m_x = u to second order in sigma.
    expect(Math.abs(boltzmannMx(0.5, sigma).mean - 0.5)).toBeLessThan(2 * sigma ** 2);
    // Past saturation, 1 - m_x = (a^2 + b^2) / 2 with equipartition's <a^2> = sigma^2 / (u - 1), <b^2> = sigma^2 / u.
    const u = 2;
    const deficit = (sigma ** 2 / (u - 1) + sigma ** 2 / u) / 2;
    expect((1 - boltzmannMx(u, sigma).mean) / deficit).toBeCloseTo(1, 1);
  });

  it('the read path: its weights sum to the step response of the two RCs at the end of the window', () => {
    const sum = (w: Float64Array): number => w.reduce((a, b) => a + b, 0);
    const T = path.window;
    const one = sum(pathWeights({ ...path, inputRc: 0 }));
    expect(one / (1 - Math.exp(-T / path.readRc))).toBeCloseTo(1, 2);
    const [tr, tc] = [path.readRc, path.inputRc];
    const twoPole = 1 - (tc * Math.exp(-T / tc) - tr * Math.exp(-T / tr)) / (tc - tr);
    expect(sum(pathWeights(path)) / twoPole).toBeCloseTo(1, 2);
  });

  it.each([17, 30, 60])('at %i nm: the mean and spread the next cell receives match the LLG solver within 30 % (states 0, 0.5, 0.9) and past saturation', (nm) => {
    const p = physics(nm);
    for (const u of [0, 0.5, 0.9, 1.5]) {
      const derived = readMoments(u, p);
      const llg = llgReceived(p.magnet, u, 1500);
      // 1500 samples: the LLG's sd is known to about 2 %, its mean to sd / 39.
      expect(Math.abs(derived.mean - llg.mean), `mean at ${u}`).toBeLessThan(4 * (llg.sd / Math.sqrt(1500)) + 5e-4);
      expect(derived.sd / llg.sd, `sd at ${u}`).toBeGreaterThan(0.7);
      expect(derived.sd / llg.sd, `sd at ${u}`).toBeLessThan(1.3);
    }
    // The path passes far less than the magnet's instantaneous spread (seed 000 Fig. 3: the
    // readout RC "partially smooths the thermal fluctuations"): under a third of it at 0.
    expect(readMoments(0, p).sd).toBeLessThan(thermalSpread(p.magnet) / 3);
  }, 60_000);

  it('close to saturation, where the magnet is softest, the derived spread stays within 45 % of the LLG', () => {
    for (const nm of [17, 60]) {
      for (const u of [0.97, 1]) {
        const ratio = readMoments(u, physics(nm)).sd / llgReceived(magnet(nm), u, 1500).sd;
        expect(ratio, `${nm} nm at ${u}`).toBeGreaterThan(0.7);
        expect(ratio, `${nm} nm at ${u}`).toBeLessThan(1.45);
      }
    }
  }, 60_000);

  it('a cell held past saturation reads within the LLG spread of its magnet at +-1, not 1 - |N(0, sigma)|', () => {
    const p = physics(30);
    const stats = readStatisticsFor(p);
    const llg = llgReceived(p.magnet, 1.5, 1500);
    const rng = streamFor(2, 'reads');
    let sum = 0;
    let worst = 0;
    for (let k = 0; k < 5000; k++) {
      const r = readCell({ kind: 'analytic', stats, scale: 1 }, -1.5, 0, rng);
      sum += r;
      worst = Math.max(worst, Math.abs(r + llg.mean));
    }
    expect(Math.abs(sum / 5000 + llg.mean)).toBeLessThan(llg.sd);
    expect(worst).toBeLessThan(5 * llg.sd);
    // The clipped-noise model this replaces put the mean 0.4 sigma inside.
    expect(1 - llg.mean).toBeLessThan(0.1 * thermalSpread(p.magnet));
  }, 30_000);
});
