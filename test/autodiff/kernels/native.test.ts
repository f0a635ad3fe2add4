// The native kernels (packages/autodiff/native, loaded by kernels/native.ts): built and loaded on a
// machine with a C compiler and Node's headers; the matmul against the reference loop over shapes
// that cross every blocking edge, exp against Math.exp, softmax and logsumexp against the JS
// kernels, a compiled plan on every backend, and the binding's argument checks (a bad call throws,
// it never crashes the process). Where the addon is not built, the build test says why and the rest
// is skipped (the WebAssembly and JS kernels are then the ones in use, tested in their own files).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { allocationCount, compile, logsumexp, matmul, matmulT, Random, softmax, sum } from '@descent/autodiff';
import { gemmReference, type Gemm } from '../../../packages/autodiff/src/kernels/matmul.js';
import {
  ARC_SLOPE, ARC_SLOPE_MASKED, ARC_VALUE, ARC_VALUE_FROM_MASKED, kernelBackend, kernelBackends, selectedKernel, setKernelBackend, type KernelSignatures,
} from '../../../packages/autodiff/src/kernels/registry.js';
import { gemmFast, rowKernels } from '../kernels.js';
import { gemmNative } from '../../../packages/autodiff/src/kernels/matmul-native.js';
import { nativeAddon, nativeKernels, nativeStatus } from '../../../packages/autodiff/src/kernels/native.js';

/** The arcClamped kernel of `backend` (the selection restored after). */
function kernelOf(backend: 'js' | 'native'): KernelSignatures['arcClamped'] {
  const before = kernelBackend('arcClamped');
  setKernelBackend('arcClamped', backend);
  const k = selectedKernel('arcClamped');
  setKernelBackend('arcClamped', before);
  return k;
}

/** Whether this machine can build the addon: a C compiler and node_api.h where the build script looks. */
function canBuild(): boolean {
  const headers = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  if (!headers.some((d) => existsSync(join(d, 'node_api.h')))) return false;
  try {
    execFileSync(process.env['CC'] ?? 'cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const initialMatmul = kernelBackend('matmul');
const initialRows = rowKernels.backend();
afterEach(() => {
  setKernelBackend('matmul', initialMatmul);
  rowKernels.select(initialRows);
});

it('is built and loaded wherever a C compiler and Node headers are present, and is then the default', () => {
  if (!canBuild()) {
    expect(nativeStatus.available).toBe(false);
    return;
  }
  expect(nativeStatus).toMatchObject({ available: true });
  expect(['avx512', 'avx', 'generic']).toContain(nativeStatus.isa);
  expect(initialMatmul).toBe('native');
  expect(initialRows).toBe('native');
  expect(kernelBackends('arcClamped')[0]).toBe('native');
});

const native = nativeKernels;
/** The addon's exp, which only its own C softmax and logsumexp call. */
const nativeExp = nativeAddon?.['exp'] as ((x: Float64Array, dst: Float64Array, count: number) => void) | undefined;
const describeNative = native === null ? describe.skip : describe;

/** C = op(A)·op(B) natively at offsets 3 / 2 / 4 into larger buffers, against the reference loop. */
function expectProduct(g: Gemm, seed: number): void {
  const rng = new Random(seed);
  const a = rng.randn([g.m * g.k + 3]).data;
  const b = rng.randn([g.k * g.n + 2]).data;
  const c = new Float64Array(g.m * g.n + 5).fill(NaN);
  const r = new Float64Array(g.m * g.n + 5).fill(NaN);
  gemmNative(g, a, 3, b, 2, c, 4);
  gemmReference(g, a, 3, b, 2, r, 4);
  // the padding around C is untouched
  for (const i of [0, 1, 2, 3, g.m * g.n + 4]) expect(Number.isNaN(c[i]!)).toBe(true);
  let worst = 0;
  for (let i = 4; i < g.m * g.n + 4; i++) worst = Math.max(worst, Math.abs(c[i]! - r[i]!) / (1 + Math.abs(r[i]!)));
  expect(worst).toBeLessThanOrEqual(1e-13 * Math.sqrt(g.k + 1));
}

describeNative('native matmul', () => {
  it('matches the reference loop on random shapes, all four transposes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 70 }),
        fc.boolean(), fc.boolean(), fc.nat(1000),
        (m, n, k, transA, transB, seed) => expectProduct({ m, n, k, transA, transB }, seed),
      ),
      { numRuns: 150 },
    );
  });

  /** The product's blocks on this machine (the addon sizes them to the CPU's caches). */
  const blocking = JSON.parse(String(nativeAddon?.['blocking'] ?? '{}')) as Record<string, number>;

  it('reports cache blocks derived from the caches, within the scratch they size', () => {
    for (const key of ['l1d', 'l2', 'l3', 'mr', 'nr', 'mc', 'kc', 'nc', 'directA', 'directK']) expect(blocking[key]).toBeGreaterThan(0);
    const { l1d, l2, mr, nr, mc, kc, nc } = blocking as Record<string, number>;
    expect(kc! % 8).toBe(0);
    expect(mc! % mr!).toBe(0);
    expect(nc! % nr!).toBe(0);
    expect(kc! * nr! * 8).toBeLessThanOrEqual(Math.max(l1d!, 64 * nr! * 8)); // a B panel in L1
    expect(mc! * kc! * 8).toBeLessThanOrEqual(Math.max(l2!, mr! * kc! * 8)); // an A block in L2
  });

  it('unpacked and packed paths, crossing the k chunk, the row block and the column block in every layout', () => {
    const { mc, kc, nc, directA, directK } = blocking as Record<string, number>;
    // op(A) too big to read in place: packed, k over two chunks, rows over a row block plus a tail
    const packedM = Math.max(mc! + 13, Math.ceil((directA! + 1) / (2 * kc! + 5)));
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        expectProduct({ m: packedM, n: 53, k: 2 * kc! + 5, transA, transB }, 1);
        // k too long to read in place, and more columns than one column block (a large B: two layouts)
        if (transA === transB) expectProduct({ m: 3, n: nc! + 30, k: directK! + 1, transA, transB }, 2);
        // unpacked: op(A) read in place, row and column tails, a transposed B packed panel by panel
        expectProduct({ m: 197, n: 53, k: 600, transA, transB }, 7);
        expectProduct({ m: 9, n: 2100, k: 260, transA, transB }, 8);
        expectProduct({ m: 1, n: 1, k: 1000, transA, transB }, 3);
        // small outputs with a long k (Pᵀ X): C in registers, B's last rows through a padded copy
        expectProduct({ m: 10, n: 5, k: 10000, transA, transB }, 4);
        expectProduct({ m: 12, n: 16, k: 333, transA, transB }, 5);
        expectProduct({ m: 7, n: 9, k: 2, transA, transB }, 6);
      }
    }
  });

  it('XᵀX and X·Xᵀ of one buffer (computed on and above the diagonal, mirrored) equal the general product bit for bit', () => {
    const { directA } = blocking as Record<string, number>;
    // unpacked and packed (X too big to read in place), square sizes with and without tails
    for (const [n, k] of [[1, 3], [13, 7], [100, 100], [61, 200], [Math.ceil(Math.sqrt(directA!)) + 9, Math.ceil(Math.sqrt(directA!)) + 9]] as const) {
      const x = new Random(n + k).randn([n * k]).data;
      const copy = Float64Array.from(x);
      for (const flags of [1, 2]) {
        const sym = new Float64Array(n * n);
        const general = new Float64Array(n * n);
        native!.gemm(n, n, k, flags, x, 0, x, 0, sym, 0);
        native!.gemm(n, n, k, flags, x, 0, copy, 0, general, 0);
        let differ = 0;
        let asymmetric = 0;
        for (let i = 0; i < n * n; i++) if (!Object.is(sym[i], general[i])) differ++;
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (sym[i * n + j] !== sym[j * n + i]) asymmetric++;
        expect([differ, asymmetric]).toEqual([0, 0]);
      }
    }
  });

  it('the accumulate flag adds to C on the unpacked and the packed path', () => {
    const { kc, directA } = blocking as Record<string, number>;
    for (const [m, n, k] of [[30, 50, 40], [Math.ceil((directA! + 1) / (kc! + 3)), 27, kc! + 3]] as const) {
      const rng = new Random(m);
      const a = rng.randn([m * k]).data;
      const b = rng.randn([k * n]).data;
      const c = rng.randn([m * n]).data;
      const want = Float64Array.from(c);
      const r = new Float64Array(m * n);
      gemmReference({ m, n, k, transA: false, transB: false }, a, 0, b, 0, r, 0);
      for (let i = 0; i < m * n; i++) want[i]! += r[i]!;
      native!.gemm(m, n, k, 4, a, 0, b, 0, c, 0);
      for (let i = 0; i < m * n; i++) expect(Math.abs(c[i]! - want[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want[i]!)));
    }
  });

  it('empty products (m, n or k = 0) are fine: nothing written, or zeros for k = 0', () => {
    const a = new Float64Array(6);
    const b = new Float64Array(6);
    const c = new Float64Array(2).fill(7);
    native!.gemm(0, 3, 2, 0, a, 0, b, 0, c, 0);
    native!.gemm(2, 0, 3, 0, a, 0, b, 0, c, 0);
    native!.gemm(1, 0, 3, 2, a, 0, b, 0, c, 0);
    expect(Array.from(c)).toEqual([7, 7]);
  });

  it('k = 0 gives zeros; the accumulate flag adds to C', () => {
    const c = new Float64Array(6).fill(7);
    native!.gemm(2, 3, 0, 0, new Float64Array(0), 0, new Float64Array(0), 0, c, 0);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    const a = Float64Array.from([1, 2, 3, 4]);
    const b = Float64Array.from([5, 6, 7, 8]);
    const acc = Float64Array.from([1, 1, 1, 1]);
    native!.gemm(2, 2, 2, 4, a, 0, b, 0, acc, 0);
    expect(Array.from(acc)).toEqual([20, 23, 44, 51]);
  });

  it('is the fast path of gemmFast and of a compiled plan, close to the JS kernel, allocating nothing per run', () => {
    const plan = compile((x, y) => matmulT(matmul(x, y), x, { transB: false, transA: true }), [[120, 70], [70, 130]]);
    const rng = new Random(5);
    const inputs = [rng.randn([120, 70]).data, rng.randn([70, 130]).data];
    setKernelBackend('matmul', 'js');
    const js = Float64Array.from(plan.run(inputs)[0]!.data);
    setKernelBackend('matmul', 'native');
    const got = Float64Array.from(plan.run(inputs)[0]!.data);
    const before = allocationCount().buffers;
    for (let i = 0; i < 5; i++) plan.run(inputs);
    expect(allocationCount().buffers).toBe(before);
    let worst = 0;
    for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(got[i]! - js[i]!) / (1 + Math.abs(js[i]!)));
    expect(worst).toBeLessThan(1e-12);
    // gemmFast routes to it
    const g: Gemm = { m: 30, n: 40, k: 50, transA: false, transB: true };
    const a = rng.randn([30 * 50]).data;
    const b = rng.randn([40 * 50]).data;
    const viaFast = new Float64Array(1200);
    const direct = new Float64Array(1200);
    gemmFast(g, a, 0, b, 0, viaFast, 0);
    gemmNative(g, a, 0, b, 0, direct, 0);
    expect(viaFast).toEqual(direct);
  });

  it('refuses bad calls with a TypeError or RangeError instead of touching memory outside the arrays', () => {
    const a = new Float64Array(6);
    const b = new Float64Array(6);
    const c = new Float64Array(4);
    const gemm = (...args: unknown[]) => (native!.gemm as (...x: unknown[]) => void)(...args);
    expect(() => gemm(2, 2, 3, 0, a, 1, b, 0, c, 0)).toThrow(RangeError); // A past its array's end
    expect(() => gemm(2, 2, 3, 0, a, 0, b, 0, c, 1)).toThrow(RangeError); // C past its end
    expect(() => gemm(2, 2, 3, 0, a, 0, b, 0, a, 0)).toThrow(/overlaps/); // C over A
    expect(() => gemm(2, 2, 3, 0, a, 0, b, 0, new Float32Array(4), 0)).toThrow(TypeError);
    expect(() => gemm(2, 2, 3, 0, a, 0, b, 0, c)).toThrow(TypeError); // 9 arguments
    expect(() => gemm(-1, 2, 3, 0, a, 0, b, 0, c, 0)).toThrow(TypeError);
    expect(() => nativeExp!(a, new Float64Array(2), 5)).toThrow(RangeError);
    expect(() => nativeExp!(a, a.subarray(1), 4)).toThrow(/overlaps/);
    expect(() => native!.softmax(a, c, 2, 3, null, false)).toThrow(RangeError); // out too short
    expect(() => native!.softmax(a, new Float64Array(6), 2, 3, new Float64Array(1), false)).toThrow(/lse/);
    expect(() => (native!.softmax as (...x: unknown[]) => void)(a, new Float64Array(6), 2, 3, null, 1)).toThrow(/boolean/);
    expect(() => native!.logsumexp(a, a, 2, 3)).toThrow(/overlaps/);
  });
});

describeNative('native arc-cosine slope, value, masked slope and value from it, of clamped cosines', () => {
  it('are bit-identical to the JS loop (clamp, then π − fastAcos) on 2e6 points, dense near ±1 and ±1/2, in place too, over odd counts', () => {
    const rng = new Random(11);
    const uniform = rng.rand([1e6], -1.05, 1.05).data;
    const near = rng.rand([1e6], 0, 1).data;
    const x = new Float64Array(2e6 + 3);
    x.set(uniform);
    for (let i = 0; i < near.length; i++) {
      const t = near[i]! ** 4 * 1e-3;
      x[1e6 + i] = i % 4 === 0 ? 1 - t : i % 4 === 1 ? -1 + t : i % 4 === 2 ? 0.5 + (t - 5e-4) : -0.5 + (t - 5e-4);
    }
    x.set([1, -1, 0], 2e6);
    for (const mode of [ARC_SLOPE, ARC_VALUE, ARC_SLOPE_MASKED, ARC_VALUE_FROM_MASKED] as const) {
      for (const count of [1, 3, 7, 9, x.length]) {
        // the value from the masked slope reads the masked slope of the same x (each backend's own)
        const maskedBy = (run: (out: Float64Array) => void): Float64Array | null => {
          if (mode !== ARC_VALUE_FROM_MASKED) return null;
          const s = new Float64Array(count);
          run(s);
          return s;
        };
        const got = new Float64Array(count);
        native!.arcClamped!(x, got, count, mode, maskedBy((s) => native!.arcClamped!(x, s, count, ARC_SLOPE_MASKED, null)));
        const want = new Float64Array(count);
        kernelOf('js')(x, want, count, mode, maskedBy((s) => kernelOf('js')(x, s, count, ARC_SLOPE_MASKED, null)));
        expect(got).toEqual(want);
        const inPlace = x.slice(0, count);
        native!.arcClamped!(inPlace, inPlace, count, mode, maskedBy((s) => native!.arcClamped!(x, s, count, ARC_SLOPE_MASKED, null)));
        expect(inPlace).toEqual(want);
        if (mode === ARC_VALUE_FROM_MASKED) {
          // the same bits as the value computing its own acos
          const value = new Float64Array(count);
          native!.arcClamped!(x, value, count, ARC_VALUE, null);
          expect(got).toEqual(value);
        }
      }
    }
    // and so within 1 ulp of π − Math.acos of the clamped cosine (the bound fast-acos.test.ts checks)
    const got = new Float64Array(x.length);
    native!.arcClamped!(x, got, x.length, ARC_SLOPE, null);
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      const want = Math.PI - Math.acos(Math.min(Math.max(x[i]!, -1), 1));
      const ulp = want === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(want)) - 52);
      worst = Math.max(worst, Math.abs(got[i]! - want) / ulp);
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('clamps as the generated maximum and minimum do (NaN to -1), and refuses bad arguments', () => {
    const x = Float64Array.from([NaN, 1 + 2 ** -52, -1 - 2 ** -52, Infinity, -Infinity, 2, 1, -1, 0]);
    const y = new Float64Array(x.length);
    native!.arcClamped!(x, y, x.length, ARC_SLOPE, null);
    expect(Array.from(y)).toEqual([0, Math.PI, 0, Math.PI, 0, Math.PI, Math.PI, 0, Math.PI / 2]);
    native!.arcClamped!(x, y, x.length, ARC_VALUE, null); // h(-1) = 0, h(1) = π, h(0) = 1
    expect(Array.from(y)).toEqual([0, Math.PI, 0, Math.PI, 0, Math.PI, Math.PI, 0, 1]);
    // masked: 0 wherever the clamp's derivative is (outside [-1, 1], NaN)
    const s = new Float64Array(x.length);
    native!.arcClamped!(x, s, x.length, ARC_SLOPE_MASKED, null);
    expect(Array.from(s)).toEqual([0, 0, 0, 0, 0, 0, Math.PI, 0, Math.PI / 2]);
    native!.arcClamped!(x, y, x.length, ARC_VALUE_FROM_MASKED, s);
    expect(Array.from(y)).toEqual([0, Math.PI, 0, Math.PI, 0, Math.PI, Math.PI, 0, 1]);
    expect(() => native!.arcClamped!(x, new Float64Array(2), 5, ARC_SLOPE, null)).toThrow(RangeError);
    expect(() => native!.arcClamped!(x, x.subarray(1), 4, ARC_SLOPE, null)).toThrow(/overlaps/);
    expect(() => native!.arcClamped!(x, y, 9, ARC_VALUE_FROM_MASKED, s.subarray(1))).toThrow(RangeError);
    expect(() => (native!.arcClamped! as (...a: unknown[]) => void)(x, new Float32Array(9), 9, ARC_SLOPE, null)).toThrow(TypeError);
    expect(() => (native!.arcClamped! as (...a: unknown[]) => void)(x, y, 9, 4, null)).toThrow(/mode/);
    expect(() => (native!.arcClamped! as (...a: unknown[]) => void)(x, y, 9, true, null)).toThrow(/mode/);
    expect(() => native!.arcClamped!(x, y, 9, ARC_VALUE_FROM_MASKED, null)).toThrow(/masked slope/);
    expect(() => native!.arcClamped!(x, y, 9, ARC_SLOPE, s)).toThrow(/null/);
  });
});

describeNative('native exp, softmax and logsumexp', () => {
  it('exp is within 6e-16 relative of Math.exp on (-708, 709), in place too, over odd counts', () => {
    const rng = new Random(7);
    for (const count of [1, 7, 1023, 1024, 1025, 5000]) {
      const x = rng.rand([count], -708, 709).data;
      for (let i = 0; i < Math.min(count, 300); i++) x[i] = x[i]! / 500; // and many near 0
      const y = new Float64Array(count);
      nativeExp!(x, y, count);
      let worst = 0;
      for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(y[i]! - Math.exp(x[i]!)) / Math.exp(x[i]!));
      expect(worst).toBeLessThan(6e-16);
      nativeExp!(x, x, count);
      expect(x).toEqual(y);
    }
  });

  it('exp at special values and outside the fast range: 0, subnormals, overflow, NaN as Math.exp gives them', () => {
    const special = [NaN, Infinity, -Infinity, -708, -708.5, -720, -745.1, -745.2, -746, -800, 709, 709.5, 709.78, 710, 0, -0, 5e-324, 1e-300];
    for (let pad = 0; pad < 9; pad++) {
      const x = Float64Array.from([...Array<number>(pad).fill(1), ...special]);
      const y = new Float64Array(x.length);
      nativeExp!(x, y, x.length);
      for (let i = pad; i < x.length; i++) {
        const want = Math.exp(x[i]!);
        if (!Number.isFinite(want) || want === 0) expect(y[i]).toBe(want);
        else expect(Math.abs(y[i]! - want) / want).toBeLessThan(1e-15);
      }
    }
  });

  /** The JS kernels' softmax and logsumexp of the same rows (the reference), native's, and the spread. */
  function bothWays(data: Float64Array, rows: number, n: number) {
    const run = (backend: 'js' | 'native') => {
      rowKernels.select(backend);
      const s = compile((x) => softmax(x, 1), [[rows, n]]).run([data])[0]!.data;
      const l = compile((x) => logsumexp(x, [1]), [[rows, n]]).run([data])[0]!.data;
      return { s: Float64Array.from(s), l: Float64Array.from(l) };
    };
    return { js: run('js'), native: run('native') };
  }

  function expectSame(a: Float64Array, b: Float64Array, tol: number): void {
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(b[i]!)) expect(Object.is(a[i], b[i]) || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!))).toBe(true);
      else expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
    }
  }

  it('softmax and logsumexp over rows match the JS kernels: short and long rows, both the shift-free and the stable path', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.constantFrom(1, 50, 400), fc.nat(1000),
        (n, rows, scale, seed) => {
          // values within ±300 take the shift-free path; scale 400 sends most blocks down the stable one
          const data = new Random(seed).rand([rows * n], -scale, scale).data;
          const { js, native: got } = bothWays(data, rows, n);
          expectSame(got.s, js.s, 4e-15);
          expectSame(got.l, js.l, 4e-15);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rows with -inf, +inf and NaN give what the JS kernels give, and blocks of many rows are split alike', () => {
    const n = 3;
    const rows = [[1, 2, 3], [-Infinity, -Infinity, -Infinity], [Infinity, 0, 1], [NaN, 0, 1], [-Infinity, 0, 1], [-1000, 0, 800]];
    const data = Float64Array.from(rows.flat());
    const { js, native: got } = bothWays(data, rows.length, n);
    expectSame(got.s, js.s, 4e-15);
    expectSame(got.l, js.l, 4e-15);
    expect(got.l[1]).toBe(-Infinity);
    expect(got.l[2]).toBe(Infinity);
    // 5000 rows of 10: two blocks of the kernel, one of them with an -inf row in the middle
    const many = new Random(2).randn([5000, 10]).data;
    many.fill(-Infinity, 4000 * 10, 4001 * 10);
    const split = bothWays(many, 5000, 10);
    expectSame(split.native.s, split.js.s, 4e-15);
    expectSame(split.native.l, split.js.l, 4e-15);
  });

  it('softmax in place equals softmax into another array', () => {
    const data = new Random(9).randn([50, 7]).data;
    const out = new Float64Array(350);
    const lse = new Float64Array(50);
    native!.softmax(data, out, 50, 7, lse, false);
    const inPlace = Float64Array.from(data);
    native!.softmax(inPlace, inPlace, 50, 7, null, false);
    expect(inPlace).toEqual(out);
  });

  it('a compiled gradient through logsumexp allocates nothing per run on the native backend', () => {
    const plan = compile((x) => sum(logsumexp(x, [1])), [[3000, 37]]);
    const data = new Random(4).randn([3000, 37]).data;
    plan.run([data]);
    const before = allocationCount().buffers;
    for (let i = 0; i < 10; i++) plan.run([data]);
    expect(allocationCount().buffers).toBe(before);
  });
});
