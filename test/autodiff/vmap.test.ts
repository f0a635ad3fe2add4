// vmap against loops and finite differences: any in-axis, out-axis, grad of vmap, vmap of grad of grad, per-example gradients.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as ad from '../../packages/autodiff/src/index.js';
import type { Tensor } from '../../packages/autodiff/src/index.js';

const W = new ad.Random(3).randn([6, 2]);

/** Functions of one example x [n] (n ≤ 6), each exercising a batching rule or the per-example fallback. */
const FNS: readonly { readonly name: string; readonly f: (x: Tensor) => Tensor }[] = [
  { name: 'sum of sin(x) x', f: (x) => ad.sum(ad.mul(ad.sin(x), x)) },
  { name: 'logsumexp', f: (x) => ad.logsumexp(ad.mul(x, 2)) },
  { name: 'softmax', f: (x) => ad.softmax(x) },
  { name: 'exp / (1 + x²), max', f: (x) => ad.add(ad.div(ad.exp(x), ad.add(1, ad.square(x))), ad.max(ad.tanh(x))) },
  { name: 'matmul with a constant', f: (x) => ad.matmul(ad.reshape(x, [1, x.shape[0]!]), ad.slice(W, [0, 0], [x.shape[0]!, 2])) },
  { name: 'outer product, transposed, mean over rows', f: (x) => ad.mean(ad.transpose(ad.outer(x, ad.sqrt(ad.add(ad.square(x), 1)))), 0) },
  { name: 'slice and broadcast', f: (x) => ad.mul(ad.slice(x, [1]), ad.broadcastTo(ad.sum(x), [x.shape[0]! - 1])) },
  { name: 'where and comparisons', f: (x) => ad.where(ad.gt(x, 0), ad.log1p(ad.square(x)), ad.neg(x)) },
  { name: 'determinant, inverse and log-determinant of x xᵀ + I', f: (x) => {
    const m = ad.add(ad.outer(x, x), ad.eye(x.shape[0]!));
    return ad.add(ad.add(ad.det(m), ad.sum(ad.inv(m))), ad.logdet(m));
  } },
  { name: 'concat with a shared piece, eigenvalues', f: (x) => ad.concat([x, ad.reshape(ad.slice(W, [0, 0], [2, 1]), [2]), ad.eigvalsh(ad.outer(x, x))]) },
  { name: 'gather with shared indices (and scatterAdd in its gradient)', f: (x) => ad.gather(x, [0, 0, 1]) },
  { name: 'gather of a matrix by a matrix of indices', f: (x) => ad.sum(ad.gather(ad.outer(x, x), ad.tensor([[0, 2], [1, 1]])), 2) },
  { name: 'solve (no batching rule: per example)', f: (x) => ad.solve(ad.add(ad.outer(x, x), ad.eye(x.shape[0]!)), x) },
];

/** Example i of x along `axis`. */
const exampleOf = (x: Tensor, axis: number, i: number): Tensor => ad.squeeze(ad.slice(x, x.shape.map((_, a) => (a === axis ? i : 0)), x.shape.map((d, a) => (a === axis ? i + 1 : d))), axis);

const close = (a: Tensor, b: Tensor, tol = 1e-12): void => {
  expect(a.shape).toEqual(b.shape);
  const worst = Math.max(0, ...Array.from(a.data, (x, i) => Math.abs(x - b.data[i]!) / Math.max(1, Math.abs(b.data[i]!))));
  expect(worst).toBeLessThanOrEqual(tol);
};

/** Central differences of a scalar function of x, per coordinate. */
function finiteDifference(f: (x: Tensor) => number, x: Tensor, h = 1e-5): Tensor {
  const out = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const plus = Float64Array.from(x.data);
    const minus = Float64Array.from(x.data);
    plus[i]! += h;
    minus[i]! -= h;
    out[i] = (f(ad.tensor(plus, x.shape)) - f(ad.tensor(minus, x.shape))) / (2 * h);
  }
  return ad.tensor(out, x.shape);
}

describe('vmap equals a loop over examples', () => {
  it('for every function, batch size, example length, in-axis and out-axis', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FNS.length - 1 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 3, max: 6 }), fc.boolean(), fc.boolean(), (k, B, n, axis1, out1) => {
        const { f } = FNS[k]!;
        const inAxis = axis1 ? 1 : 0;
        const xs = new ad.Random(k * 100 + B * 10 + n).randn(inAxis === 0 ? [B, n] : [n, B]);
        const looped = ad.stack(Array.from({ length: B }, (_, i) => f(exampleOf(xs, inAxis, i))), 0);
        const outAxis = out1 && looped.rank > 1 ? 1 : 0;
        const batched = ad.vmap(f, { inAxes: inAxis, outAxis })(xs);
        close(outAxis === 0 ? batched : ad.swapAxes(batched, 0, 1), looped);
      }),
      { numRuns: 60 },
    );
  });

  it('of the gradient of every function (their backward graphs: padSlice, scatterAdd, inv, ...)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FNS.length - 1 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 3, max: 6 }), (k, B, n) => {
        const { f } = FNS[k]!;
        const g = ad.grad((x: Tensor) => ad.sum(ad.mul(f(x), f(x))));
        const xs = new ad.Random(k * 7 + B * 3 + n).randn([B, n]);
        const looped = ad.stack(Array.from({ length: B }, (_, i) => g(exampleOf(xs, 0, i))), 0);
        close(ad.vmap(g)(xs), looped, 1e-10);
      }),
      { numRuns: 40 },
    );
  });

  it('with an unbatched argument, and nested: vmap(vmap(f)) over two axes', () => {
    const r = new ad.Random(9);
    const A = r.randn([3, 4, 5]);
    const c = r.randn([5]);
    const f = (x: Tensor, y: Tensor): Tensor => ad.sum(ad.mul(ad.tanh(x), y));
    const inner = ad.vmap(f, { inAxes: [0, null] });
    const both = ad.vmap(inner, { inAxes: [0, null] })(A, c);
    const loop = ad.stack(Array.from({ length: 3 }, (_, i) => ad.stack(Array.from({ length: 4 }, (_, j) => f(exampleOf(exampleOf(A, 0, i), 0, j), c)))));
    close(both, loop);
  });

  it('batched indices (gather has no rule for them: per example)', () => {
    const xs = new ad.Random(12).randn([3, 4]);
    const idx = ad.tensor([[0, 3], [2, 2], [1, 0]]);
    const f = (x: Tensor, i: Tensor): Tensor => ad.mul(ad.gather(x, i), 2);
    const loop = ad.stack([0, 1, 2].map((b) => f(exampleOf(xs, 0, b), exampleOf(idx, 0, b))));
    close(ad.vmap(f)(xs, idx), loop);
  });

  it('inside compile, the same values as eager', () => {
    const xs = new ad.Random(4).randn([5, 4]);
    const f = (x: Tensor): Tensor => ad.logsumexp(ad.mul(ad.sin(x), x));
    const plan = ad.compile((x: Tensor) => ad.vmap(f)(x), [[5, 4]]);
    close(plan.run([xs])[0]!, ad.vmap(f)(xs));
  });
});

describe('vmap composes with differentiation', () => {
  const s = (x: Tensor): Tensor => ad.mul(ad.mul(ad.mul(x, x), x), ad.sin(x)); // x³ sin x

  it('vmap(grad(grad(f))): second derivatives of every example, against the loop and the exact formula', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 8 }), (values) => {
        const xs = ad.tensor(values);
        const batched = ad.vmap(ad.grad(ad.grad(s)))(xs);
        const loop = ad.stack(values.map((v) => ad.grad(ad.grad(s))(ad.scalar(v))));
        close(batched, loop);
        // (x³ sin x)'' = 6x sin x + 6x² cos x − x³ sin x
        const exact = ad.tensor(values.map((x) => 6 * x * Math.sin(x) + 6 * x * x * Math.cos(x) - x ** 3 * Math.sin(x)));
        close(batched, exact, 1e-10);
      }),
      { numRuns: 30 },
    );
  });

  it('vmap(grad(grad(f))) on vectors: the Hessian diagonal sums of each example against finite differences', () => {
    const f = (x: Tensor): Tensor => ad.logsumexp(ad.mul(ad.sin(x), x));
    const lap = (x: Tensor): Tensor => ad.grad((y: Tensor) => ad.sum(ad.mul(ad.grad(f)(y), ad.ones(y.shape))))(x);
    const xs = new ad.Random(5).randn([4, 3]);
    const batched = ad.vmap(lap)(xs);
    for (let i = 0; i < 4; i++) {
      const x = exampleOf(xs, 0, i);
      const fd = finiteDifference((y) => ad.sum(ad.grad(f)(y)).item(), x);
      close(exampleOf(batched, 0, i), fd, 1e-6);
    }
  });

  it('per-example gradients: vmap(grad(loss)) with the parameters unbatched, against a loop; their sum is the batch gradient', () => {
    const r = new ad.Random(6);
    const params = { W: r.randn([3, 2]), b: r.randn([2]) };
    const X = r.randn([7, 3]);
    const Y = r.randn([7, 2]);
    const loss = (p: typeof params, x: Tensor, y: Tensor): Tensor => ad.sum(ad.square(ad.sub(ad.tanh(ad.add(ad.matmul(ad.reshape(x, [1, 3]), p.W), p.b)), y)));
    const perExample = ad.vmap(ad.grad(loss), { inAxes: [null, 0, 0] })(params, X, Y);
    expect(perExample.W.shape).toEqual([7, 3, 2]);
    for (let i = 0; i < 7; i++) {
      const g = ad.grad(loss)(params, exampleOf(X, 0, i), exampleOf(Y, 0, i));
      close(exampleOf(perExample.W, 0, i), g.W);
      close(exampleOf(perExample.b, 0, i), g.b);
    }
    const total = ad.grad((p: typeof params) => ad.sum(ad.vmap(loss, { inAxes: [null, 0, 0] })(p, X, Y)))(params);
    close(total.W, ad.sum(perExample.W, 0));
    close(total.b, ad.sum(perExample.b, 0));
  });

  it('grad of a vmap against finite differences', () => {
    const xs = new ad.Random(8).randn([3, 4]);
    const g = (x: Tensor): Tensor => ad.sum(ad.vmap((row: Tensor) => ad.mul(ad.logsumexp(row), ad.max(row)))(x));
    close(ad.grad(g)(xs), finiteDifference((x) => g(x).item(), xs), 1e-7);
  });

  it('vmap of a jvp: a Hessian-vector product per example', () => {
    const f = (x: Tensor): Tensor => ad.sum(ad.mul(ad.exp(x), ad.square(x)));
    const r = new ad.Random(10);
    const xs = r.randn([4, 3]);
    const vs = r.randn([4, 3]);
    const hv = ad.vmap((x: Tensor, v: Tensor) => ad.jvp(ad.grad(f), [x], [v])[1])(xs, vs);
    for (let i = 0; i < 4; i++) close(exampleOf(hv, 0, i), ad.hvp(f, exampleOf(xs, 0, i), exampleOf(vs, 0, i)));
  });
});

describe('vmap errors', () => {
  it('names batch sizes that disagree, an axis out of range and a call with nothing batched', () => {
    const f = (x: Tensor, y: Tensor): Tensor => ad.add(x, y);
    expect(() => ad.vmap(f)(ad.zeros([3, 2]), ad.zeros([4, 2]))).toThrow('vmap argument 1 has 4 examples along axis 0, others have 3');
    expect(() => ad.vmap(f, { inAxes: 2 })(ad.zeros([3, 2]), ad.zeros([3, 2]))).toThrow('axis 2 is out of range for rank 2');
    expect(() => ad.vmap(f, { inAxes: null })(ad.zeros([3]), ad.zeros([3]))).toThrow('no argument is batched');
  });
});

describe('batching is real where a rule exists', () => {
  /** Kernels of the compiled vmap of f over a batch of B examples of length 5. */
  const kernels = (f: (x: Tensor) => Tensor, B: number): number => ad.compile((x: Tensor) => ad.vmap(f)(x), [[B, 5]]).stats.kernels;

  it('the plan of a function with rules does not grow with the batch; one without (solve) runs per example', () => {
    const withRules = (x: Tensor): Tensor => ad.logsumexp(ad.add(ad.matmul(ad.reshape(x, [1, 5]), ad.slice(W, [0, 0], [5, 2])), ad.sum(ad.sin(x))));
    expect(kernels(withRules, 40)).toBe(kernels(withRules, 2));
    const solved = (x: Tensor): Tensor => ad.sum(ad.solve(ad.add(ad.outer(x, x), ad.eye(5)), x));
    expect(kernels(solved, 40)).toBeGreaterThan(kernels(solved, 2));
    expect(ad.batchRuleOf('solve')).toBeUndefined();
    const gathered = (x: Tensor): Tensor => ad.sum(ad.gather(x, [0, 2, 2]));
    expect(kernels(gathered, 40)).toBe(kernels(gathered, 2));
    expect(ad.batchRuleOf('matmul')).toBeDefined();
  });
});

describe('batchGraph', () => {
  it('batches a graph over given batched leaves, a product with a transposed batched operand through its flag, and equals the loop', () => {
    const p = ad.placeholder([3, 3]);
    const c = ad.tensor([[1, 2, 0], [0, 1, 3], [2, 0, 1]]);
    const f = ad.sum(ad.square(ad.sub(ad.matmul(ad.transpose(p), p), c)));
    const xs = new ad.Random(5).randn([4, 3, 3]);
    const batchedInput = ad.placeholder([4, 3, 3]);
    const [out] = ad.batchGraph([f], new Map([[p.id, batchedInput]]), 4, { own: (n) => n.inputs.length > 0, perExample: false, reuseShared: true });
    expect(out!.batched).toBe(true);
    // the product reads the batched input itself, transposed by its flag (no transpose node)
    const nodes: Tensor[] = [];
    const walk = (t: Tensor): void => { nodes.push(t); t.inputs.forEach(walk); };
    walk(out!.value);
    const product = nodes.find((t) => t.prim?.name === 'matmul')!;
    expect(product.inputs).toEqual([batchedInput, batchedInput]);
    expect(product.attrs).toMatchObject({ transA: true, transB: false });
    expect(nodes.some((t) => t.prim?.name === 'transpose')).toBe(false);
    const got = Array.from(ad.planOf([batchedInput], [out!.value]).run([xs])[0]!.data);
    const want = [0, 1, 2, 3].map((b) => {
      const x = ad.reshape(ad.slice(xs, [b, 0, 0], [b + 1, 3, 3]), [3, 3]);
      return ad.sum(ad.square(ad.sub(ad.matmul(ad.transpose(x), x), c))).item();
    });
    expect(got).toEqual(want);
  });

  it('throws MissingBatchRuleError instead of looping over examples when asked', () => {
    const p = ad.placeholder([3]);
    const idx = ad.placeholder([2]);
    const g = ad.gather(p, idx);
    const given = new Map([[p.id, ad.tensor([[1, 2, 3], [4, 5, 6]])], [idx.id, ad.tensor([[0, 1], [2, 0]])]]);
    expect(() => ad.batchGraph([g], given, 2, { own: (n) => n.inputs.length > 0, perExample: false })).toThrow(ad.MissingBatchRuleError);
    const [looped] = ad.batchGraph([g], given, 2, { own: (n) => n.inputs.length > 0 });
    expect(looped!.value.toArray()).toEqual([[1, 2], [6, 4]]);
  });
});
