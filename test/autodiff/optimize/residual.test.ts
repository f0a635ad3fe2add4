// Residual sums (optimize/residual.ts): reductions of c·t or c·t², t = m - x over a matrix, become
// one pass; reductions of the same residual share it. Values against the plan without passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocationCount, exp, mean, mul, neg, placeholder, planOf, Random, sub, sum, type Tensor } from '@descent/autodiff';
import { RESIDUAL_MIN_ELEMENTS } from '../../../packages/autodiff/src/optimize/residual.js';

/** Both plans of `outputs` run on the same random inputs: the values, with and without passes, over two runs. */
function bothWays(inputs: Tensor[], outputs: Tensor[], seed: number): { dump: string; on: number[][]; off: number[][]; allocated: number } {
  const on = planOf(inputs, outputs);
  const off = planOf(inputs, outputs, { passes: [], reuseBuffers: false });
  const rng = new Random(seed);
  const a: number[][] = [], b: number[][] = [];
  let allocated = 0;
  for (let run = 0; run < 2; run++) {
    const values = inputs.map((i) => rng.randn(i.shape).data);
    const before = allocationCount().buffers;
    a.push(...on.run(values).map((t) => Array.from(t.data)));
    allocated += allocationCount().buffers - before;
    b.push(...off.run(values).map((t) => Array.from(t.data)));
  }
  return { dump: on.dump(), on: a, off: b, allocated };
}

const close = (a: number[][], b: number[][]): void => {
  a.forEach((r, k) => r.forEach((v, i) => expect(Math.abs(v - b[k]![i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[k]![i]!)))));
};

describe('residual sums', () => {
  it('compute a loss sum of squares by row and its gradient sums by column in one pass', () => {
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 300 }), fc.integer({ min: 2, max: 40 }), fc.boolean(), fc.nat(100), (rows, cols, asMean, seed) => {
        const x = placeholder([rows, cols], 'x');
        const m = placeholder([1, cols], 'm');
        const c = placeholder([], 'c');
        const t = sub(m, x);
        const value = mean(sum(mul(t, t), [1]));
        const grad = (asMean ? mean : sum)(mul(mul(c, sub(m, x)), 2), [0]);
        const { dump, on, off, allocated } = bothWays([x, m, c], [value, grad], seed);
        if (rows * cols >= RESIDUAL_MIN_ELEMENTS) {
          expect(dump).toMatch(/residual-sums\(.*rowSq.*colSum/);
          expect(dump).toMatch(/written by/);
        } else {
          expect(dump).not.toMatch(/residual-sums/);
        }
        close(on, off);
        expect(allocated).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('take a lone sum over long rows, with x alone (t = -x) or x - m, by row or by column', () => {
    const x = placeholder([100, 20], 'x');
    const m = placeholder([20], 'm');
    const c = placeholder([], 'c');
    const outputs = [sum(mul(x, x), [1]), sum(mul(c, x), [0]), mean(mul(neg(sub(x, m)), c), [1]), sum(mul(sub(x, m), sub(x, m)), [0])];
    const { dump, on, off } = bothWays([x, m, c], outputs, 5);
    // two passes: one over x alone (a row and a column sum), one over x - m (likewise)
    expect(dump.match(/residual-sums\(/g)!.length).toBe(2);
    expect(dump.match(/written by/g)!.length).toBe(2);
    close(on, off);
  });

  it('leaves other loops alone: two columns, a non-polynomial, a product of two residuals, short lone rows', () => {
    const x = placeholder([100, 20], 'x');
    const m = placeholder([1, 20], 'm');
    const n = placeholder([1, 20], 'n');
    const short = placeholder([400, 5], 's');
    const cases: [Tensor[], Tensor][] = [
      [[x, m, n], sum(mul(sub(m, x), sub(n, x)), [1])],
      [[x, m], sum(exp(sub(m, x)), [1])],
      [[x, m], sum(mul(mul(sub(m, x), sub(m, x)), sub(m, x)), [1])],
      [[short], sum(mul(short, short), [1])],
    ];
    for (const [inputs, out] of cases) expect(planOf(inputs, [out]).dump()).not.toMatch(/residual-sums/);
    // the same loops over long enough rows are taken (the last two cases' shapes are what kept them out)
    expect(planOf([x], [sum(mul(x, x), [1])]).dump()).toMatch(/residual-sums/);
  });
});
