// The gradient of logsumexp on rows (or columns) that are all -inf is 0, on every backend of the
// softmax kernel (the derivative uses a softmax whose empty rows give 0s instead of NaN), while a
// NaN row keeps NaN, and the public softmax of an all -inf row is still NaN, as in numpy.
import { afterEach, describe, expect, it } from 'vitest';
import { compile, grad, logsumexp, softmax, sum, type Tensor } from '@descent/autodiff';
import type { Backend } from '../../../packages/autodiff/src/kernels/registry.js';
import { rowKernels } from '../kernels.js';
import { nativeStatus } from '../../../packages/autodiff/src/kernels/native.js';

const initial = rowKernels.backend();
afterEach(() => rowKernels.select(initial));
const backends: Backend[] = nativeStatus.available ? ['js', 'wasm', 'native'] : ['js', 'wasm'];

describe('logsumexp gradient on empty rows', () => {
  it.each(backends)('is 0 on a row of -inf, NaN on a NaN row, softmax elsewhere (%s)', (backend) => {
    rowKernels.select(backend);
    const f = (x: Tensor) => sum(logsumexp(x, [1]));
    const plan = compile((x) => grad(f)(x), [[4, 3]]);
    const data = Float64Array.from([1, 2, 3, -Infinity, -Infinity, -Infinity, NaN, 0, 1, 0, -Infinity, 0]);
    const g = plan.run([data])[0]!.data;
    expect(Array.from(g.slice(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(g.slice(6, 9)).every(Number.isNaN)).toBe(true);
    expect(g[9]).toBeCloseTo(0.5, 15);
    expect(g[10]).toBe(0);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const total = e[0]! + e[1]! + e[2]!;
    for (let i = 0; i < 3; i++) expect(g[i]).toBeCloseTo(e[i]! / total, 15);
  });

  it('is 0 on a column of -inf when reducing a leading axis', () => {
    const f = (x: Tensor) => sum(logsumexp(x, [0]));
    const g = compile((x) => grad(f)(x), [[2, 3]]).run([Float64Array.from([0, -Infinity, 1, 0, -Infinity, 1])])[0]!.data;
    expect(Array.from(g)).toEqual([0.5, 0, 0.5, 0.5, 0, 0.5]);
  });

  it('the gradient of that gradient stays finite where the rows are finite and 0 on empty rows', () => {
    const inner = (x: Tensor) => sum(logsumexp(x, [1]));
    const hv = compile((x) => grad((y: Tensor) => sum(grad(inner)(y)))(x), [[2, 3]]);
    const out = hv.run([Float64Array.from([0.5, -1, 2, -Infinity, -Infinity, -Infinity])])[0]!.data;
    // the rows of softmax sum to 1 whatever x is: the gradient of that sum is 0 (to rounding)
    for (let i = 0; i < 3; i++) expect(Math.abs(out[i]!)).toBeLessThan(1e-15);
    expect(Array.from(out.slice(3))).toEqual([0, 0, 0]);
  });

  it('leaves the public softmax of an all -inf row NaN', () => {
    const s = compile((x) => softmax(x, 1), [[1, 3]]).run([Float64Array.from([-Infinity, -Infinity, -Infinity])])[0]!.data;
    expect(Array.from(s).every(Number.isNaN)).toBe(true);
  });
});
