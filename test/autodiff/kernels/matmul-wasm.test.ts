// The WebAssembly SIMD matmul against the plain-JS blocked kernel (bit-identical where both sum k
// in one chunk: same order, no FMA) and the reference loop, over random shapes including odd ones and ones that
// cross the k-chunk, row-block and column-block edges, in all four transpose combinations.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { compile, matmulT, Random, allocationCount } from '@descent/autodiff';
import { gemmReference, batchedGemm, type Gemm } from '../../../packages/autodiff/src/kernels/matmul.js';
import { kernelBackend, kernelBackends, setKernelBackend } from '../../../packages/autodiff/src/kernels/registry.js';
import { gemmFast } from '../kernels.js';
import { gemmWasm, wasmGemmAvailable, wasmGemmMemory, NC } from '../../../packages/autodiff/src/kernels/matmul-wasm.js';
import { KC, MC } from '../../../packages/autodiff/src/kernels/pack.js';
import { WASM_BASE64 } from '../../../packages/autodiff/src/kernels/wasm/generated/gemm.js';

const initial = kernelBackend('matmul');
afterEach(() => setKernelBackend('matmul', initial));

/** C = op(A)·op(B) by one backend of the fast path, at offsets 3 / 2 / 4 into larger buffers. */
function product(backend: 'wasm' | 'js' | 'reference', g: Gemm, a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(g.m * g.n + 5).fill(NaN);
  if (backend === 'reference') gemmReference(g, a, 3, b, 2, c, 4);
  else {
    setKernelBackend('matmul', backend);
    gemmFast(g, a, 3, b, 2, c, 4);
  }
  return c;
}

function operands(g: Gemm, seed: number): [Float64Array, Float64Array] {
  const rng = new Random(seed);
  return [rng.randn([g.m * g.k + 3]).data, rng.randn([g.k * g.n + 2]).data];
}

function expectAgreement(g: Gemm, seed: number): void {
  const [a, b] = operands(g, seed);
  const w = product('wasm', g, a, b);
  const j = product('js', g, a, b);
  const r = product('reference', g, a, b);
  // the padding around C is untouched
  for (const i of [0, 1, 2, 3, g.m * g.n + 4]) expect(Number.isNaN(w[i]!)).toBe(true);
  // one k chunk in both kernels (k <= KC): the same sums in the same order, bit for bit; longer
  // k is chunked differently for skinny products (gemmWasm), so only close
  let notIdentical = 0;
  let worst = 0;
  let worstJs = 0;
  for (let i = 4; i < g.m * g.n + 4; i++) {
    if (!Object.is(w[i], j[i])) notIdentical++;
    worst = Math.max(worst, Math.abs(w[i]! - r[i]!) / (1 + Math.abs(r[i]!)));
    worstJs = Math.max(worstJs, Math.abs(w[i]! - j[i]!) / (1 + Math.abs(j[i]!)));
  }
  if (g.k <= KC) expect(notIdentical).toBe(0);
  expect(worstJs).toBeLessThanOrEqual(1e-12 * Math.sqrt(g.k));
  expect(worst).toBeLessThanOrEqual(1e-12 * Math.sqrt(g.k));
}

describe('WebAssembly SIMD matmul', () => {
  it('loads in this runtime and is the default backend where the native kernel is not built', () => {
    expect(wasmGemmAvailable).toBe(true);
    expect(initial).toBe(kernelBackends('matmul').includes('native') ? 'native' : 'wasm');
  });


  it('equals the JS blocked kernel (bit for bit when k <= KC) and the reference loop to rounding (random shapes, all transposes)', () => {
    const dim = fc.oneof(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 14, max: 90 }));
    fc.assert(
      fc.property(dim, dim, fc.oneof(dim, fc.integer({ min: KC - 3, max: 2 * KC + 5 })), fc.boolean(), fc.boolean(), fc.nat(1000),
        (m, n, k, transA, transB, seed) => expectAgreement({ m, n, k, transA, transB }, seed)),
      { numRuns: 150 },
    );
  });

  const edges: [number, number, number][] = [
    [MC + 1, 5, KC + 1], [2 * MC - 1, NC + 3, 7], [3, NC + 1, KC * 2 + 1], [1, 9, 1000], [1000, 1, 9], [5, 5, 5 * KC], [9, 9, 9],
  ];
  for (const [m, n, k] of edges) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`crosses the block edges: m=${m} n=${n} k=${k} transA=${transA} transB=${transB}`, () => {
          expectAgreement({ m, n, k, transA, transB }, m + n + k);
        });
      }
    }
  }

  it('keeps NaN and infinities where the JS kernel does', () => {
    const g: Gemm = { m: 9, n: 7, k: 11, transA: false, transB: true };
    const [a, b] = operands(g, 5);
    a[3 + 4] = NaN;
    b[2 + 10] = Infinity;
    const w = product('wasm', g, a, b);
    const j = product('js', g, a, b);
    for (let i = 4; i < g.m * g.n + 4; i++) expect(Object.is(w[i], j[i])).toBe(true);
  });

  it('lanes past a block read stale memory harmlessly (memory poisoned with NaN first)', () => {
    const big: Gemm = { m: 300, n: 300, k: 300, transA: true, transB: false };
    const nan = new Float64Array(300 * 300).fill(NaN);
    gemmWasm(big, nan, 0, nan, 0, new Float64Array(300 * 300), 0);
    for (const transA of [false, true]) {
      for (const transB of [false, true]) expectAgreement({ m: 13, n: 7, k: 9, transA, transB }, 3);
    }
  });

  it('batched products that broadcast one B (packed once) match the JS kernel', () => {
    const g: Gemm = { m: 30, n: 11, k: 17, transA: true, transB: false };
    const count = 4;
    const rng = new Random(9);
    const a = rng.randn([count * g.m * g.k]).data;
    const b = rng.randn([g.k * g.n]).data;
    const aOff = Int32Array.from({ length: count }, (_, t) => t * g.m * g.k);
    const bOff = new Int32Array(count);
    const run = batchedGemm(g, aOff, bOff);
    const out = (backend: 'wasm' | 'js'): Float64Array => {
      setKernelBackend('matmul', backend);
      const c = new Float64Array(count * g.m * g.n);
      run(a, b, c);
      return c;
    };
    expect(out('wasm')).toEqual(out('js'));
  });

  it('a compiled plan gives the same values on either backend, allocates nothing per run, and the memory stops growing', () => {
    const plan = compile((x, y) => matmulT(x, y, { transA: true }), [[300, 77], [300, 45]]);
    const rng = new Random(3);
    const inputs = [rng.randn([300, 77]).data, rng.randn([300, 45]).data];
    setKernelBackend('matmul', 'js');
    const js = Float64Array.from(plan.run(inputs)[0]!.data);
    setKernelBackend('matmul', 'wasm');
    plan.run(inputs);
    const memory = wasmGemmMemory();
    const before = allocationCount().buffers;
    for (let i = 0; i < 20; i++) plan.run(inputs);
    expect(allocationCount().buffers).toBe(before);
    expect(Array.from(plan.run(inputs)[0]!.data)).toEqual(Array.from(js));
    // the module's memory is sized once for the largest blocks, whatever the shapes
    const g: Gemm = { m: 2000, n: 3 * NC, k: 3 * KC, transA: false, transB: false };
    gemmWasm(g, new Float64Array(g.m * g.k), 0, new Float64Array(g.k * g.n), 0, new Float64Array(g.m * g.n), 0);
    expect(wasmGemmMemory()).toEqual(memory);
    expect(memory.grows).toBeLessThanOrEqual(1);
  });
});
