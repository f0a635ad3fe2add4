// The affine softmax kernel (kernels/softmax-affine.ts, native/softmax-affine.c): softmax over the rows
// of A·B + bias, times row weights, with each row's logsumexp and the output's column sums and gᵀ·A. The JS loop against a plain reference
// written here, the native kernel against the JS loop over random shapes, values on the shift-free
// and the stable path, blocks of many rows; the dispatch following the softmax backend; the native
// binding's argument checks.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '@descent/autodiff';
import { kernelBackend, setKernelBackend } from '../../../packages/autodiff/src/kernels/registry.js';
import { nativeKernels } from '../../../packages/autodiff/src/kernels/native.js';
import { AFFINE_MAX_WEIGHTS, AffineSoftmaxKernel, softmaxAffineJs, type AffineDims } from '../../../packages/autodiff/src/kernels/softmax-affine.js';

interface Case {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly bias: Float64Array;
  readonly scale: Float64Array | undefined;
  readonly dims: AffineDims;
}

function randomCase(rows: number, n: number, k: number, transB: boolean, spread: number, scaled: boolean, seed: number): Case {
  const r = new Random(seed);
  return {
    a: r.rand([rows * k], -spread, spread).data,
    b: r.rand([n * k], -1, 1).data,
    bias: r.rand([n], -2, 2).data,
    scale: scaled ? r.rand([rows], 0, 3).data : undefined,
    dims: { rows, n, k, transB },
  };
}

interface Result {
  readonly out: Float64Array;
  readonly lse: Float64Array;
  readonly colsum: Float64Array;
  readonly gta: Float64Array;
}

/** Softmax of the logits written out plainly: Math.exp, the max subtracted, then the weight; then the sums over rows. */
function reference({ a, b, bias, scale, dims: { rows, n, k, transB } }: Case): Result {
  const out = new Float64Array(rows * n);
  const lse = new Float64Array(rows);
  const colsum = new Float64Array(n);
  const gta = new Float64Array(n * k);
  for (let r = 0; r < rows; r++) {
    const z = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[r * k + p]! * (transB ? b[j * k + p]! : b[p * n + j]!);
      return s + bias[j]!;
    });
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((x, y) => x + y, 0);
    e.forEach((v, j) => (out[r * n + j] = (v / s) * (scale?.[r] ?? 1)));
    lse[r] = m + Math.log(s);
    for (let j = 0; j < n; j++) {
      colsum[j]! += out[r * n + j]!;
      for (let p = 0; p < k; p++) gta[j * k + p]! += out[r * n + j]! * a[r * k + p]!;
    }
  }
  return { out, lse, colsum, gta };
}

/** The JS loop on its own arrays (NaN-filled: every output must be written). */
function runJs(c: Case): Result {
  const { rows, n, k } = c.dims;
  const [out, lse, colsum, gta] = [rows * n, rows, n, n * k].map((size) => new Float64Array(size).fill(Number.NaN)) as [Float64Array, Float64Array, Float64Array, Float64Array];
  softmaxAffineJs(c.a, c.b, c.bias, c.scale, c.dims, out, { lse, colsum, gta });
  return { out, lse, colsum, gta };
}

/** The kernel object, on whichever backend the softmax has selected. */
function run(c: Case): Result {
  const kernel = new AffineSoftmaxKernel(c.dims, { ...(c.scale === undefined ? {} : { scale: c.scale }), lse: true, colsum: true, gta: true });
  kernel.bias.set(c.bias);
  const out = new Float64Array(c.dims.rows * c.dims.n).fill(Number.NaN);
  kernel.run(c.a, c.b, out);
  return { out, lse: kernel.lse!, colsum: kernel.colsum!, gta: kernel.gta! };
}

/** Every output of the two results within tol. */
function expectAllClose(got: Result, want: Result, tol: number): void {
  expectClose(got.out, want.out, tol);
  expectClose(got.lse, want.lse, tol);
  // a sum over rows: its roundings grow with the rows summed and the size of the terms
  const sumTol = tol * Math.max(1, got.out.length / Math.max(1, got.colsum.length));
  expectClose(got.colsum, want.colsum, sumTol);
  expectClose(got.gta, want.gta, sumTol * (1 + Math.max(0, ...[...got.gta].map(Math.abs))));
}

/** |got - want| <= tol (1 + |want|), elementwise. */
function expectClose(got: Float64Array, want: Float64Array, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
  expect(worst).toBeLessThanOrEqual(tol);
}

const initial = kernelBackend('softmax');
afterEach(() => setKernelBackend('softmax', initial));

describe('softmaxAffineJs', () => {
  it('matches the plain reference: logits, softmax, row weights and logsumexp', () => {
    for (const [rows, n, k, transB, scaled] of [[7, 3, 2, true, true], [5, 4, 1, false, false], [1, 1, 3, true, true], [12, 6, 4, false, true]] as const) {
      const c = randomCase(rows, n, k, transB, 3, scaled, rows * 31 + n);
      const want = reference(c);
      setKernelBackend('softmax', 'js');
      expectAllClose(runJs(c), want, 2e-15);
      expectAllClose(run(c), want, 2e-15);
    }
  });

  it('gives a row of one logit softmax 1 (times its weight) and its logit as logsumexp', () => {
    const c = randomCase(4, 1, 2, true, 3, true, 5);
    const got = run(c);
    const want = reference(c);
    expect([...got.out]).toEqual([...c.scale!]);
    expectClose(got.lse, want.lse, 1e-15);
  });
});

describe.runIf(nativeKernels?.softmaxAffine !== undefined)('the native affine softmax', () => {
  const native = (c: Case): Result => {
    setKernelBackend('softmax', 'native');
    return run(c);
  };
  const js = (c: Case): Result => {
    setKernelBackend('softmax', 'js');
    return runJs(c);
  };

  it('matches the JS loop on random shapes, both the vector and the scalar path, shift-free and stable (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 10 }), fc.boolean(),
        fc.constantFrom(1, 30, 400), fc.boolean(), fc.nat(1000),
        (rows, n, k, transB, spread, scaled, seed) => {
          // spread 400 puts logits past ±300: those blocks take the stable path (each row's max subtracted)
          const c = randomCase(rows, n, k, transB, spread, scaled, seed);
          const want = js(c);
          const got = native(c);
          // the native logits round a·b + c once (FMA), the JS ones twice: they differ by up to about
          // k ulps of the largest term |a_p b_p| <= spread, and each logit's error moves a
          // probability by as much relatively and the logsumexp by as much absolutely
          const tol = 4e-15 + 2 * k * k * Number.EPSILON * spread;
          expectAllClose(got, want, tol);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splits many rows into blocks alike, one block with a logit past the shift-free range', () => {
    const c = randomCase(3000, 5, 2, true, 2, true, 7);
    c.a[2000 * 2] = 1e3; // row 2000's logits reach ±500: its block takes the stable path
    const want = js(c);
    const got = native(c);
    expectAllClose(got, want, 4e-15);
    expectAllClose(got, reference(c), 4e-15);
  });

  it('gives NaN rows for NaN inputs, as the JS loop does', () => {
    const c = randomCase(20, 5, 2, true, 1, false, 3);
    c.a[9 * 2] = Number.NaN;
    const got = native(c);
    const want = js(c);
    for (let j = 0; j < 5; j++) expect(Number.isNaN(got.out[9 * 5 + j]!)).toBe(Number.isNaN(want.out[9 * 5 + j]!));
    expect(Number.isNaN(got.lse[9]!)).toBe(true);
    expect(Number.isFinite(got.lse[8]!)).toBe(true);
  });

  it('checks its arguments: a bad call throws instead of reading or writing outside the arrays', () => {
    const kernel = nativeKernels!.softmaxAffine!;
    const a = new Float64Array(8);
    const b = new Float64Array(6);
    const out = new Float64Array(12);
    const pack = new Float64Array(2 * 3 + 2 * 4 + 6); // [bias 3 | scale 4 | lse 4 | colsum 3 | gta 6]
    expect(() => kernel(a, b, out, pack, 4, 3, 2, 31)).not.toThrow();
    expect(() => kernel(a, b, out, pack, 5, 3, 2, 1)).toThrow(RangeError); // A too short
    expect(() => kernel(a, b, out, pack.subarray(1), 4, 3, 2, 1)).toThrow(RangeError); // pack too short
    expect(() => kernel(a, b, a, pack, 4, 3, 2, 1)).toThrow(RangeError); // out overlaps A
    expect(() => kernel(a, b, out, out, 1, 3, 2, 1)).toThrow(RangeError); // pack overlaps out
    const wide = AFFINE_MAX_WEIGHTS + 1;
    expect(() => kernel(new Float64Array(wide), new Float64Array(wide), new Float64Array(wide), new Float64Array(4 * wide), 1, wide, 1, 1)).toThrow(/4096/);
    expect(() => (kernel as (...args: unknown[]) => void)(a, b, out, pack, 4, 3, 2)).toThrow(TypeError); // an argument missing
    expect(() => kernel(a, b, out, pack, -1, 3, 2, 1)).toThrow(TypeError);
  });
});
