// compileTree: a function of pytrees compiled once, called with trees, returning the same result tree over the plan's buffers.
import { describe, expect, it } from 'vitest';
import { add, compileTree, grad, mul, Random, sum, tanh, tensor, zeros, type Tensor } from '../../packages/autodiff/src/index.js';

const rng = new Random(2);
const params = { w: rng.randn([3]), layers: [{ b: rng.randn([3]) }] };
type P = typeof params;
const f = (p: P, x: Tensor): Tensor => sum(mul(tanh(add(mul(p.w, x), p.layers[0]!.b)), x));

describe('compileTree', () => {
  it('returns what the eager function returns, as the same tree object every call', () => {
    const x = rng.randn([3]);
    const step = compileTree((p: P, xs: Tensor) => ({ value: f(p, xs), grad: grad(f)(p, xs) }), [params, x]);
    const out = step(params, x);
    const eager = grad(f)(params, x);
    expect(out.value.item()).toBe(f(params, x).item());
    expect(Array.from(out.grad.w.data)).toEqual(Array.from(eager.w.data));
    expect(Array.from(out.grad.layers[0]!.b.data)).toEqual(Array.from(eager.layers[0]!.b.data));
    // new values in other objects: re-read; the result object is the same
    const other = { w: rng.randn([3]), layers: [{ b: rng.randn([3]) }] };
    const again = step(other, x);
    expect(again).toBe(out);
    expect(again.value.item()).toBe(f(other, x).item());
  });

  it('reads the arrays again when the same object\'s values changed in place', () => {
    const p = { w: tensor([1, 2, 3]), layers: [{ b: zeros([3]) }] };
    const x = tensor([1, 1, 1]);
    const step = compileTree(f, [p, x]);
    const before = step(p, x).item();
    p.w.data[0] = -1;
    expect(step(p, x).item()).toBe(f(p, x).item());
    expect(step(p, x).item()).not.toBe(before);
  });

  it('names wrong arguments: their count, a tree of another size, a shape', () => {
    const x = rng.randn([3]);
    const step = compileTree(f, [params, x]);
    expect(() => (step as unknown as (...a: unknown[]) => unknown)(params)).toThrow('the compiled function takes 2 arguments, got 1');
    expect(() => step({ w: params.w, layers: [] } as unknown as P, x)).toThrow('argument 0 has 1 tensors; the compiled function was traced with 2');
    expect(() => step(params, rng.randn([4]))).toThrow('argument 1 has 4 values; the compiled function was traced with shape [3]');
  });
});
