// The native products with a side of at most 8 rows (native/skinny.c, chosen inside the addon's
// gemm for A·Bᵀ with n <= 8 and Aᵀ·B with m <= 8): equal to the sums written out, with and without
// accumulation, at offsets, with k or n not a multiple of the vector width.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '@descent/autodiff';
import { nativeKernels } from '../../../packages/autodiff/src/kernels/native.js';

/** C (+)= op(A)·op(B) by definition, A and B read at offsets. */
function reference(m: number, n: number, k: number, transA: boolean, transB: boolean, a: Float64Array, aOff: number, b: Float64Array, bOff: number, c: Float64Array, accumulate: boolean): Float64Array {
  const out = Float64Array.from(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aOff + (transA ? p * m + i : i * k + p)]! * b[bOff + (transB ? j * k + p : p * n + j)]!;
      out[i * n + j] = (accumulate ? out[i * n + j]! : 0) + s;
    }
  }
  return out;
}

describe('skinny native products', () => {
  it.skipIf(nativeKernels === null)('equal the sums written out', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 64, max: 150 }), fc.boolean(), fc.nat(3), fc.nat(100),
        (nt, few, many, long, accumulate, off, seed) => {
          const rng = new Random(seed);
          // A·Bᵀ: [many, long]·[few, long]ᵀ; Aᵀ·B: [long, few]ᵀ·[long, ... ] with n = long columns
          const [m, n, k] = nt ? [many, few, long] : [few, long, many];
          const a = rng.randn([off + m * k]).data, b = rng.randn([off + k * n]).data;
          const c = rng.randn([m * n]).data;
          const want = reference(m, n, k, !nt, nt, a, off, b, off, c, accumulate);
          nativeKernels!.gemm(m, n, k, (nt ? 2 : 1) | (accumulate ? 4 : 0), a, off, b, off, c, 0);
          for (let q = 0; q < c.length; q++) expect(Math.abs(c[q]! - want[q]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want[q]!)) * Math.sqrt(k));
        }),
      { numRuns: 120 },
    );
  });
});
