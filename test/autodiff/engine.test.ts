// Engine behaviour: zero gradients, accumulation, broadcasting undone, shape errors, nesting.
import { describe, expect, it } from 'vitest';
import {
  add, apply, backward, compile, definePrimitive, defineVjp, exp, grad, grads, hvp, mul, placeholder, planOf, ShapeError,
  sin, sub, sum, tensor, valueAndGrad, vjp, type Tensor,
} from '@descent/autodiff';

const arr = (t: Tensor): number[] => Array.from(t.data);

describe('reverse mode', () => {
  it('gives an unused input a zero gradient of its shape', () => {
    const [gx, gy] = grads((x: Tensor, _y: Tensor) => sum(mul(x, 3)), [0, 1])(tensor([1, 2]), tensor([[1, 2], [3, 4]]));
    expect(arr(gx!)).toEqual([3, 3]);
    expect(gy!.shape).toEqual([2, 2]);
    expect(arr(gy!)).toEqual([0, 0, 0, 0]);
  });

  it('accumulates both contributions of a value used twice', () => {
    expect(arr(grad((x: Tensor) => sum(mul(x, x)))(tensor([1, -2, 3])))).toEqual([2, -4, 6]);
    // x feeds three paths: x*x, sin(x), and x again
    const g = grad((x: Tensor) => sum(add(add(mul(x, x), sin(x)), x)))(tensor([0.5]));
    expect(g.data[0]).toBeCloseTo(2 * 0.5 + Math.cos(0.5) + 1, 14);
  });

  it('undoes broadcasting: a [3] vector added to a [2, 3] matrix gets column sums', () => {
    const b = tensor([[1, 2, 3], [4, 5, 6]]);
    const g = grad((a: Tensor) => sum(mul(add(a, b), b)))(tensor([0, 0, 0]));
    expect(g.shape).toEqual([3]);
    expect(arr(g)).toEqual([5, 7, 9]);
    // a scalar broadcast over everything gets the total
    expect(grad((s: Tensor) => sum(mul(s, b)))(tensor(2)).item()).toBe(21);
    // a [2, 1] column gets row sums
    expect(arr(grad((c: Tensor) => sum(mul(c, b)))(tensor([[1], [1]])))).toEqual([6, 15]);
  });

  it('names the op when a derivative rule returns a wrong shape', () => {
    const broken = definePrimitive<undefined>({
      name: 'brokenDouble',
      arity: 1,
      shape: ([x]) => x!,
      prepare: () => (inputs, out) => {
        for (let i = 0; i < out.length; i++) out[i] = 2 * inputs[0]![i]!;
      },
      check: { cases: 'unary', domain: { lo: -1, hi: 1 } },
    });
    defineVjp(broken, () => [tensor([1, 2, 3, 4, 5])]);
    const f = (x: Tensor): Tensor => sum(apply(broken, [x], undefined));
    expect(() => grad(f)(tensor([1, 2]))).toThrow(ShapeError);
    expect(() => grad(f)(tensor([1, 2]))).toThrow(/brokenDouble/);
  });

  it('refuses the gradient of a non-scalar function', () => {
    expect(() => grad((x: Tensor) => mul(x, 2))(tensor([1, 2]))).toThrow(/scalar output/);
  });

  it('differentiates gradients: second and third derivatives of x^4', () => {
    const f = (x: Tensor): Tensor => sum(mul(mul(x, x), mul(x, x)));
    const d2 = grad((x: Tensor) => sum(grad(f)(x)));
    const d3 = grad((x: Tensor) => sum(d2(x)));
    expect(d2(tensor([2])).item()).toBeCloseTo(48, 12);
    expect(d3(tensor([2])).item()).toBeCloseTo(48, 12);
  });

  it('keeps nested variables apart (no perturbation confusion)', () => {
    // d/dx [ x * (d/dy (x * y)) ] = d/dx [x * x] = 2x
    const outer = grad((x: Tensor) => mul(x, grad((y: Tensor) => mul(x, y))(tensor(3))));
    expect(outer(tensor(5)).item()).toBe(10);
  });

  it('computes Hessian-vector products and vjps', () => {
    const f = (x: Tensor): Tensor => sum(exp(x));
    const x = tensor([0, 1]);
    const h = hvp(f, x, tensor([1, 2]));
    expect(h.data[0]).toBeCloseTo(1, 14);
    expect(h.data[1]).toBeCloseTo(2 * Math.E, 13);
    const [y, pullback] = vjp((a: Tensor, b: Tensor) => sub(mul(a, b), b), tensor([2, 3]), tensor([5, 7]));
    expect(arr(y)).toEqual([5, 14]);
    const [ga, gb] = pullback(tensor([1, 10]));
    expect(arr(ga!)).toEqual([5, 70]);
    expect(arr(gb!)).toEqual([1, 20]);
  });

  it('returns detached results at top level, so loops hold no history', () => {
    const [value, g] = valueAndGrad((x: Tensor) => sum(mul(x, x)))(tensor([1, 2]));
    expect(value.item()).toBe(5);
    expect(g.tracked).toBe(false);
    expect(g.inputs).toHaveLength(0);
  });

  it('differentiates traced graphs with backward() and compiles them with planOf()', () => {
    const x = placeholder([2], 'x');
    const y = sum(mul(x, x));
    const [gx] = backward(y, [x]);
    const plan = planOf([x], [y, gx!]);
    const [value, gradient] = plan.run([new Float64Array([3, 4])]);
    expect(value!.item()).toBe(25);
    expect(arr(gradient!)).toEqual([6, 8]);
    // a placeholder that is not an input of the plan is named
    expect(() => compile(() => gx!, [])).toThrow(/placeholder x/);
  });
});
