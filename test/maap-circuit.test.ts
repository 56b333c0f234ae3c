import { describe, expect, it } from 'vitest';
import { DEVICE_PARAMETERS, designPair, dividerSwing, nominalActivation, pairOutput, pairSensitivities, shiftedPairOutput, thermalSigma } from '../src/components/maap/maap-circuit.js';
import { SetBatch } from '../src/components/maap/set-batch.js';
import { SetGroup } from '../src/components/maap/set-group.js';
import { drawSet, drawSets, setModel, setOutput } from '../src/components/maap/set-response.js';
import { CounterNormals, NORMAL_BOUND, NORMAL_QUANTILES, RandomStream, inverseNormal } from '../src/components/random.js';

const circuit = { supply: 0.8, tmr: 1.5, overdrive: 0.25, full_scale_current: 50e-6, thermal_stability: 40, relaxation_time: 130, integration_time: 300 };
const variation = { resistance_sigma: 0.05, tmr_sigma: 0.03, critical_current_sigma: 0.05, threshold_sigma: 0.01 };

describe('MAAP set circuit', () => {
  const design = designPair(circuit);

  it('divider with the reference at sqrt(R_P R_AP): node extremes symmetric about V_DD / 2, swing (sqrt(1+TMR)-1)/(sqrt(1+TMR)+1)', () => {
    // Independent: R_P = 1, R_AP = 2.5, R_ref = sqrt(2.5); node = R_ref / (R_mtj + R_ref).
    const ref = Math.sqrt(2.5);
    const high = ref / (1 + ref);
    const low = ref / (2.5 + ref);
    expect(high + low).toBeCloseTo(1, 12);
    expect(dividerSwing(1.5)).toBeCloseTo(high - low, 12);
    expect(dividerSwing(1.5)).toBeCloseTo(0.2251, 4);
  });

  it('the nominal pair is a ReLU saturating at full scale: 0 below the knee, 1 at full scale', () => {
    const f = nominalActivation(design);
    expect(f(-0.5)).toBe(0);
    expect(f(0)).toBeCloseTo(0, 9);
    expect(f(1)).toBeCloseTo(1, 9);
    expect(f(1.5)).toBe(1);
    // Monotone, and within a few percent of the straight line (the divider's curvature).
    let last = -1;
    for (let x = 0; x <= 1; x += 0.01) {
      expect(f(x)).toBeGreaterThanOrEqual(last);
      expect(Math.abs(f(x) - x)).toBeLessThan(0.05);
      last = f(x);
    }
  });

  it('sensitivities from the chain rule equal a finite-difference solve of the circuit, for every device of both cells', () => {
    for (const x of [0.1, 0.3, 0.5, 0.8]) {
      const s = pairSensitivities(design, x);
      for (const cell of [1, 2] as const) {
        for (const k of DEVICE_PARAMETERS) {
          const h = k === 'vt' ? 1e-5 : 1e-6;
          const fd = (shiftedPairOutput(design, cell, k, h, x) - shiftedPairOutput(design, cell, k, -h, x)) / (2 * h);
          const analytic = (cell === 1 ? s.cell1 : s.cell2)[k];
          expect(Math.abs(analytic - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
        }
      }
    }
  });

  it('a 5 % resistance shift and a 10 mV threshold shift move one cell by the hand estimate: 0.0125 V_DD over the 0.225 V_DD swing, times the gain margin', () => {
    // Cell 2 at mid-scale: dV_node = 0.05 G gRef / (G + gRef)^2 with G at m = 0; output = 1.25 dV / swing.
    const gRef = 1 / Math.sqrt(2.5);
    const G = 0.5 * (1 + 1 / 2.5);
    const dv = (0.05 * G * gRef) / (G + gRef) ** 2;
    const expected = (1.25 * dv) / dividerSwing(1.5);
    const x = 0.5;
    // Cell 2's magnet sits near m = 0 at mid-scale.
    const direct = Math.abs(shiftedPairOutput(design, 2, 'r', 0.05, x) - shiftedPairOutput(design, 2, 'r', 0, x));
    expect(direct).toBeGreaterThan(0.8 * expected);
    expect(direct).toBeLessThan(1.2 * expected);
    const vt = Math.abs(shiftedPairOutput(design, 2, 'vt', 0.01, x) - shiftedPairOutput(design, 2, 'vt', 0, x));
    expect(vt).toBeCloseTo((1.25 * 0.01) / 0.8 / dividerSwing(1.5), 6);
  });

  it('thermal spread: Boltzmann 1/sqrt(2 Delta) without averaging, and the OU time-average limits', () => {
    expect(thermalSigma({ thermal_stability: 50, relaxation_time: 100, integration_time: 0 })).toBeCloseTo(0.1, 9);
    // T >> tau: variance falls as 2 tau / T.
    const long = thermalSigma({ thermal_stability: 50, relaxation_time: 100, integration_time: 1e6 });
    expect(long ** 2 / 0.01).toBeCloseTo(2e-4, 6);
  });

  it('the packed evaluator (setOutput) is the circuit (pairOutput), pair by pair, with noise', () => {
    const model = setModel(circuit, 1, true);
    const rng = new RandomStream('pairs');
    for (let k = 0; k < 200; k++) {
      const set = drawSet(model, new RandomStream(`s${k}`), variation);
      const x = rng.uniform() * 3.3 - 2;
      // The model's draws: quantiles of the table, extremes included.
      const n1 = k % 10 === 0 ? NORMAL_BOUND : k % 10 === 1 ? -NORMAL_BOUND : NORMAL_QUANTILES[rng.int(65536)]!;
      const n2 = k % 10 === 2 ? NORMAL_BOUND : k % 10 === 3 ? -NORMAL_BOUND : NORMAL_QUANTILES[rng.int(65536)]!;
      const noise = { first: n1, second: n2, pair: () => undefined };
      const got = setOutput(model, set, Float64Array.of(x), 1, noise, 0);
      const want = pairOutput(design, set.pairs[0]!, x, model.sigma * n1, model.sigma * n2);
      expect(Math.abs(got - Math.max(0, want))).toBeLessThan(1e-12);
    }
  });

  it("a group's measurement with counter-based noise (the kernel's SIMD lanes) is the circuit's, set by set and pair by pair", () => {
    // 7 sets in groups of 3 (lanes padded to 4; the last group short), 9 pairs each, the inputs
    // spread over quiet, knee and saturated pairs.
    const model = setModel(circuit, 9, true);
    const sets = drawSets(model, Array.from({ length: 7 }, (_, i) => new RandomStream(`lane${i}`)), variation, 3);
    const rng = new RandomStream('inputs');
    const values = new Float64Array(3);
    let compared = 0;
    for (let trial = 0; trial < 60; trial++) {
      const sums = Float64Array.from({ length: 9 }, () => rng.uniform() * 2.4 - 1.2);
      const count = 1 + (trial % 9);
      const rank = 1000 * trial + 7;
      const noises = sets.map((_, i) => new CounterNormals(`image${trial}/set${i}`));
      for (let g = 0; g < 3; g++) {
        const members = sets.slice(3 * g, 3 * g + 3);
        const group = new SetGroup(model, members);
        group.image(noises.slice(3 * g, 3 * g + 3));
        const n = group.read(sums, count, rank, 'digital', values);
        expect(n).toBe(members.length);
        members.forEach((set, i) => {
          // The circuit, evaluated pair by pair with the same draws, a quiet pair at its floor.
          const noise = noises[3 * g + i]!;
          let want = 0;
          for (let p = 0; p < count; p++) {
            const pair = set.pairs[p]!;
            noise.pair(rank * model.pairs + p);
            const v = sums[p]! < pair.quietBelow ? pair.floor : pairOutput(design, pair, sums[p]!, model.sigma * noise.first, model.sigma * noise.second);
            want = Math.max(want, v);
          }
          expect(Math.abs(values[i]! - want)).toBeLessThan(1e-12);
          // One set alone (the event level's call) gives the group's bits.
          expect(setOutput(model, set, sums, count, noise, rank * model.pairs)).toBe(values[i]!);
          compared++;
        });
      }
    }
    expect(compared).toBe(60 * 7);
  });

  it('a batch of outputs (one kernel call) reads what each group reads alone, analog and digital, with noise and without', () => {
    // 4 groups of 3 sets (lanes padded to 4), outputs meeting groups in turn, 9 pairs each.
    const model = setModel(circuit, 9, true);
    const quietModel = setModel(circuit, 9, false);
    for (const m of [model, quietModel]) {
      const sets = drawSets(m, Array.from({ length: 12 }, (_, i) => new RandomStream(`b${i}`)), variation, 3);
      const groups = [0, 1, 2, 3].map((g) => new SetGroup(m, sets.slice(3 * g, 3 * g + 3)));
      const noises = sets.map((_, i) => (m.sigma > 0 ? new CounterNormals(`batch/set${i}`) : undefined));
      groups.forEach((g, k) => g.image(noises.slice(3 * k, 3 * k + 3)));
      const rng = new RandomStream('batch inputs');
      const n = 40;
      const count = 9;
      const inputs = Float64Array.from({ length: n * count }, () => rng.uniform() * 2.4 - 1.2);
      for (const averaging of ['analog', 'digital'] as const) {
        const batch = new SetBatch(m, groups, averaging);
        batch.sums.set(inputs);
        for (let j = 0; j < n; j++) batch.set(j, j % 4, 3 * j + 11);
        batch.measure(n, count);
        const values = new Float64Array(3);
        let nonzero = 0;
        for (let j = 0; j < n; j++) {
          const got = groups[j % 4]!.read(inputs.slice(j * count, (j + 1) * count), count, 3 * j + 11, averaging, values);
          expect(got).toBe(batch.stride);
          for (let i = 0; i < got; i++) {
            expect(batch.out[j * batch.stride + i]).toBe(values[i]);
            if (values[i]! > 0) nonzero++;
          }
        }
        expect(nonzero).toBeGreaterThan(n / 4);
      }
    }
  });

  it('a quiet pair reads its floor for every draw the noise can make (the skip is exact)', () => {
    const model = setModel(circuit, 1, true);
    let quiet = 0;
    for (let k = 0; k < 200; k++) {
      const pair = drawSet(model, new RandomStream(`q${k}`), variation).pairs[0]!;
      if (pair.quietBelow === -Infinity) continue;
      quiet++;
      const x = pair.quietBelow - 1e-9;
      for (const n1 of [-NORMAL_BOUND, 0, NORMAL_BOUND])
        for (const n2 of [-NORMAL_BOUND, 0, NORMAL_BOUND]) expect(Math.abs(pairOutput(design, pair, x, model.sigma * n1, model.sigma * n2) - pair.floor)).toBeLessThan(1e-12);
      // Never at the knee, where noise moves every pair.
      expect(pair.quietBelow).toBeLessThan(0);
    }
    // The nominal design at Delta = 40 leaves most pairs quiet well below the knee.
    expect(quiet).toBeGreaterThan(100);
    expect(NORMAL_BOUND).toBeCloseTo(inverseNormal(1 - 0.5 / 65536), 9);
  });

  it('averaging R sets shrinks the output spread as 1/sqrt(R)', () => {
    const model = setModel(circuit, 1, false);
    const sets = Array.from({ length: 4096 }, (_, i) => drawSet(model, new RandomStream(`set${i}`), variation));
    const sums = Float64Array.of(0.5);
    const outputs = sets.map((s) => setOutput(model, s, sums, 1, undefined, 0));
    const spread = (R: number): number => {
      const means: number[] = [];
      for (let g = 0; g + R <= outputs.length; g += R) means.push(outputs.slice(g, g + R).reduce((a, b) => a + b, 0) / R);
      const mu = means.reduce((a, b) => a + b, 0) / means.length;
      return Math.sqrt(means.reduce((a, b) => a + (b - mu) ** 2, 0) / (means.length - 1));
    };
    const one = spread(1);
    for (const R of [4, 16]) {
      const ratio = (spread(R) * Math.sqrt(R)) / one;
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.2);
    }
  });

  it('the normal table: quantiles symmetric and at the right places', () => {
    expect(inverseNormal(0.5)).toBeCloseTo(0, 12);
    expect(inverseNormal(0.975)).toBeCloseTo(1.959964, 5);
    expect(inverseNormal(0.001)).toBeCloseTo(-3.090232, 5);
  });
});
