// A broadcastTo read by several fused loops is read inside each of them (through broadcast
// strides) instead of being stored as a full array by one kernel for the others.
import { describe, expect, it } from 'vitest';
import { add, broadcastTo, exp, mul, placeholder, planOf, Random, matmul } from '@descent/autodiff';

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
});
