// Gauss–Hermite rules integrate Gaussian moments exactly up to degree 2K − 1.
import { describe, expect, it } from 'vitest';
import { gaussHermite, hermiteGrid } from '../../packages/dsl/src/quadrature.js';

/** E[x^p] for x ~ N(0, 1): 0 for odd p, (p − 1)!! for even p. */
function normalMoment(p: number): number {
  if (p % 2 === 1) return 0;
  let m = 1;
  for (let k = p - 1; k > 1; k -= 2) m *= k;
  return m;
}

describe('Gauss–Hermite quadrature', () => {
  it('K = 40 integrates every monomial x^a y^b with a + b <= 79 over N(0, I_2) to 1e-12', () => {
    const K = 40;
    const grid = hermiteGrid(K, 2);
    let worst = 0;
    for (let a = 0; a <= 2 * K - 1; a++) {
      for (let b = 0; a + b <= 2 * K - 1; b++) {
        let s = 0;
        for (let p = 0; p < grid.count; p++) s += grid.weights[p]! * grid.points[2 * p]! ** a * grid.points[2 * p + 1]! ** b;
        const exact = normalMoment(a) * normalMoment(b);
        // relative where the moment is nonzero; odd moments must vanish relative to the scale of the terms
        const scale = Math.max(1, Math.sqrt(normalMoment(2 * a) * normalMoment(2 * b)));
        worst = Math.max(worst, Math.abs(s - exact) / Math.max(Math.abs(exact), scale));
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('weights are positive and sum to one; nodes are symmetric', () => {
    for (const K of [1, 2, 5, 48, 100]) {
      const r = gaussHermite(K);
      expect(r.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
      for (let k = 0; k < K; k++) {
        expect(r.weights[k]).toBeGreaterThan(0);
        expect(r.nodes[k]! + r.nodes[K - 1 - k]!).toBeCloseTo(0, 12);
      }
    }
  });

  it('refuses absurd node counts', () => {
    expect(() => gaussHermite(0)).toThrow(RangeError);
    expect(() => gaussHermite(10_000)).toThrow(/between 1 and/);
  });
});
