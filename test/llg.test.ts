import { describe, expect, it } from 'vitest';
import { GAMMA_ELECTRON, Macrospin, anisotropyField, barrier, hypot3, type MacrospinParams } from '../src/components/irmen/llg.js';
import { KB, MU0 } from '../src/components/irmen/magnet.js';
import { streamFor } from '../src/components/random.js';

/** Table I's material (K, Ms) in a sphere (no shape anisotropy), at 300 K; the volume sets Delta. */
const material = (delta: number, alpha: number): MacrospinParams => ({
  gamma: GAMMA_ELECTRON,
  alpha,
  ms: 1.7e6,
  anisotropy: 4.5e4,
  temperature: 300,
  volume: (delta * KB * 300) / 4.5e4,
  demag: [1 / 3, 1 / 3, 1 / 3],
});

/** A magnet with no anisotropy, in a field: pure precession and damping. */
const free = (alpha: number): MacrospinParams => ({ ...material(50, alpha), anisotropy: 0 });

describe('hypot3, the renormalization', () => {
  it('gives Math.hypot\'s very bits, from unit vectors to extremes, zeros, infinities and NaN', () => {
    const rng = streamFor('hypot3', 'test');
    const scales = [1, 1e-3, 1e-160, 1e150, 1e300];
    for (let i = 0; i < 200_000; i++) {
      const [x, y, z] = [0, 1, 2].map((k) => (rng.uniform() * 2 - 1) * scales[(i + k) % scales.length]!) as [number, number, number];
      if (!Object.is(hypot3(x, y, z), Math.hypot(x, y, z))) expect([x, y, z, hypot3(x, y, z)]).toEqual([x, y, z, Math.hypot(x, y, z)]);
    }
    for (const v of [[0, 0, 0], [-0, -0, 0], [3, 4, 12], [Infinity, NaN, 1], [NaN, 1, 2], [1, -Infinity, NaN], [5e-324, 0, -5e-324], [1e308, 1e308, 1e308]] as const) {
      expect(Object.is(hypot3(v[0], v[1], v[2]), Math.hypot(v[0], v[1], v[2])), JSON.stringify(v)).toBe(true);
    }
  });
});

describe('the macrospin LLG solver, against physics', () => {
  it('keeps |m| = 1: RK4 alone conserves it to 1e-9 over a nanosecond of precession and damping', () => {
    const s = new Macrospin(material(50, 0.01));
    s.set(1, 0.2, 0.3);
    s.applied[0] = 2e4;
    for (let i = 0; i < 10_000; i++) s.stepRK4(0.1e-12, false);
    expect(Math.abs(Math.hypot(s.m[0]!, s.m[1]!, s.m[2]!) - 1)).toBeLessThan(1e-9);
  });

  it('precesses in a fixed field at f = gamma mu0 H / 2 pi, keeping its angle to the field when undamped', () => {
    const H = 1e5;
    const s = new Macrospin(free(0));
    s.applied[2] = H;
    s.set(1, 0, 0.5);
    const mz = s.m[2]!;
    const dt = 0.05e-12;
    // Upward zero crossings of m_y, interpolated.
    const crossings: number[] = [];
    let prev = s.m[1]!;
    for (let i = 1; i <= 40_000; i++) {
      s.stepRK4(dt);
      const y = s.m[1]!;
      if (prev < 0 && y >= 0) crossings.push((i - 1 + prev / (prev - y)) * dt);
      prev = y;
    }
    const period = (crossings[crossings.length - 1]! - crossings[0]!) / (crossings.length - 1);
    const expected = (2 * Math.PI) / (GAMMA_ELECTRON * MU0 * H);
    expect(crossings.length).toBeGreaterThan(4);
    expect(period / expected).toBeCloseTo(1, 5);
    expect(s.m[2]).toBeCloseTo(mz, 9);
  });

  it('relaxes to the field with tan(theta/2) falling as exp(-t/tau), tau = (1 + alpha^2) / (alpha gamma mu0 H)', () => {
    const H = 1e5;
    const alpha = 0.1;
    const s = new Macrospin(free(alpha));
    s.applied[2] = H;
    const theta0 = 1;
    s.set(Math.sin(theta0), 0, Math.cos(theta0));
    const tau = (1 + alpha * alpha) / (alpha * GAMMA_ELECTRON * MU0 * H);
    const dt = tau / 20_000;
    for (let i = 0; i < 20_000; i++) s.stepRK4(dt);
    const theta = Math.acos(s.m[2]!);
    expect(Math.tan(theta / 2) / (Math.tan(theta0 / 2) / Math.E)).toBeCloseTo(1, 3);
  });

  it('RK4: the error falls as dt^4', () => {
    const run = (dt: number): Float64Array => {
      const s = new Macrospin(material(50, 0.05));
      s.set(1, 0.3, 0.2);
      s.applied[0] = 1e4;
      const steps = Math.round(0.2e-9 / dt);
      for (let i = 0; i < steps; i++) s.stepRK4(dt, false);
      return s.m;
    };
    const exact = run(0.2e-9 / 64_000);
    const error = (dt: number): number => {
      const m = run(dt);
      return Math.hypot(m[0]! - exact[0]!, m[1]! - exact[1]!, m[2]! - exact[2]!);
    };
    // Coarse enough that rounding (about 1e-14 here) stays far below the truncation error.
    const [e1, e2, e3] = [error(0.2e-9 / 50), error(0.2e-9 / 100), error(0.2e-9 / 200)];
    expect(e1 / e2).toBeGreaterThan(14);
    expect(e1 / e2).toBeLessThan(18);
    expect(e2 / e3).toBeGreaterThan(14);
    expect(e2 / e3).toBeLessThan(18);
  });

  it('with noise and no field, m along the easy axis follows Boltzmann: P(m_z) proportional to exp(Delta m_z^2), Delta = 5', () => {
    const delta = 5;
    const p = material(delta, 1);
    expect(barrier(p)).toBeCloseTo(delta, 9);
    const s = new Macrospin(p);
    const rng = streamFor(1, 'llg/boltzmann');
    const normal = (): number => rng.normal();
    const dt = 0.02 * ((1 + p.alpha ** 2) / (p.gamma * MU0 * anisotropyField(p)));
    const bins = new Float64Array(20);
    let samples = 0;
    let mz2 = 0;
    for (let i = 0; i < 6_000_000; i++) {
      s.stepHeun(dt, normal);
      if (i > 20_000 && i % 20 === 0) {
        const z = s.m[2]!;
        bins[Math.min(19, Math.floor(((z + 1) / 2) * 20))]!++;
        mz2 += z * z;
        samples++;
      }
    }
    // Exact: <m_z^2> and the probability of each bin, from P(z) = exp(Delta z^2) on [-1, 1].
    const quad = (f: (z: number) => number, a: number, b: number): number => {
      const n = 2000;
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const z = a + ((k + 0.5) * (b - a)) / n;
        sum += f(z);
      }
      return (sum * (b - a)) / n;
    };
    const Z = quad((z) => Math.exp(delta * z * z), -1, 1);
    expect(mz2 / samples / (quad((z) => z * z * Math.exp(delta * z * z), -1, 1) / Z)).toBeCloseTo(1, 1.5);
    for (let b = 0; b < 20; b++) {
      const expected = quad((z) => Math.exp(delta * z * z), -1 + b / 10, -1 + (b + 1) / 10) / Z;
      expect(bins[b]! / samples / expected, `bin ${b}`).toBeGreaterThan(0.85);
      expect(bins[b]! / samples / expected, `bin ${b}`).toBeLessThan(1.15);
    }
  }, 60_000);

  it('the mean dwell time between flips follows Neel-Brown: exp(Delta) / sqrt(Delta) over Delta = 3 to 6', () => {
    const dwell = (delta: number): { measured: number; brown: number } => {
      const p = material(delta, 1);
      const s = new Macrospin(p);
      const rng = streamFor(2, `llg/dwell/${delta}`);
      const normal = (): number => rng.normal();
      const unit = (1 + p.alpha ** 2) / (p.alpha * p.gamma * MU0 * anisotropyField(p));
      const dt = 0.02 * unit * p.alpha;
      // Flips counted with hysteresis (from beyond +0.6 to beyond -0.6 and back), so a wobble at the top counts once.
      let side = 1;
      let flips = 0;
      let steps = 0;
      while (flips < 400) {
        s.stepHeun(dt, normal);
        steps++;
        const z = s.m[2]!;
        if (side > 0 && z < -0.6) {
          side = -1;
          flips++;
        } else if (side < 0 && z > 0.6) {
          side = 1;
          flips++;
        }
      }
      // Brown's high-barrier escape time out of one well (the relaxation time is half of it).
      return { measured: (steps * dt) / flips, brown: unit * Math.sqrt(Math.PI) * Math.exp(delta) / Math.sqrt(delta) };
    };
    const deltas = [3, 4, 5, 6];
    const times = deltas.map(dwell);
    // Slope of ln(tau sqrt(Delta)) against Delta: 1 for an Arrhenius law in Delta.
    const xs = deltas;
    const ys = times.map((t, i) => Math.log(t.measured * Math.sqrt(deltas[i]!)));
    const mx = xs.reduce((a, b) => a + b) / xs.length;
    const my = ys.reduce((a, b) => a + b) / ys.length;
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    expect(slope).toBeGreaterThan(0.9);
    expect(slope).toBeLessThan(1.1);
    // Against the asymptote itself, whose 1/Delta corrections are tens of percent at these barriers.
    for (const t of times) {
      expect(t.measured / t.brown).toBeGreaterThan(0.6);
      expect(t.measured / t.brown).toBeLessThan(1.6);
    }
  }, 60_000);
});
