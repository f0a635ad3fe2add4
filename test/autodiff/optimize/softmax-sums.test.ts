// The softmax's derivative without the terms constant along its axis (optimize/softmax-sums.ts):
// a gradient of a gradient through logsumexp loses the row sums those terms cost, and keeps its
// values, including 0 on rows of -inf and NaN on NaN rows.
import { describe, expect, it } from 'vitest';
import {
  add, backward, constant, logsumexp, matmul, mul, neg, OPTIONAL_PASSES, placeholder, planOf, Random, reshape, softmax, square, sub, sum, transpose,
  type PlanOptions, type Tensor,
} from '@descent/autodiff';

const withoutPass: PlanOptions = { passes: OPTIONAL_PASSES.filter((p) => p !== 'softmax-sums') };

/** The outputs of `outputs` under each of the options, on the same inputs. */
function runAll(inputs: Tensor[], outputs: Tensor[], values: Float64Array[], options: PlanOptions[]): Float64Array[][] {
  return options.map((o) => planOf(inputs, outputs, o).run(values).map((t) => Float64Array.from(t.data)));
}

/** Equal where finite (to `tol`, relative), and the same non-finite values elsewhere. */
function expectSame(got: Float64Array[], want: Float64Array[], tol = 1e-13): void {
  got.forEach((g, k) => {
    const w = want[k]!;
    expect(g.length).toBe(w.length);
    for (let i = 0; i < g.length; i++) {
      if (Number.isFinite(w[i]!)) expect(Math.abs(g[i]! - w[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i]!)));
      else expect(String(g[i])).toBe(String(w[i]));
    }
  });
}

/** The P3 loss with the score taken by a gradient: |∇_y logsumexp_i(-c |y - μ_i|²) - t|², and its gradient in μ. */
function scoreMatching(n: number, d: number, rows: number): { inputs: Tensor[]; outputs: Tensor[] } {
  const y = placeholder([rows, d], 'y');
  const mu = placeholder([n, d], 'mu');
  const t = placeholder([rows, d], 't');
  // |y - μ_i|² = |y|² + |μ_i|² - 2 y·μ_i: y enters broadcast along i
  const dist = (v: Tensor): Tensor =>
    sub(add(reshape(sum(square(v), [1]), [rows, 1]), reshape(sum(square(mu), [1]), [1, n])), mul(2, matmul(v, transpose(mu))));
  const logp = sum(logsumexp(mul(-0.25, dist(y)), [1]));
  const [score] = backward(logp, [y]) as [Tensor];
  const loss = sum(square(sub(score, t)));
  return { inputs: [y, mu, t], outputs: [loss, ...backward(loss, [mu])] };
}

describe('softmax-sums', () => {
  it('a gradient of a gradient through logsumexp: same values, one row sum and one loop fewer', () => {
    const { inputs, outputs } = scoreMatching(7, 3, 200);
    const rng = new Random(11);
    const values = inputs.map((t) => rng.randn(t.shape).data);
    const [on, off, reference] = runAll(inputs, outputs, values, [{}, withoutPass, { passes: [], reuseBuffers: false }]);
    expectSame(on!, reference!);
    expectSame(off!, reference!);
    const kernels = (o: PlanOptions): number => planOf(inputs, outputs, o).stats.kernels;
    expect(kernels({})).toBeLessThan(kernels(withoutPass));
    // the row sum of g ⊙ y that only fed the dropped term is gone
    expect(planOf(inputs, outputs).dump().match(/\[200\] \{/g)?.length ?? 0).toBeLessThan(planOf(inputs, outputs, withoutPass).dump().match(/\[200\] \{/g)!.length);
  });

  it('keeps 0 on rows of -inf, NaN on NaN rows, over either axis', () => {
    for (const axis of [0, 1]) {
      // x + b with b broadcast along the axis: the gradient in b is a sum of the softmax along
      // it, whose own gradient in x sends back a term constant along the axis
      const x = placeholder([3, 4], 'x');
      const b = placeholder(axis === 1 ? [3, 1] : [1, 4], 'b');
      const w = placeholder([3, 4], 'w');
      const z = placeholder(b.shape, 'z');
      const [gx, gb] = backward(sum(logsumexp(add(x, b), [axis])), [x, b]) as [Tensor, Tensor];
      const outer = add(sum(mul(gx, w)), sum(mul(gb, z)));
      const outputs = [gx, gb, ...backward(outer, [x, b])];
      // one row (axis 1) or column (axis 0) of -inf, one with a NaN
      const xs = axis === 1
        ? [0.5, -1, 2, 0.25, -Infinity, -Infinity, -Infinity, -Infinity, NaN, 0, 1, 3]
        : [0.5, -Infinity, NaN, 0.25, -1, -Infinity, 0, 3, 2, -Infinity, 1, -0.5];
      const values = [Float64Array.from(xs), ...[b, w, z].map((t, k) => new Random(20 + k).randn(t.shape).data)];
      const [on, off] = runAll([x, b, w, z], outputs, values, [{}, { passes: [], reuseBuffers: false }]);
      expectSame(on!, off!);
      const gxx = on![2]!;
      const emptyRow = axis === 1 ? [4, 5, 6, 7] : [1, 5, 9];
      const nanRow = axis === 1 ? [8, 9, 10, 11] : [2, 6, 10];
      for (const i of emptyRow) expect(Math.abs(gxx[i]!)).toBe(0);
      for (const i of nanRow) expect(gxx[i]).toBeNaN();
      expect(planOf([x, b, w, z], outputs).dump()).not.toEqual(planOf([x, b, w, z], outputs, withoutPass).dump());
    }
  });

  it('drops terms through sums, negations and scales constant along the axis, and nothing else', () => {
    const v = placeholder([5, 6], 'v');
    const c = placeholder([5, 1], 'c');
    const s = placeholder([5, 1], 's');
    const r = placeholder([1, 6], 'r'); // varies along the axis: kept
    const p = softmax(v, 1);
    const rule = (u: Tensor): Tensor => mul(p, sub(u, sum(mul(u, p), 1, { keepDims: true })));
    const u = mul(sub(neg(add(c, v)), mul(c, s)), s); // (−(c + v) − c·s)·s: v·s varies, the rest does not
    const kept = add(add(v, c), r);
    const outputs = [rule(u), rule(kept)];
    const rng = new Random(5);
    const values = [v, c, s, r].map((t) => rng.randn(t.shape).data);
    const [on, off] = runAll([v, c, s, r], outputs, values, [{}, { passes: [], reuseBuffers: false }]);
    expectSame(on!, off!);
    const dump = planOf([v, c, s, r], [rule(u)]).dump();
    expect(dump).not.toMatch(new RegExp(`%${c.id}\\b`)); // c no longer read
    expect(planOf([v, c, s, r], [rule(kept)]).dump()).not.toMatch(new RegExp(`%${c.id}\\b`));
    expect(planOf([v, c, s, r], [rule(kept)]).dump()).toMatch(new RegExp(`%${r.id}\\b`));
  });

  it('leaves a rule whose u is an untracked product of constants (no inputs kept) as it is', () => {
    // the gradient of sum(y ⊙ softmax(z)) with y constant: u is y ⊙ 1, computed while tracing
    const w = placeholder([3, 4]);
    const x = constant(new Random(1).randn([6, 3]).data, [6, 3]);
    const y = constant(new Random(2).rand([6, 4], 0, 1).data, [6, 4]);
    const loss = sum(mul(y, softmax(matmul(x, w), 1)));
    const outputs = [loss, ...backward(loss, [w])];
    const [on, off] = runAll([w], outputs, [new Random(3).randn([3, 4]).data], [{}, withoutPass]);
    expectSame(on!, off!);
  });
});
