// The cache-blocked product (k in chunks, A in row blocks, C accumulated) against the plain loop,
// on shapes that cross the chunk edges, all four transpose combinations; batched tiny products
// (a sweep's seeds), written out term by term, against gemmReference bit for bit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '@descent/autodiff';
import { batchedGemm, batchOffsets, gemmReference, type Gemm } from '../../../packages/autodiff/src/kernels/matmul.js';
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

describe('batchedGemm of tiny products', () => {
  it('gives gemmReference\'s values bit for bit, for every size up to 64 terms, transposes and broadcast batches', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean(),
        fc.integer({ min: 2, max: 9 }), fc.boolean(), fc.integer({ min: 0, max: 1000 }),
        (m, n, k, transA, transB, count, shareB, seed) => {
          const g: Gemm = { m, n, k, transA, transB };
          const rng = new Random(seed);
          const a = rng.randn([count * m * k]).data;
          // signed zeros too: the sums must start from 0 as gemmReference's do
          a[0] = -0;
          const b = rng.randn([(shareB ? 1 : count) * k * n]).data;
          const aOff = batchOffsets([count], [count], m * k);
          const bOff = batchOffsets(shareB ? [1] : [count], [count], k * n);
          const got = new Float64Array(count * m * n);
          batchedGemm(g, aOff, bOff)(a, b, got);
          const want = new Float64Array(count * m * n);
          for (let t = 0; t < count; t++) gemmReference(g, a, aOff[t]!, b, bOff[t]!, want, t * m * n);
          for (let i = 0; i < want.length; i++) expect(Object.is(got[i], want[i])).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
