import { describe, expect, it } from 'vitest';
import { runPhold } from '../bench/phold.js';

/** The PHOLD rules run on a plain sorted list: slow, obviously right, and independent of the kernel. */
function referencePhold(n: number, perLp: number, events: number): { final: number; h: number; count: number } {
  const x = Array.from({ length: n }, (_, i) => {
    const s = (Math.imul(i, 0x9e3779b9) + 0x12345678) >>> 0;
    return s === 0 ? 1 : s;
  });
  const next = (i: number): number => {
    let v = x[i]!;
    v = (v ^ (v << 13)) >>> 0;
    v = (v ^ (v >>> 17)) >>> 0;
    v = (v ^ (v << 5)) >>> 0;
    x[i] = v;
    return v;
  };
  const pending: { t: number; seq: number; lp: number }[] = [];
  let seq = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < perLp; k++) pending.push({ t: next(i) % 1000, seq: seq++, lp: i });
  let h = 2166136261;
  let final = 0;
  let count = 0;
  while (count < events && pending.length > 0) {
    let best = 0;
    for (let j = 1; j < pending.length; j++) {
      const a = pending[j]!;
      const b = pending[best]!;
      if (a.t < b.t || (a.t === b.t && a.seq < b.seq)) best = j;
    }
    const e = pending.splice(best, 1)[0]!;
    count++;
    final = e.t;
    h = Number((BigInt(h ^ e.t) * 16777619n) % 4294967296n);
    h = Number((BigInt((h ^ e.lp) >>> 0) * 16777619n) % 4294967296n);
    const a = next(e.lp);
    const b = next(e.lp);
    const c = next(e.lp);
    const d = a % 10 < 9 ? b % n : e.lp;
    pending.push({ t: e.t + 100 + (c % 1900), seq: seq++, lp: d });
  }
  return { final, h: h >>> 0, count };
}

describe('PHOLD on the kernel and bus', () => {
  it('agrees with a reference implementation on a small case', () => {
    const ref = referencePhold(16, 3, 5000);
    const got = runPhold(16, 3, 5000);
    expect(got.events).toBe(5000);
    expect(got.final_ps).toBe(ref.final);
    expect(got.checksum).toBe(ref.h);
  });

  it('agrees with the reference when many events share a time', () => {
    // 64 LPs x 64 events each over < 2000 ps: about two events per picosecond.
    const ref = referencePhold(64, 64, 20_000);
    const got = runPhold(64, 64, 20_000);
    expect([got.final_ps, got.checksum]).toEqual([ref.final, ref.h]);
  });
});
