// Interpreted kernels (the strict-CSP fallback) give the generated kernels' results bit for bit, without new Function.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import * as ad from '../../../packages/autodiff/src/index.js';
import type { Shape, Tensor } from '../../../packages/autodiff/src/index.js';
import { compileExpression, Slots } from '../../../packages/autodiff/src/kernels/interpret.js';

afterEach(() => ad.setKernelMode('generated'));

/** Compiles `f` in each mode, runs both on the same inputs and returns their outputs' values. */
function both(f: (...xs: Tensor[]) => Tensor | Tensor[], inputs: readonly Tensor[]): [number[][], number[][]] {
  const run = (mode: 'generated' | 'interpreted'): number[][] => {
    ad.setKernelMode(mode);
    const plan = ad.compile(f, inputs.map((t) => t.shape));
    return plan.run(inputs).map((t) => Array.from(t.data));
  };
  return [run('generated'), run('interpreted')];
}

const bitsEqual = ([a, b]: [number[][], number[][]]): void => {
  expect(b.length).toBe(a.length);
  a.forEach((xs, i) => {
    const ys = b[i]!;
    expect(ys.length).toBe(xs.length);
    // Object.is: -0 and NaN count, so "equal" means the same double
    const diff = xs.findIndex((x, j) => !Object.is(x, ys[j]));
    expect(diff === -1 ? 'same' : `output ${i}[${diff}]: ${xs[diff]} vs ${ys[diff]}`).toBe('same');
  });
};

const rng = new ad.Random(11);

describe('the same doubles as generated code', () => {
  it('an MLP loss, its gradient and a Hessian-vector product (fused chains, broadcasting, reductions)', () => {
    const X = rng.randn([7, 3]);
    const Y = rng.randn([7, 2]);
    const loss = (W1: Tensor, b1: Tensor, W2: Tensor): Tensor =>
      ad.mean(ad.square(ad.sub(ad.matmul(ad.tanh(ad.add(ad.matmul(X, W1), b1)), W2), Y)));
    const f = (W1: Tensor, b1: Tensor, W2: Tensor, v: Tensor): Tensor[] => {
      const [l, g] = ad.valueAndGrad(loss, [0, 1, 2])(W1, b1, W2);
      const hv = ad.jvp((w: Tensor) => ad.grad(loss, 0)(w, b1, W2), [W1], [v])[1];
      return [l, ...g, hv];
    };
    bitsEqual(both(f, [rng.randn([3, 4]), rng.randn([4]), rng.randn([4, 2]), rng.randn([3, 4])]));
  });

  it('every elementwise primitive, with NaN, infinities and signed zeros among the inputs', () => {
    const special = ad.tensor([0, -0, 1, -1, 0.5, -2.5, 3, NaN, Infinity, -Infinity, 1e-300, 700]);
    const unit = ad.tensor([0.3, -0.7, 0.99, -0.2, 0, 0.5, -0.5, 0.1, 0.9, -0.9, 0.25, -0.25]);
    const f = (x: Tensor, u: Tensor): Tensor[] => [
      ad.neg(x), ad.exp(x), ad.log(x), ad.log1p(x), ad.expm1(x), ad.sqrt(x), ad.abs(x), ad.sign(x), ad.sin(x), ad.cos(x),
      ad.tan(x), ad.tanh(x), ad.sigmoid(x), ad.relu(x), ad.softplus(x), ad.acos(u), ad.asin(u), ad.atan(x), ad.erf(x),
      ad.add(x, u), ad.sub(x, u), ad.mul(x, u), ad.div(x, u), ad.pow(ad.abs(x), u), ad.maximum(x, u), ad.minimum(x, u),
      ad.lt(x, u), ad.le(x, u), ad.gt(x, u), ad.ge(x, u), ad.eq(x, u), ad.ne(x, u), ad.where(ad.gt(x, 0), x, u),
    ];
    bitsEqual(both(f, [special, unit]));
  });

  it('reductions over every axis subset of a [3, 4, 5] tensor, with pre folds (logsumexp) and keepDims', () => {
    const x = rng.randn([3, 4, 5]);
    const subsets = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
    const f = (t: Tensor): Tensor[] =>
      subsets.flatMap((axes) => [
        ad.sum(t, axes), ad.mean(t, axes), ad.max(t, axes), ad.min(t, axes), ad.prod(t, axes), ad.logsumexp(t, axes),
        ad.sum(ad.mul(ad.exp(t), t), axes, { keepDims: true }),
      ]);
    bitsEqual(both(f, [x]));
  });

  it('softmax, norms and a gradient of a gradient', () => {
    const f = (x: Tensor): Tensor[] => [
      ad.softmax(x, 1), ad.logSoftmax(x, 0), ad.norm(x),
      ad.grad((y: Tensor) => ad.sum(ad.grad((z: Tensor) => ad.sum(ad.mul(ad.mul(z, z), ad.sin(z))))(y)))(x),
    ];
    bitsEqual(both(f, [rng.randn([6, 5])]));
  });

  it('broadcast shapes and reduction axes drawn at random', () => {
    const dims = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(fc.array(dims, { minLength: 1, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 15 }), (shape, keep, mask) => {
        const other: Shape = shape.map((d, i) => (keep[i] ? d : 1)).slice(shape.length > 1 && mask % 2 ? 1 : 0);
        const axes = shape.map((_, i) => i).filter((i) => (mask >> i) & 1);
        const r = new ad.Random(shape.length * 31 + mask);
        const f = (a: Tensor, b: Tensor): Tensor[] => [
          ad.mul(ad.add(a, b), ad.exp(b)),
          ad.sum(ad.mul(ad.add(a, b), a), axes.length ? axes : undefined),
          ad.logsumexp(ad.sub(a, b), axes.length ? axes : undefined),
        ];
        bitsEqual(both(f, [r.randn(shape), r.randn(other)]));
      }),
      { numRuns: 40 },
    );
  });
});

describe('without new Function', () => {
  it('compiles and runs plans when the Function constructor throws, as under a strict CSP', () => {
    const x = rng.randn([5, 4]);
    const f = (t: Tensor): Tensor[] => [ad.logsumexp(ad.tanh(t), 1), ad.grad((y: Tensor) => ad.sum(ad.mul(ad.sin(y), y)))(t)];
    ad.setKernelMode('generated');
    const expected = ad.compile(f, [x.shape]).run([x]).map((t) => Array.from(t.data));
    const saved = globalThis.Function;
    // what `script-src 'self'` does to new Function
    globalThis.Function = function forbidden(): never {
      throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source");
    } as unknown as FunctionConstructor;
    try {
      ad.setKernelMode('interpreted');
      const got = ad.compile(f, [x.shape]).run([x]).map((t) => Array.from(t.data));
      expect(got).toEqual(expected);
    } finally {
      globalThis.Function = saved;
    }
  });

  it('detects that new Function works here, and refuses the generated mode where it does not', () => {
    expect(ad.codegenAvailable).toBe(true);
    expect(ad.kernelMode()).toBe('generated');
  });

  it('the interpreter names what it cannot read', () => {
    const slots = new Slots();
    slots.declare('a0');
    expect(() => compileExpression('a1 + 1', slots)).toThrow('`a1` is read before it is defined');
    expect(() => compileExpression('window.alert(a0)', slots)).toThrow('unknown name `window.alert`');
    expect(compileExpression('(a0 > 1 || a0 !== a0 ? -a0 : Math.max(a0, 2)) * +(a0 <= 3)', slots)(Float64Array.of(0.5))).toBe(2);
  });
});
