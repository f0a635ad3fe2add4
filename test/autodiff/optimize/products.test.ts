// Matrix-product rewrites before planning (optimize/products.ts): transposes folded into the
// flags, one-element scales moved off large operands, products sharing an operand merged in a
// sum. Each plan is compared with the plan without optimizations (one kernel per node).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, backward, constant, div, exp, grad, matmul, matmulT, mul, neg, norm, placeholder, planOf, Random, reshape, sub, sum, transpose, type Tensor,
} from '@descent/autodiff';

function compare(inputs: Tensor[], outputs: Tensor[], seed = 1): { dump: string } {
  const on = planOf(inputs, outputs);
  const off = planOf(inputs, outputs, { passes: [], reuseBuffers: false });
  const rng = new Random(seed);
  const values = inputs.map((t) => rng.randn(t.shape).data);
  const a = on.run(values).map((t) => Float64Array.from(t.data));
  const b = off.run(values).map((t) => Float64Array.from(t.data));
  a.forEach((x, k) => {
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - b[k]![i]!) / (1 + Math.abs(b[k]![i]!)));
    expect(worst).toBeLessThan(1e-13);
  });
  return { dump: on.dump() };
}

const count = (dump: string, op: string): number => dump.split('\n').filter((l) => l.includes(`= ${op}(`)).length;

describe('matrix-product rewrites', () => {
  it('folds transposes of operands and of products into the flags', () => {
    const a = placeholder([5, 3], 'a');
    const b = placeholder([5, 4], 'b');
    const { dump } = compare([a, b], [matmul(transpose(a), b), transpose(matmul(transpose(b), a))]);
    expect(count(dump, 'transpose')).toBe(0);
  });

  it('moves a one-element scale off an operand larger than the product', () => {
    const p = placeholder([300, 5], 'p');
    const x = placeholder([300, 4], 'x');
    const c = placeholder([], 'c');
    const { dump } = compare([p, x, c], [matmulT(mul(neg(p), c), x, { transA: true })]);
    expect(dump).not.toMatch(/\[300, 5\] \{/); // no loop over the [300, 5] operand
    expect(dump).toMatch(/\[5, 4\] \{.*\*/);
  });

  it('moves a scale and a negation off an operand read only by smaller products, into each', () => {
    const p = placeholder([300, 10], 'p');
    const w = placeholder([10, 5], 'w');
    const y = placeholder([300, 5], 'y');
    const c = placeholder([], 'c');
    const s = mul(neg(p), c); // read by two products, each smaller than it
    const { dump } = compare([p, w, y, c], [matmul(s, w), matmulT(s, y, { transA: true })]);
    expect(dump).not.toMatch(/\[300, 10\] \{/); // no pass computes the scaled [300, 10] operand
    expect(count(dump, 'matmul')).toBe(2);
  });

  it('moves a scale read by a product and by loops off the product; the loops compute it themselves', () => {
    const p = placeholder([300, 10], 'p');
    const w = placeholder([10, 5], 'w');
    const c = placeholder([], 'c');
    const s = mul(p, c);
    const { dump } = compare([p, w, c], [matmul(s, w), sum(s, [1])]);
    expect(dump).toMatch(new RegExp(`= matmul\\(%${p.id}, %${w.id}\\) \\[300, 5\\]`)); // reads p itself
    expect(dump).not.toMatch(new RegExp(`= mul\\(%${p.id}`)); // s is never stored: the sum computes it
    // read by a loop as well, it is still computed there (not moved when a consumer is a product larger than it)
    compare([p, w, c], [matmul(s, w), add(s, p)]);
  });

  it('takes a uniform constant array as the one value it holds (a gradient seed of ones)', () => {
    const p = placeholder([300, 10], 'p');
    const w = placeholder([10, 5], 'w');
    const twos = constant(new Float64Array(3000).fill(2), [300, 10]);
    const s = mul(twos, p);
    const { dump } = compare([p, w], [matmul(s, w), sum(s, [1])]);
    expect(dump).toMatch(new RegExp(`= matmul\\(%${p.id}, %${w.id}\\) \\[300, 5\\]`));
  });

  it('moves a scale off an operand as large as the product when only loops read the product', () => {
    // P·M and Pᵀ·G with P = c·S [300, 10] and M [10, 10]: the product is as large as P; its
    // reader (an add) applies c itself, so c·S is never stored (a nested gradient's softmax)
    const s = placeholder([300, 10], 's');
    const m = placeholder([10, 10], 'm');
    const g = placeholder([300, 4], 'g');
    const c = placeholder([], 'c');
    const p = mul(s, c);
    const { dump } = compare([s, m, g, c], [add(matmul(p, m), s), matmulT(p, g, { transA: true })]);
    expect(dump).toMatch(new RegExp(`= matmul\\(%${s.id}, %${m.id}\\) \\[300, 10\\]`)); // reads S itself
    expect(dump).not.toMatch(new RegExp(`= mul\\(%${s.id}`)); // c·S is never stored
    // a product read by another product keeps the scale on its operand of the same size
    const kept = compare([s, m, c], [matmul(matmul(p, m), transpose(m))]).dump;
    expect(kept).toMatch(new RegExp(`= mul\\(%${s.id}, %${c.id}\\) \\[300, 10\\]`));
  });

  it('keeps the scale where the product is the larger array', () => {
    const w = placeholder([5, 5], 'w');
    const x = placeholder([300, 5], 'x');
    const { dump } = compare([w, x], [matmul(x, neg(w))]);
    expect(dump).toMatch(/= neg\(%\d+\) \[5, 5\]/);
  });

  it('merges products sharing an operand in a sum: A·X + B·X and X·A + X·Bᵀ', () => {
    const [a, b, x] = ['a', 'b', 'x'].map((n) => placeholder([6, 6], n)) as [Tensor, Tensor, Tensor];
    const left = compare([a, b, x], [add(matmul(a, x), matmul(b, x))]);
    expect(count(left.dump, 'matmul')).toBe(1);
    const right = compare([a, b, x], [add(matmul(x, a), matmulT(x, b, { transB: true }))]);
    expect(count(right.dump, 'matmul')).toBe(1);
  });

  it('needs 3 products instead of 5 for the gradient of |W1ᵀW1 - W2W2ᵀ|² + |W1 W2 - S|² w.r.t. W1', () => {
    const w1 = placeholder([6, 6], 'w1');
    const w2 = placeholder([6, 6], 'w2');
    const s = placeholder([6, 6], 's');
    const loss = (v: Tensor): Tensor => {
      const r = sub(matmul(transpose(v), v), matmul(w2, transpose(w2)));
      const f = sub(matmul(v, w2), s);
      return add(sum(mul(r, r)), sum(mul(f, f)));
    };
    const g = grad(loss)(w1);
    const { dump } = compare([w1, w2, s], [g]);
    const off = planOf([w1, w2, s], [g], { passes: [], reuseBuffers: false }).dump();
    expect(count(off, 'matmul')).toBeGreaterThan(count(dump, 'matmul'));
  });

  it('takes a symmetric matrix (XᵀX, X Xᵀ, elementwise functions of them) as its own transpose, and no other', () => {
    const [x, y] = ['x', 'y'].map((n) => placeholder([5, 5], n)) as [Tensor, Tensor];
    const g = mul(2, neg(sub(matmul(transpose(x), x), matmul(y, transpose(y))))); // symmetric
    const sym = compare([x, y], [add(matmul(x, g), matmul(x, transpose(g)))]);
    expect(count(sym.dump, 'transpose')).toBe(0);
    expect(count(sym.dump, 'matmul')).toBe(3); // XᵀX, Y Yᵀ, and X (G + G) merged
    // X·Y is not symmetric, nor X Xᵀ plus a non-symmetric term, nor X·X (no transpose flag)
    for (const h of [matmul(x, y), add(matmul(x, transpose(x)), y), matmul(x, x)]) {
      const kept = compare([x, y], [add(matmul(x, h), matmul(x, transpose(h)))]);
      expect(count(kept.dump, 'transpose')).toBe(1);
    }
    // v vᵀ and commutative functions of v as a column and a row (the two norms: equal nodes) are
    // symmetric; a difference of them, or two different vectors, are not
    const nx = (): Tensor => norm(x, 1);
    const outer = mul(reshape(nx(), [5, 1]), reshape(nx(), [1, 5]));
    expect(count(compare([x, y], [add(matmul(x, outer), matmul(x, transpose(outer)))]).dump, 'transpose')).toBe(0);
    for (const h of [sub(reshape(nx(), [5, 1]), reshape(nx(), [1, 5])), mul(reshape(nx(), [5, 1]), reshape(norm(y, 1), [1, 5]))]) {
      expect(count(compare([x, y], [add(matmul(x, h), matmul(x, transpose(h)))]).dump, 'transpose')).toBe(1);
    }
    // the gradient of the regularizer |W2ᵀW2 - W1W1ᵀ|² w.r.t. both: no transposed copy at all
    const b = sub(matmul(transpose(y), y), matmul(x, transpose(x)));
    const grads = backward(sum(mul(b, b)), [x, y]);
    expect(count(compare([x, y], grads).dump, 'transpose')).toBe(0);
  });

  it('folds over axis 0 of a symmetric expression as folds over axis 1 of its transpose: both sums of S ⊙ v vᵀ in one loop', () => {
    const x = placeholder([6, 4], 'x');
    const y = placeholder([6, 6], 'y');
    const nx = (): Tensor => norm(x, 1);
    const s = div(matmul(x, transpose(x)), mul(reshape(nx(), [6, 1]), reshape(nx(), [1, 6]))); // cosines: symmetric
    const e = (v: Tensor, asRow: boolean): Tensor => mul(exp(s), reshape(v, asRow ? [1, 6] : [6, 1]));
    // Σ_i E_ij v_i and Σ_j E_ij v_j: the column sums become the row sums, one reduction left, bit-identical
    const both = [sum(e(nx(), false), [0]), sum(e(nx(), true), [1]), sum(e(nx(), false), [0], { keepDims: true })];
    const { dump } = compare([x, y], both);
    expect(count(dump, 'sum')).toBe(1);
    expect(dump).not.toMatch(/\[6, 6\] \{/); // the whole expression is computed inside the sum's loop
    const on = planOf([x, y], both).run([new Random(3).randn([6, 4]).data, new Float64Array(36)]).map((t) => Array.from(t.data));
    expect(on[0]).toEqual(on[1]);
    expect(on[2]).toEqual(on[0]);
    // not for a non-symmetric matrix (y), nor a vector of another length laid out as a row
    expect(count(compare([x, y], [sum(mul(y, reshape(nx(), [6, 1])), [0]), sum(mul(y, reshape(nx(), [1, 6])), [1])]).dump, 'sum')).toBe(2);
    // nor a column that is not a vector laid out (its row layout is not known): stored, then summed down the columns
    const z = placeholder([6, 1], 'z');
    expect(compare([x, y, z], [sum(mul(s, z), [0])]).dump).toMatch(/\[6, 6\] \{/);
  });

  it('random sums of products of shared square matrices, any flags, transposed or negated terms', () => {
    const term = fc.record({
      i: fc.nat(2), j: fc.nat(2), ta: fc.boolean(), tb: fc.boolean(), wrap: fc.constantFrom('none', 'transpose', 'neg'),
    });
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 6 }), fc.nat(100), (ts, seed) => {
        const pool = ['p', 'q', 'r'].map((n) => placeholder([7, 7], n));
        const parts = ts.map(({ i, j, ta, tb, wrap }) => {
          const m = matmulT(pool[i]!, pool[j]!, { transA: ta, transB: tb });
          return wrap === 'transpose' ? transpose(m) : wrap === 'neg' ? neg(m) : m;
        });
        let total = parts[0]!;
        for (const p of parts.slice(1)) total = add(total, p);
        compare(pool, [total, mul(total, total), parts[0]!], seed); // parts[0] also used alone: not merged away
      }),
      { numRuns: 150 },
    );
  });
});
