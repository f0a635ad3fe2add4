// grad, valueAndGrad, vjp, jvp and hvp over pytrees, with hasAux, argument checks and arities.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, grad, hvp, jvp, logsumexp, matmul, mul, Random, sin, sum, tanh, tensor, valueAndGrad, vjp, type Tensor,
} from '@descent/autodiff';

const close = (a: Tensor, b: Tensor, tol = 1e-12): void => {
  expect(a.shape).toEqual(b.shape);
  a.data.forEach((x, i) => expect(Math.abs(x - b.data[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b.data[i]!))));
};

interface Mlp {
  readonly W: Tensor;
  readonly layers: readonly { readonly b: Tensor; readonly v: Tensor }[];
}

const rng = new Random(3);
const X = rng.randn([8, 3]);
const params: Mlp = { W: rng.randn([3, 4]), layers: [{ b: rng.randn([4]), v: rng.randn([4]) }] };
const mlpLoss = (p: Mlp, x: Tensor): Tensor => {
  const hidden = tanh(add(matmul(x, p.W), p.layers[0]!.b));
  return mul(0.5, sum(mul(matmul(hidden, p.layers[0]!.v), matmul(hidden, p.layers[0]!.v))));
};
const positional = (W: Tensor, b: Tensor, v: Tensor, x: Tensor): Tensor => mlpLoss({ W, layers: [{ b, v }] }, x);

describe('pytrees', () => {
  it('the gradient of an object of arrays of tensors has the same structure and the positional values', () => {
    const g = grad(mlpLoss)(params, X);
    const [gW, gb, gv] = [0, 1, 2].map((k) => grad(positional, k)(params.W, params.layers[0]!.b, params.layers[0]!.v, X));
    close(g.W, gW!);
    close(g.layers[0]!.b, gb!);
    close(g.layers[0]!.v, gv!);
    expect(Object.keys(g)).toEqual(['W', 'layers']);
  });

  it('valueAndGrad with hasAux returns [[value, aux], gradient]', () => {
    const [[value, aux], g] = valueAndGrad((p: Mlp, x: Tensor) => [mlpLoss(p, x), { doubled: mul(2, mlpLoss(p, x)) }] as const, { hasAux: true })(params, X);
    expect(aux.doubled.item()).toBeCloseTo(2 * value.item(), 12);
    close(g.W, grad(mlpLoss)(params, X).W);
    const [g2, aux2] = grad((x: Tensor) => [sum(mul(x, x)), 7] as const, { hasAux: true })(tensor([1, 2]));
    expect(g2.toArray()).toEqual([2, 4]);
    expect(aux2).toBe(7);
  });

  it('vjp pulls a cotangent back to each primal, shaped like it', () => {
    const [y, pullback] = vjp((p: { a: Tensor }, b: Tensor) => mul(p.a, b), { a: tensor([2, 3]) }, tensor([5, 7]));
    expect(y.toArray()).toEqual([10, 21]);
    const [ga, gb] = pullback(tensor([1, 1]));
    expect((ga as { a: Tensor }).a.toArray()).toEqual([5, 7]);
    expect((gb as Tensor).toArray()).toEqual([2, 3]);
  });
});

/** Central difference of f along v, improved by one Richardson step. */
function directional(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor, h = 1e-3): Float64Array {
  const at = (s: number): Float64Array => f(add(x, mul(s, v))).data;
  const d = (k: number): Float64Array => at(k).map((u, i) => (u - at(-k)[i]!) / (2 * k));
  const coarse = d(h);
  const fine = d(h / 2);
  return fine.map((x2, i) => (4 * x2 - coarse[i]!) / 3);
}

describe('jvp', () => {
  it('agrees with central differences along random directions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const r = new Random(seed);
        const x = r.randn([4]);
        const v = r.randn([4]);
        const f = (z: Tensor): Tensor => mul(sin(z), tanh(z));
        const [y, jv] = jvp(f, [x], [v]);
        close(y, f(x));
        directional(f, x, v).forEach((d, i) => expect(Math.abs(jv.data[i]! - d)).toBeLessThan(1e-8));
      }),
      { numRuns: 20 },
    );
  });

  it('satisfies <u, J v> = <Jᵀ u, v> with vjp (matrices, reductions)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const r = new Random(seed);
        const x = r.randn([3, 3]);
        const v = r.randn([3, 3]);
        const f = (m: Tensor): Tensor => logsumexp(matmul(m, m), -1);
        const [, jv] = jvp(f, [x], [v]);
        const u = r.randn(jv.shape);
        const [, pullback] = vjp(f, x);
        const lhs = sum(mul(u, jv)).item();
        const rhs = sum(mul(pullback(u)[0]!, v)).item();
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-10 * (1 + Math.abs(lhs)));
      }),
      { numRuns: 20 },
    );
  });

  it('jvp of grad is the Hessian-vector product, over pytrees too', () => {
    const f = (x: Tensor): Tensor => sum(mul(mul(x, x), x)); // Hessian diag(6x)
    const x = tensor([1, 2, 3]);
    const [, hv] = jvp(grad(f), [x], [tensor([1, 1, 1])]);
    expect(hv.toArray()).toEqual([6, 12, 18]);
    close(hv, hvp(f, x, tensor([1, 1, 1])));
    const tangent: Mlp = { W: rng.randn([3, 4]), layers: [{ b: rng.randn([4]), v: rng.randn([4]) }] };
    const [, hvTree] = jvp((p: Mlp) => grad(mlpLoss)(p, X), [params], [tangent]);
    const reference = hvp((p: Mlp) => mlpLoss(p, X), params, tangent);
    close(hvTree.W, reference.W, 1e-10);
    close(hvTree.layers[0]!.v, reference.layers[0]!.v, 1e-10);
  });
});

describe('argument checks', () => {
  const f = (x: Tensor): Tensor => sum(mul(x, x));

  it('a Float32Array, a Float64Array, a missing argument and a class instance are named', () => {
    const g = grad(f) as unknown as (...args: unknown[]) => Tensor;
    expect(() => g(new Float32Array([1, 2]))).toThrow(/argument 0 is a Float32Array: descent computes in float64/);
    expect(() => g(new Float64Array([1, 2]))).toThrow(/argument 0 is a Float64Array, which has no shape: wrap it with tensor\(values, shape\)/);
    expect(() => g()).toThrow(/takes 1 argument, but was called with 0/);
    expect(() => g(new Map())).toThrow(/argument 0 is a Map: expected a tensor, a number, or an array or object of them/);
    expect(() => grad(mlpLoss)({ W: params.W, layers: [{ b: params.layers[0]!.b, v: undefined as unknown as Tensor }] }, X)).toThrow(/argument 0\.layers\[0\]\.v is missing/);
    expect(() => (grad(f, 3 as number) as (x: Tensor) => Tensor)(tensor([1]))).toThrow(/differentiates argument 3 \(argnums\), but was called with 1 argument/);
    expect(() => grad(f, -1 as number)).toThrow(/argnums must be whole numbers >= 0/);
  });

  it('wrong arities are type errors', () => {
    // @ts-expect-error f has one parameter: argnum 5 names none
    expect(() => grad(f, 5)).not.toThrow(); // made, but not callable by the types
    const two = (a: Tensor, b: Tensor): Tensor => sum(mul(a, b));
    // @ts-expect-error argnum 2 of a two-parameter function
    grad(two, 2);
    // @ts-expect-error a missing argument
    expect(() => grad(two, 1)(tensor([1]))).toThrow(/takes 2 arguments/);
  });
});
