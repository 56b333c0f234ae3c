import { describe, expect, it } from 'vitest';
import { accuracy, scorePredictions, wilson } from '../src/arch/accuracy.js';

describe('accuracy', () => {
  it('gives the Wilson score interval (values from Newcombe 1998, Table I)', () => {
    // Newcombe, Stat. Med. 17 (1998) 857, method 3: 81/263 -> 0.2553-0.3662; 15/148 -> 0.0624-0.1605.
    const [a, b] = wilson(81, 263);
    expect(a).toBeCloseTo(0.2553, 4);
    expect(b).toBeCloseTo(0.3662, 4);
    const [c, d] = wilson(15, 148);
    expect(c).toBeCloseTo(0.0624, 4);
    expect(d).toBeCloseTo(0.1605, 4);
    // At the edges it stays inside [0, 1] and is not degenerate, unlike p +- 1.96 sqrt(p(1-p)/n).
    expect(wilson(0, 10)).toEqual([0, expect.closeTo(0.2775, 4)]);
    expect(wilson(10, 10)[0]).toBeCloseTo(0.7225, 4);
    expect(wilson(10, 10)[1]).toBeCloseTo(1, 12);
  });

  it('narrows as 1/sqrt(n)', () => {
    const width = (n: number): number => {
      const [lo, hi] = wilson(0.9 * n, n);
      return hi - lo;
    };
    expect(width(10_000) / width(100)).toBeCloseTo(0.1, 1);
    expect(accuracy(9, 10)).toMatchObject({ correct: 9, images: 10, rate: 0.9 });
  });

  it('scores labelled predictions into a confusion matrix, and gives none without labels', () => {
    const scored = scorePredictions(
      [
        { label: 0, predicted: 0 },
        { label: 1, predicted: 2 },
        { label: 2, predicted: 2 },
        { label: undefined, predicted: 1 },
      ],
      3,
    )!;
    expect(scored.accuracy).toMatchObject({ correct: 2, images: 3 });
    expect(scored.confusion).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 0, 1],
    ]);
    expect(scorePredictions([{ label: undefined, predicted: 3 }], 10)).toBeUndefined();
  });
});
