// The softmax-affine pass (optimize/softmax-affine.ts): which softmax nodes of affine logits become one
// kernel with their logits (and a product by row weights reading them), which do not, and that the
// plans give the values of the plan without the pass, on the native and on the JS softmax.
import { afterEach, describe, expect, it } from 'vitest';
import {
  add, backward, constant, logsumexp, matmul, mul, neg, OPTIONAL_PASSES, placeholder, planOf, Random, reshape, softmax, square, sub, sum,
  transpose, type Tensor,
} from '@descent/autodiff';
import { kernelBackend, kernelBackends, setKernelBackend } from '../../../packages/autodiff/src/kernels/registry.js';

const initial = kernelBackend('softmax');
afterEach(() => setKernelBackend('softmax', initial));

const WITHOUT = { passes: OPTIONAL_PASSES.filter((p) => p !== 'softmax-affine') };

/**
 * The gradient-em loss: -sum_r q_r logsumexp_j(log w_j + x_r·mu_j - |mu_j|²/2) over R points of
 * dimension d and n components, and its gradient in mu (a softmax of the same logits, times -q_r).
 */
function mixture(R: number, d: number, n: number): { inputs: Tensor[]; outputs: Tensor[]; values: Float64Array[] } {
  const r = new Random(3);
  const x = constant(r.randn([R, d]).data, [R, d]);
  const q = constant(r.rand([R], 0, 1).data, [R]);
  const logw = constant(new Float64Array(n).fill(Math.log(1 / n)), [1, n]);
  const mu = placeholder([n, d], 'mu');
  const half = reshape(mul(0.5, sum(square(mu), [1])), [1, n]);
  const logits = sub(add(logw, matmul(x, transpose(mu))), half);
  const loss = neg(sum(mul(q, logsumexp(logits, [1]))));
  return { inputs: [mu], outputs: [loss, ...backward(loss, [mu])], values: [r.randn([n, d]).data] };
}

/** The plan's outputs with and without the pass, and its listing. */
function bothWays(inputs: Tensor[], outputs: Tensor[], values: Float64Array[]): { fused: Float64Array[]; plain: Float64Array[]; dump: string } {
  const on = planOf(inputs, outputs);
  const off = planOf(inputs, outputs, WITHOUT);
  const fused = on.run(values).map((t) => Float64Array.from(t.data));
  const plain = off.run(values).map((t) => Float64Array.from(t.data));
  return { fused, plain, dump: on.dump() };
}

function expectClose(got: Float64Array[], want: Float64Array[], tol: number): void {
  got.forEach((g, k) => {
    for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - want[k]![i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(want[k]![i]!)));
  });
}

describe('the softmax-affine pass', () => {
  it('computes a mixture\'s logits, softmax, logsumexp and weighted responsibilities in one kernel, with the unfused values', () => {
    for (const backend of kernelBackends('softmax')) {
      setKernelBackend('softmax', backend);
      for (const [R, d, n] of [[400, 2, 5], [37, 3, 4], [9, 1, 2]] as const) {
        const { inputs, outputs, values } = mixture(R, d, n);
        const { fused, plain, dump } = bothWays(inputs, outputs, values);
        expect(dump).toMatch(/= softmax\(%\d+ · %\d+ᵀ \+ bias\(%\d+, %\d+\)\) · rows of %\d+ \[\d+, \d+\] \(\+ logsumexp of its rows\) \(\+ its column sums\) \(\+ its ᵀ·A\)/);
        expect(dump).toMatch(/= sum\(%\d+\) \[\d+\] \(its column sums, negated, from the softmax's kernel\)/);
        expect(dump).toMatch(/= matmul\(%\d+\) \[\d+, \d+\] \(its ᵀ·A, from the softmax's kernel\)/);
        // one kernel instead of the product, the bias loop, the softmax and the weighting (the sums' steps are copies)
        expect(planOf(inputs, outputs).stats.kernels).toBe(planOf(inputs, outputs, WITHOUT).stats.kernels - 3);
        expectClose(fused, plain, 1e-14);
      }
    }
  });

  it('takes a softmax alone (no logsumexp, no weights) and a product B not transposed', () => {
    const x = constant(new Random(1).randn([30, 3]).data, [30, 3]);
    const w = placeholder([3, 6]);
    const b = placeholder([6]);
    const y = constant(new Random(2).rand([30, 6], 0, 1).data, [30, 6]);
    const p = softmax(add(matmul(x, w), b), 1);
    const loss = sum(mul(y, p));
    const { fused, plain, dump } = bothWays([w, b], [loss, ...backward(loss, [w, b])], [new Random(4).randn([3, 6]).data, new Random(5).randn([6]).data]);
    expect(dump).toMatch(/= softmax\(%\d+ · %\d+ \+ bias\(%\d+\)\) \[30, 6\]$/m);
    expectClose(fused, plain, 1e-14);
  });

  it('leaves alone logits read elsewhere, a product subtracted, a product of a transposed A and a full-size term', () => {
    const x = constant(new Random(1).randn([20, 3]).data, [20, 3]);
    const w = placeholder([4, 3]);
    const b = placeholder([4]);
    const full = constant(new Random(2).randn([20, 4]).data, [20, 4]);
    const xt = placeholder([3, 20]); // stored transposed: the product reads it with transA
    const xw = matmul(x, transpose(w));
    const cases: Tensor[][] = [
      [softmax(add(xw, b), 1), add(xw, b)], // the logits are an output too
      [softmax(sub(b, xw), 1)], // -A·B
      [softmax(add(matmul(transpose(xt), transpose(w)), b), 1)], // Aᵀ·B
      [softmax(add(xw, full), 1)], // a [rows, n] term: not one value per column
    ];
    for (const outputs of cases) {
      const plan = planOf([w, b, xt], outputs);
      expect(plan.dump()).not.toMatch(/bias\(/);
      const values = [new Random(4).randn([4, 3]).data, new Random(5).randn([4]).data, new Random(6).randn([3, 20]).data];
      const want = planOf([w, b, xt], outputs, WITHOUT).run(values).map((t) => Float64Array.from(t.data));
      expectClose(plan.run(values).map((t) => Float64Array.from(t.data)), want, 0);
    }
  });
});
