// The residual-sums kernels (kernels/residual.ts, native/residual.c): every combination of outputs,
// with and without m, rows and columns shorter and longer than a vector, against sums written out
// here; the native one against the JS one; the binding's refusals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '@descent/autodiff';
import { nativeKernels } from '../../../packages/autodiff/src/kernels/native.js';
import { residualSumsJs, type ResidualSums } from '../../../packages/autodiff/src/kernels/residual.js';

/** The four sums of t = m[j] - x[i, j] (or -x), each times its scale, by definition. */
function reference(x: Float64Array, m: Float64Array | null, rows: number, cols: number, scale: Float64Array): Float64Array[] {
  const rowSq = new Float64Array(rows), rowSum = new Float64Array(rows), colSq = new Float64Array(cols), colSum = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const t = (m ? m[j]! : 0) - x[i * cols + j]!;
      rowSq[i]! += t * t; rowSum[i]! += t; colSq[j]! += t * t; colSum[j]! += t;
    }
  }
  return [rowSq.map((v) => v * scale[0]!), rowSum.map((v) => v * scale[1]!), colSq.map((v) => v * scale[2]!), colSum.map((v) => v * scale[3]!)];
}

const kernels: [string, ResidualSums][] = [['js', residualSumsJs]];
if (nativeKernels?.residualSums) kernels.push(['native', nativeKernels.residualSums.bind(nativeKernels)]);

describe.each(kernels)('residual sums (%s)', (_name, kernel) => {
  it('equal the sums written out, for every subset of outputs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 37 }), fc.boolean(), fc.integer({ min: 1, max: 15 }), fc.nat(1000),
        (rows, cols, withM, wanted, seed) => {
          const rng = new Random(seed);
          const x = rng.randn([rows, cols]).data;
          const m = withM ? rng.randn([cols]).data : null;
          const scale = Float64Array.from([0.5, -2, 3, 1 / 7]);
          const want = reference(x, m, rows, cols, scale);
          // stale values in the outputs must not leak into the sums
          const outs = [rows, rows, cols, cols].map((n, k) => ((wanted >> k) & 1 ? new Float64Array(n).fill(99) : null));
          kernel(x, m, rows, cols, outs[0]!, outs[1]!, outs[2]!, outs[3]!, scale);
          outs.forEach((o, k) => {
            if (o === null) return;
            for (let i = 0; i < o.length; i++) expect(o[i]).toBeCloseTo(want[k]![i]!, 11);
          });
        }),
      { numRuns: 150 },
    );
  });
});

describe('the native residual sums', () => {
  const native = nativeKernels?.residualSums?.bind(nativeKernels);
  it.skipIf(native === undefined)('match the JS kernel to rounding on a large matrix', () => {
    const rng = new Random(3);
    const rows = 300, cols = 101;
    const x = rng.randn([rows, cols]).data, m = rng.randn([cols]).data, scale = Float64Array.from([1, 1, 1, 1]);
    const a = [rows, rows, cols, cols].map((n) => new Float64Array(n));
    const b = [rows, rows, cols, cols].map((n) => new Float64Array(n));
    native!(x, m, rows, cols, a[0]!, a[1]!, a[2]!, a[3]!, scale);
    residualSumsJs(x, m, rows, cols, b[0]!, b[1]!, b[2]!, b[3]!, scale);
    a.forEach((o, k) => o.forEach((v, i) => expect(Math.abs(v - b[k]![i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[k]![i]!)))));
  });

  it.skipIf(native === undefined)('refuses outputs that are too short or overlap x, and a short scale', () => {
    const x = new Float64Array(12), scale = new Float64Array(4);
    expect(() => native!(x, null, 3, 4, new Float64Array(2), null, null, null, scale)).toThrow(/too short/);
    expect(() => native!(x, null, 3, 4, x.subarray(0, 3), null, null, null, scale)).toThrow(/overlaps/);
    expect(() => native!(x, null, 3, 4, null, null, null, new Float64Array(4), new Float64Array(3))).toThrow(/too short/);
    expect(() => native!(x, new Float64Array(3), 3, 4, null, null, null, new Float64Array(4), scale)).toThrow(/too short/);
  });
});
