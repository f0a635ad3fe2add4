// kernels/registry.ts: one kernel per operation and backend, the fastest available chosen at load, switched only by setKernelBackend.
import { afterEach, describe, expect, it } from 'vitest';
import { compile, matmul, mul, Random, softmax, sub, sum } from '@descent/autodiff';
import { kernelsOf } from '../../../packages/autodiff/src/kernels/native.js';
import { kernelBackend, kernelBackends, selectedKernel, setKernelBackend, type KernelOp } from '../../../packages/autodiff/src/kernels/registry.js';

const ops: KernelOp[] = ['matmul', 'softmax', 'logsumexp', 'residualSums', 'randomNormal', 'randomUniform', 'arcClamped'];
const initial = Object.fromEntries(ops.map((op) => [op, kernelBackend(op)])) as Record<KernelOp, ReturnType<typeof kernelBackend>>;
afterEach(() => ops.forEach((op) => setKernelBackend(op, initial[op])));

describe('kernel registry', () => {
  it.each(ops)('%s starts on its fastest available backend, and always has the plain-JS one', (op) => {
    const available = kernelBackends(op);
    expect(available[available.length - 1]).toBe('js');
    expect(kernelBackend(op)).toBe(available[0]);
  });

  it('switching a backend changes the kernel the operation calls, and only that operation', () => {
    const before = selectedKernel('softmax');
    setKernelBackend('softmax', 'js');
    expect(kernelBackend('softmax')).toBe('js');
    expect(kernelBackend('logsumexp')).toBe(initial.logsumexp);
    // the JS row kernel leaves the work to the caller's loop
    expect(selectedKernel('softmax')(new Float64Array(2), new Float64Array(2), 1, 2, undefined, false)).toBe(false);
    if (initial.softmax !== 'js') expect(selectedKernel('softmax')).not.toBe(before);
  });

  it('a compiled plan follows the switch between runs, every backend agreeing to 1e-12', () => {
    const rng = new Random(3);
    const a = rng.randn([40, 50]);
    const b = rng.randn([50, 30]);
    const plan = compile((x, y) => softmax(matmul(x, y), -1), [[40, 50], [50, 30]]);
    const runs = kernelBackends('matmul').map((backend) => {
      setKernelBackend('matmul', backend);
      setKernelBackend('softmax', kernelBackends('softmax').includes(backend) ? backend : 'js');
      return Float64Array.from(plan.run([a, b])[0]!.data);
    });
    for (const r of runs) for (let i = 0; i < r.length; i++) expect(Math.abs(r[i]! - runs[0]![i]!)).toBeLessThan(1e-12);
  });

  it('a residual-sums plan follows the switch too, every backend agreeing to 1e-12', () => {
    const rng = new Random(4);
    const x = rng.randn([300, 40]);
    const m = rng.randn([1, 40]);
    const plan = compile((a, b) => sum(mul(sub(b, a), sub(b, a)), [1]), [[300, 40], [1, 40]]);
    expect(plan.dump()).toMatch(/residual-sums/);
    const runs = kernelBackends('residualSums').map((backend) => {
      setKernelBackend('residualSums', backend);
      return Float64Array.from(plan.run([x, m])[0]!.data);
    });
    for (const r of runs) for (let i = 0; i < r.length; i++) expect(Math.abs(r[i]! - runs[0]![i]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(runs[0]![i]!)));
  });

  it('refuses a backend that is not available here, naming the operation', () => {
    const missing = (['native', 'wasm'] as const).find((b) => !kernelBackends('matmul').includes(b));
    if (missing !== undefined) expect(() => setKernelBackend('matmul', missing)).toThrow(`the ${missing} matmul kernel is not available here`);
    expect(() => setKernelBackend('matmul', 'gpu' as 'js')).toThrow(/gpu matmul kernel is not available/);
  });
});

describe('the native addon', () => {
  const kernel = (): void => undefined;

  it('is accepted with the kernels the registry uses, whatever else it exports or lacks (its exp)', () => {
    const r = kernelsOf({ isa: 'avx', gemm: kernel, softmax: kernel, logsumexp: kernel });
    expect(r.status).toEqual({ available: true, isa: 'avx' });
    expect(Object.keys(r.kernels!).sort()).toEqual(['gemm', 'logsumexp', 'softmax']);
    // the residual sums and the arc kernels are optional: an addon without them keeps its other kernels, one with them offers them
    expect(Object.keys(kernelsOf({ isa: 'avx', gemm: kernel, softmax: kernel, logsumexp: kernel, residualSums: kernel }).kernels!).sort())
      .toEqual(['gemm', 'logsumexp', 'residualSums', 'softmax']);
    expect(Object.keys(kernelsOf({ isa: 'avx', gemm: kernel, softmax: kernel, logsumexp: kernel, arcClamped: kernel }).kernels!).sort())
      .toEqual(['arcClamped', 'gemm', 'logsumexp', 'softmax']);
  });

  it('is refused, saying why, when a kernel it needs is missing', () => {
    const r = kernelsOf({ isa: 'avx512', missing: 'avx512f', gemm: kernel, softmax: kernel });
    expect(r.kernels).toBeNull();
    expect(r.status).toEqual({ available: false, reason: 'built for avx512, but this CPU lacks avx512f' });
  });
});
