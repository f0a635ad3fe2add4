// A broadcastTo read by several fused loops is read inside each of them (through broadcast
// strides) instead of being stored as a full array by one kernel for the others.
import { describe, expect, it } from 'vitest';
import {
  acos, add, broadcastTo, div, exp, maximum, mean, minimum, mul, neg, placeholder, planOf, Random, matmul, matmulT, sub, sum, tanh,
} from '@descent/autodiff';

describe('broadcast copied into every consuming loop', () => {
  it('is not stored when all its consumers are elementwise loops of its shape', () => {
    const u = placeholder([40, 1], 'u');
    const x = placeholder([40, 6], 'x');
    const b = broadcastTo(u, [40, 6]);
    const outputs = [mul(exp(b), x), add(b, x)];
    const on = planOf([u, x], outputs);
    const off = planOf([u, x], outputs, { cse: false, fuse: false, reuseBuffers: false });
    expect(on.dump()).not.toMatch(/= broadcastTo\(/);
    expect(on.dump().match(/fused\(/g)!.length).toBe(2);
    const rng = new Random(2);
    const values = [rng.randn([40, 1]).data, rng.randn([40, 6]).data];
    const a = on.run(values).map((t) => Array.from(t.data));
    const c = off.run(values).map((t) => Array.from(t.data));
    expect(a).toEqual(c);
  });

  it('is stored when a consumer is not elementwise', () => {
    const u = placeholder([6, 1], 'u');
    const x = placeholder([6, 6], 'x');
    const b = broadcastTo(u, [6, 6]);
    const plan = planOf([u, x], [matmul(b, x), add(b, x)]);
    expect(plan.dump()).toMatch(/= broadcastTo\(/);
  });

  it('a cheap operation of stored values read by several loops is computed in each (no kernel of its own)', () => {
    const s = placeholder([50, 4], 's');
    const c = placeholder([50], 'c');
    const r = sub(sum(s, [1]), c); // read by a reduction's loop and by another loop
    const outputs = [mean(mul(r, r)), add(mul(r, 2), exp(c))];
    const on = planOf([s, c], outputs);
    const off = planOf([s, c], outputs, { cse: false, fuse: false, reuseBuffers: false });
    expect(on.dump()).not.toMatch(/= sub\(/);
    expect(on.stats.kernels).toBe(3); // the row sum, the mean with the sub inside, the other loop
    const rng = new Random(7);
    const values = [rng.randn([50, 4]).data, rng.randn([50]).data];
    expect(on.run(values).map((t) => Array.from(t.data))).toEqual(off.run(values).map((t) => Array.from(t.data)));
  });

  it('a cheap operation of a value another loop computes is not copied', () => {
    const x = placeholder([30], 'x');
    const r = neg(tanh(x)); // tanh would join neg's loop: copying neg would not save a kernel
    const outputs = [add(r, x), mul(r, x)];
    const plan = planOf([x], outputs);
    expect(plan.dump()).toMatch(/fused\(.*\{ .*tanh.*-/);
    const rng = new Random(8);
    const values = [rng.randn([30]).data];
    const off = planOf([x], outputs, { cse: false, fuse: false, reuseBuffers: false });
    expect(plan.run(values).map((t) => Array.from(t.data))).toEqual(off.run(values).map((t) => Array.from(t.data)));
  });

  it('a chain of cheap operations read by two loops (a clamp) is computed in both, in order', () => {
    const w = placeholder([30, 4], 'w');
    const n = placeholder([30, 1], 'n');
    const m = placeholder([1, 30], 'm');
    const g = matmulT(w, w, { transB: true }); // [30, 30], stored (a product)
    // mul of smaller stored values (broadcast), sub, maximum, minimum: copied, not stored
    const c = minimum(maximum(sub(g, mul(n, m)), -1), 1);
    const outputs = [sum(mul(acos(c), g)), mul(exp(c), 2)];
    const on = planOf([w, n, m], outputs);
    const off = planOf([w, n, m], outputs, { cse: false, fuse: false, reuseBuffers: false });
    // no kernel stores c: the clamp is in both loops
    const lines = on.dump().split('\n');
    expect(lines.filter((l) => /<= a\d/.test(l) && /lib\.(acos|exp)/.test(l))).toHaveLength(2);
    expect(on.stats.kernels).toBe(4); // the product, two loops, the sum
    const rng = new Random(4);
    const values = [rng.randn([30, 4]).data, rng.rand([30, 1], 1, 2).data, rng.rand([1, 30], 1, 2).data];
    const a = on.run(values).map((t) => Array.from(t.data));
    const b = off.run(values).map((t) => Array.from(t.data));
    expect(a).toEqual(b);
  });

  it('a division is stored once rather than computed again in each loop', () => {
    const x = placeholder([20, 20], 'x');
    const y = placeholder([20, 20], 'y');
    const q = div(x, y);
    const plan = planOf([x, y], [mul(exp(q), 2), add(tanh(q), 1)]);
    expect(plan.dump()).toMatch(/= div\(/);
  });

  it('a cheap operation of a division read elsewhere too is copied; the division is stored once', () => {
    const x = placeholder([20, 20], 'x');
    const y = placeholder([20, 20], 'y');
    const q = div(x, y);
    const c = maximum(q, 0);
    const outputs = [mul(exp(c), 2), add(tanh(c), q)];
    const on = planOf([x, y], outputs);
    const off = planOf([x, y], outputs, { cse: false, fuse: false, reuseBuffers: false });
    expect(on.dump()).toMatch(/= div\(/);
    expect(on.dump()).not.toMatch(/= maximum\(/);
    expect(on.stats.kernels).toBe(3);
    const rng = new Random(5);
    const values = [rng.randn([20, 20]).data, rng.rand([20, 20], 1, 2).data];
    expect(on.run(values).map((t) => Array.from(t.data))).toEqual(off.run(values).map((t) => Array.from(t.data)));
  });
});
