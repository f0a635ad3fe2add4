// allFinite: every length (the four-way sums and the rest), every non-finite value at every position.
import { describe, expect, it } from 'vitest';
import { allFinite } from '../../packages/cli/src/finite.js';

describe('allFinite', () => {
  it('is true for finite values of any size (zeros of both signs, the largest and smallest doubles)', () => {
    for (let n = 0; n <= 11; n++) {
      const a = Float64Array.from({ length: n }, (_, i) => [0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1.5][i % 6]!);
      expect(allFinite(a)).toBe(true);
    }
  });

  it('is false when any one value is NaN, Infinity or -Infinity, wherever it is', () => {
    for (let n = 1; n <= 11; n++) {
      for (let at = 0; at < n; at++) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const a = new Float64Array(n).fill(Number.MAX_VALUE);
          a[at] = bad;
          expect(allFinite(a)).toBe(false);
        }
      }
    }
  });

  it('is false for Infinity and -Infinity together (their products with 0 are NaN, not a sum that cancels)', () => {
    expect(allFinite(Float64Array.from([Infinity, -Infinity, 1, 2]))).toBe(false);
  });
});
