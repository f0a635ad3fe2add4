// The cache-blocked product (k in chunks, A in row blocks, C accumulated) against the plain loop,
// on shapes that cross the chunk edges, all four transpose combinations.
import { describe, expect, it } from 'vitest';
import { Random } from '@descent/autodiff';
import { gemmReference, type Gemm } from '../../../packages/autodiff/src/kernels/matmul.js';
import { gemmBlocked } from '../kernels.js';

describe('blocked matmul', () => {
  const shapes: [number, number, number][] = [
    [10, 5, 10000], [1000, 10, 5], [65, 7, 257], [3, 3, 600], [130, 9, 513], [64, 4, 256], [200, 50, 1],
  ];
  for (const [m, n, k] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`m=${m} n=${n} k=${k} transA=${transA} transB=${transB}`, () => {
          const g: Gemm = { m, n, k, transA, transB };
          const rng = new Random(m * 31 + n * 7 + k);
          const a = rng.randn([m * k + 3]).data;
          const b = rng.randn([k * n + 2]).data;
          const fast = new Float64Array(m * n + 4).fill(NaN);
          const slow = new Float64Array(m * n + 4);
          gemmBlocked(g, a, 3, b, 2, fast, 4);
          gemmReference(g, a, 3, b, 2, slow, 4);
          for (let i = 4; i < m * n + 4; i++) {
            expect(Math.abs(fast[i]! - slow[i]!)).toBeLessThanOrEqual(1e-12 * Math.sqrt(k));
          }
        });
      }
    }
  }
});
