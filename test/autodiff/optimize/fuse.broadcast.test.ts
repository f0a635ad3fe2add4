// A broadcastTo read by several fused loops is read inside each of them (through broadcast
// strides) instead of being stored as a full array by one kernel for the others.
import { describe, expect, it } from 'vitest';
import {
  acos, add, broadcastTo, div, exp, maximum, mean, minimum, mul, neg, placeholder, planOf, Random, matmul, matmulT, sub, sum, tanh,
  type Plan, type Tensor,
} from '@descent/autodiff';

/** The optimized plan, after checking that it gives exactly what one kernel per node gives. */
function optimizedAgrees(inputs: Tensor[], outputs: Tensor[], values: Float64Array[]): Plan {
  const on = planOf(inputs, outputs);
  const off = planOf(inputs, outputs, { passes: [], reuseBuffers: false });
  expect(on.run(values).map((t) => Array.from(t.data))).toEqual(off.run(values).map((t) => Array.from(t.data)));
  return on;
}

describe('broadcast copied into every consuming loop', () => {
  it('is not stored when all its consumers are elementwise loops of its shape', () => {
    const u = placeholder([40, 1], 'u');
    const x = placeholder([40, 6], 'x');
    const b = broadcastTo(u, [40, 6]);
    const rng = new Random(2);
    const on = optimizedAgrees([u, x], [mul(exp(b), x), add(b, x)], [rng.randn([40, 1]).data, rng.randn([40, 6]).data]);
    expect(on.dump()).not.toMatch(/= broadcastTo\(/);
    expect(on.dump().match(/fused\(/g)!.length).toBe(2);
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
    const rng = new Random(7);
    const on = optimizedAgrees([s, c], [mean(mul(r, r)), add(mul(r, 2), exp(c))], [rng.randn([50, 4]).data, rng.randn([50]).data]);
    expect(on.dump()).not.toMatch(/= sub\(/);
    expect(on.stats.kernels).toBe(3); // the row sum, the mean with the sub inside, the other loop
  });

  it('a cheap operation of a value another loop computes is not copied', () => {
    const x = placeholder([30], 'x');
    const r = neg(tanh(x)); // tanh would join neg's loop: copying neg would not save a kernel
    const plan = optimizedAgrees([x], [add(r, x), mul(r, x)], [new Random(8).randn([30]).data]);
    expect(plan.dump()).toMatch(/fused\(.*\{ .*tanh.*-/);
  });

  it('a chain of cheap operations read by two loops (a clamp) is computed in both, in order', () => {
    const w = placeholder([30, 4], 'w');
    const n = placeholder([30, 1], 'n');
    const m = placeholder([1, 30], 'm');
    const g = matmulT(w, w, { transB: true }); // [30, 30], stored (a product)
    // mul of smaller stored values (broadcast), sub, maximum, minimum: copied, not stored
    const c = minimum(maximum(sub(g, mul(n, m)), -1), 1);
    const rng = new Random(4);
    const values = [rng.randn([30, 4]).data, rng.rand([30, 1], 1, 2).data, rng.rand([1, 30], 1, 2).data];
    const on = optimizedAgrees([w, n, m], [sum(mul(acos(c), g)), mul(exp(c), 2)], values);
    // no kernel stores c: the clamp is in both loops
    const lines = on.dump().split('\n');
    expect(lines.filter((l) => /<= a\d/.test(l) && /lib\.(acos|exp)/.test(l))).toHaveLength(2);
    expect(on.stats.kernels).toBe(3); // the product, the exp loop, the sum computing the acos loop (n and m read per row and column)
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
    const rng = new Random(5);
    const on = optimizedAgrees([x, y], [mul(exp(c), 2), add(tanh(c), q)], [rng.randn([20, 20]).data, rng.rand([20, 20], 1, 2).data]);
    expect(on.dump()).toMatch(/= div\(/);
    expect(on.dump()).not.toMatch(/= maximum\(/);
    expect(on.stats.kernels).toBe(3);
  });
});
