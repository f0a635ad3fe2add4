// Compiled plans: same results as eager, buffers allocated once, nothing allocated per run.
import { describe, expect, it } from 'vitest';
import {
  allocationCount, compile, exp, grad, log, mul, Random, sub, sum, tensor, valueAndGrad, type Tensor,
} from '@descent/autodiff';

const loss = (w: Tensor, x: Tensor): Tensor => sum(log(mul(exp(mul(w, x)), 0.5)));

describe('compiled plans', () => {
  it('agree with eager evaluation, gradients included', () => {
    const rng = new Random(7);
    const w = rng.randn([4]);
    const x = rng.randn([3, 4]);
    const plan = compile((wv: Tensor, xv: Tensor) => valueAndGrad(loss)(wv, xv), [[4], [3, 4]]);
    const [value, g] = plan.run([w, x]);
    const [eagerValue, eagerGrad] = valueAndGrad(loss)(w, x);
    expect(value!.item()).toBe(eagerValue.item());
    expect(Array.from(g!.data)).toEqual(Array.from(eagerGrad.data));
  });

  it('run 1000 times allocate no buffer after the first run', () => {
    const f = (w: Tensor): Tensor => sum(mul(sub(w, 1), sub(w, 1)));
    const step = compile((w: Tensor) => {
      const [l, g] = valueAndGrad(f)(w);
      return [l, sub(w, mul(0.1, g))];
    }, [[10, 10]]);
    let w: Tensor = new Random(1).randn([10, 10]);
    const outputs = step.run([w]);
    w = outputs[1]!;
    const before = allocationCount();
    for (let i = 0; i < 1000; i++) w = step.run([w])[1]!;
    const after = allocationCount();
    expect(after.buffers - before.buffers).toBe(0);
    expect(after.elements - before.elements).toBe(0);
    expect(step.run([w])[0]!.item()).toBeLessThan(1e-20);
  });

  it('bakes constants in and reports what it holds', () => {
    const c = tensor([1, 2, 3]);
    const plan = compile((x: Tensor) => sum(mul(x, c)), [[3]]);
    expect(plan.run([tensor([1, 1, 1])])[0]!.item()).toBe(6);
    expect(plan.stats.kernels).toBe(1); // the sum computes mul(x, c) in its own loop
    expect(plan.dump()).toMatch(/const \[3\]/);
  });

  it('compiles a gradient of a gradient', () => {
    // f = sum(x^3): grad = 3x^2, and d/dx sum(3x^2) = 6x
    const plan = compile((x: Tensor) => grad((y: Tensor) => sum(grad((z: Tensor) => sum(mul(mul(z, z), z)))(y)))(x), [[2]]);
    expect(Array.from(plan.run([tensor([1, 2])])[0]!.data)).toEqual([6, 12]);
  });
});
