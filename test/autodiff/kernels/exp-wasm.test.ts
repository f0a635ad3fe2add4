// The WebAssembly SIMD exp, logsumexp and softmax (kernels/exp-wasm.ts, wasm/exp.wat; the native ones too where built) against
// Math.exp and the JS kernels they replace, and the plan rewrite that reads logsumexp off a
// softmax of the same values (optimize/lse-softmax.ts).
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compile, grad, logsumexp, mul, planOf, placeholder, Random, softmax, sum, valueAndGrad, allocationCount,
} from '@descent/autodiff';
import { wasmExpAvailable, wasmExpMemory, BLOCK } from '../../../packages/autodiff/src/kernels/exp-wasm.js';
import type { Backend } from '../../../packages/autodiff/src/kernels/registry.js';
import { expWasm, rowKernels } from '../kernels.js';
import { nativeStatus } from '../../../packages/autodiff/src/kernels/native.js';
import { WASM_BASE64 } from '../../../packages/autodiff/src/kernels/wasm/generated/exp.js';

const initial = rowKernels.backend();
afterEach(() => rowKernels.select(initial));

/** The fast backends to check against the JS kernels: WebAssembly, and the native kernels where built. */
const fastBackends: readonly Backend[] = nativeStatus.available ? ['wasm', 'native'] : ['wasm'];

/** Runs a one-input plan on each backend and returns the outputs (copied): `fast` on a fast backend, `js` on the JS one. */
function onBothBackends(f: (x: ReturnType<typeof placeholder>) => ReturnType<typeof sum>, shape: number[], data: Float64Array, fast: Backend = 'wasm') {
  const plan = compile((x) => f(x), [shape]);
  const out = (b: Backend): Float64Array => {
    rowKernels.select(b);
    return Float64Array.from(plan.run([data])[0]!.data);
  };
  return { wasm: out(fast), js: out('js') };
}

/** Same NaN/±inf pattern and finite values within `tol` (relative to 1 + |js|). */
function expectClose(a: Float64Array, b: Float64Array, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(b[i]!)) {
      expect(Object.is(a[i], b[i]) || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!))).toBe(true);
      continue;
    }
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Row values: mostly moderate, with some rows holding -inf, +inf, NaN or a huge spread. */
const rowValues = fc.array(
  fc.oneof(
    { weight: 20, arbitrary: fc.double({ min: -30, max: 30, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(-Infinity, Infinity, NaN, -1000, 800) },
  ),
  { minLength: 1, maxLength: 400 },
);

describe('WebAssembly SIMD exp', () => {
  it('loads here and is the default backend where the native kernels are not built', () => {
    expect(wasmExpAvailable).toBe(true);
    expect(initial).toBe(nativeStatus.available ? 'native' : 'wasm');
  });


  it('is within 6e-16 relative of Math.exp on (-708, 709), across blocks and odd counts', () => {
    const rng = new Random(7);
    const count = 3 * BLOCK + 5;
    const x = rng.rand([count], -708, 709).data;
    for (let i = 0; i < 1000; i++) x[i] = x[i]! / 300; // and many near 0
    const y = new Float64Array(count);
    expWasm(x, y, count);
    let worst = 0;
    for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(y[i]! - Math.exp(x[i]!)) / Math.exp(x[i]!));
    expect(worst).toBeLessThan(6e-16);
  });

  it('equals Math.exp outside the fast range and at special values', () => {
    const special = [NaN, Infinity, -Infinity, -708, -708.5, -720, -745.1, -745.2, -746, -800, 709, 709.5, 709.78, 710, 0, -0, 5e-324, 1e-300];
    for (let pad = 0; pad < 2; pad++) {
      const x = Float64Array.from([...Array(pad).fill(1), ...special]);
      const y = new Float64Array(x.length);
      expWasm(x, y, x.length);
      for (let i = pad; i < x.length; i++) expect(Object.is(y[i], Math.exp(x[i]!)) || y[i] === Math.exp(x[i]!)).toBe(true);
    }
  });

  it.each(fastBackends)('logsumexp over the last axis matches the JS kernel (random rows, odd lengths, -inf/+inf/NaN rows) (%s)', (fast) => {
    fc.assert(
      fc.property(rowValues, fc.integer({ min: 1, max: 13 }), (values, n) => {
        const rows = Math.max(1, Math.floor(values.length / n));
        const data = Float64Array.from({ length: rows * n }, (_, i) => values[i % values.length]!);
        const { wasm, js } = onBothBackends((x) => logsumexp(x, [1]), [rows, n], data, fast);
        expectClose(wasm, js, 4e-15);
      }),
      { numRuns: 200 },
    );
  });

  it.each(fastBackends)('softmax over the last axis matches the JS kernel (%s)', (fast) => {
    fc.assert(
      fc.property(rowValues, fc.integer({ min: 1, max: 13 }), (values, n) => {
        const rows = Math.max(1, Math.floor(values.length / n));
        const data = Float64Array.from({ length: rows * n }, (_, i) => values[i % values.length]!);
        const { wasm, js } = onBothBackends((x) => softmax(x, 1), [rows, n], data, fast);
        expectClose(wasm, js, 4e-15);
      }),
      { numRuns: 200 },
    );
  });

  it('rows longer than a block fall back to the JS kernels', () => {
    const data = new Random(3).randn([2, BLOCK + 3]).data;
    const { wasm, js } = onBothBackends((x) => logsumexp(x, [1]), [2, BLOCK + 3], data);
    expect(Array.from(wasm)).toEqual(Array.from(js));
  });

  it('allocates nothing per run and its memory stops growing', () => {
    const plan = compile((x) => softmax(x, 1), [[3000, 37]]);
    const data = new Random(4).randn([3000, 37]).data;
    plan.run([data]);
    const bytes = wasmExpMemory();
    const before = allocationCount().buffers;
    for (let i = 0; i < 10; i++) plan.run([data]);
    expect(allocationCount().buffers).toBe(before);
    expect(wasmExpMemory()).toBe(bytes);
  });
});

describe('logsumexp read off the softmax of its gradient', () => {
  const loss = (x: ReturnType<typeof placeholder>, w: ReturnType<typeof placeholder>) => sum(mul(logsumexp(mul(x, w), [1]), 0.5));

  function plans(shape: number[]) {
    const x = placeholder(shape, 'x');
    const w = placeholder([shape[1]!], 'w');
    const [value, g] = valueAndGrad((ww) => loss(x, ww))(w);
    return {
      on: planOf([x, w], [value, g]),
      off: planOf([x, w], [value, g], { passes: [], reuseBuffers: false }),
    };
  }

  it('is used when the plan holds both, and agrees with the plan without it (every backend)', () => {
    for (const backend of [...fastBackends, 'js'] as const) {
      rowKernels.select(backend);
      const { on, off } = plans([500, 9]);
      expect(on.dump()).toMatch(/logsumexp\(%\d+\) from softmax/);
      expect(off.dump()).not.toMatch(/from softmax/);
      const rng = new Random(11);
      const x = rng.randn([500, 9]).data;
      const w = rng.rand([9], 0.5, 3).data;
      const a = on.run([x, w]).map((t) => Float64Array.from(t.data));
      const b = off.run([x, w]).map((t) => Float64Array.from(t.data));
      expectClose(a[0]!, b[0]!, 1e-14);
      expectClose(a[1]!, b[1]!, 1e-14);
    }
  });

  it('keeps -inf rows at -inf with a zero gradient, and +inf/NaN rows as logsumexp gives them', () => {
    const x = placeholder([4, 3], 'x');
    const f = (v: ReturnType<typeof placeholder>) => sum(logsumexp(v, [1]));
    const plan = planOf([x], [logsumexp(x, [1]), grad(f)(x)]);
    expect(plan.dump()).toMatch(/from softmax/);
    const data = Float64Array.from([1, 2, 3, -Infinity, -Infinity, -Infinity, Infinity, 0, 1, NaN, 0, 1]);
    const [lse, g] = plan.run([data]);
    expect(lse!.data[0]).toBeCloseTo(3 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 14);
    expect(lse!.data[1]).toBe(-Infinity);
    expect(lse!.data[2]).toBe(Infinity);
    expect(Number.isNaN(lse!.data[3]!)).toBe(true);
    expect(Array.from(g!.data.slice(3, 6))).toEqual([0, 0, 0]);
    let rowSum = 0;
    for (let i = 0; i < 3; i++) rowSum += g!.data[i]!;
    expect(rowSum).toBeCloseTo(1, 14);
  });
});
