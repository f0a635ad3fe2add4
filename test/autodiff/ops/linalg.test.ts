// Linear algebra: matmul kernels against each other, numpy shapes, det/inv values, norms at 0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocationCount, compile, det, diag, dot, eye, grad, hvp, inv, matmul, matmulT, mul, norm, normSquared,
  outer, Random, ShapeError, sum, sumsq, tensor, trace, zeros, type Tensor,
} from '@descent/autodiff';
import { batchedGemm, batchOffsets, gemmReference, type Gemm } from '../../../packages/autodiff/src/kernels/matmul.js';
import { gemmBlocked } from '../kernels.js';

const random = (n: number, rng: Random): Float64Array => rng.fillUniform(new Float64Array(n), -1, 1);

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]!));
    expect(Math.abs(actual[i]! - expected[i]!), `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol * scale);
  }
}

const flat = (t: Tensor): number[] => Array.from(t.data);

describe('matmul kernels', () => {
  const size = fc.oneof(fc.constantFrom(1, 3, 17, 65), fc.integer({ min: 1, max: 40 }));

  it('blocked agrees with reference for every transpose combination and odd sizes', () => {
    fc.assert(
      fc.property(size, size, size, fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1e6 }), (m, n, k, transA, transB, seed) => {
        const rng = new Random(seed);
        const g: Gemm = { m, n, k, transA, transB };
        // offsets inside larger buffers, as batched products use them
        const a = random(m * k + 5, rng);
        const b = random(k * n + 3, rng);
        const fast = new Float64Array(m * n + 2).fill(NaN);
        const slow = new Float64Array(m * n + 2).fill(NaN);
        gemmBlocked(g, a, 5, b, 3, fast, 2);
        gemmReference(g, a, 5, b, 3, slow, 2);
        expectAllClose(fast.subarray(2), slow.subarray(2), 1e-12 * k);
        // nothing before the output's offset is touched
        expect(Number.isNaN(fast[0]!) && Number.isNaN(fast[1]!)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('batched products read broadcast batch offsets', () => {
    const rng = new Random(3);
    const [m, k, n] = [5, 7, 9];
    // A batch [2, 1], B batch [3]: out batch [2, 3]
    const aOff = batchOffsets([2, 1], [2, 3], m * k);
    const bOff = batchOffsets([3], [2, 3], k * n);
    expect(Array.from(aOff)).toEqual([0, 0, 0, 35, 35, 35]);
    expect(Array.from(bOff)).toEqual([0, 63, 126, 0, 63, 126]);
    const a = random(2 * m * k, rng);
    const b = random(3 * k * n, rng);
    const g: Gemm = { m, n, k, transA: false, transB: true };
    const fast = new Float64Array(6 * m * n);
    const slow = new Float64Array(6 * m * n);
    batchedGemm(g, aOff, bOff)(a, b, fast);
    for (let t = 0; t < aOff.length; t++) gemmReference(g, a, aOff[t]!, b, bOff[t]!, slow, t * g.m * g.n);
    expectAllClose(fast, slow);
  });
});

describe('matmul op', () => {
  const A = tensor([[1, 2, 3], [4, 5, 6]]);
  const B = tensor([[1, 0], [0, 1], [1, 1]]);

  it('follows numpy shapes for matrices, vectors and batches', () => {
    expect(matmul(A, B).toArray()).toEqual([[4, 5], [10, 11]]);
    expect(matmul(tensor([1, 1]), A).toArray()).toEqual([5, 7, 9]); // [k] @ [k, n]
    expect(matmul(A, tensor([1, 0, 1])).toArray()).toEqual([4, 10]); // [m, k] @ [k]
    expect(matmul(tensor([1, 2, 3]), tensor([4, 5, 6])).shape).toEqual([]);
    expect(matmul(tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
    const rng = new Random(1);
    const x = rng.randn([2, 1, 3, 4]);
    const y = rng.randn([5, 4, 2]);
    const z = matmul(x, y);
    expect(z.shape).toEqual([2, 5, 3, 2]);
    // batch entry [1, 3] is x[1, 0] @ y[3]
    const xs = tensor(x.data.slice(12, 24), [3, 4]);
    const ys = tensor(y.data.slice(24, 32), [4, 2]);
    expectAllClose(z.data.slice((1 * 5 + 3) * 6, (1 * 5 + 4) * 6), matmul(xs, ys).data);
    expect(matmul(tensor([[1, 2], [3, 4]]), tensor([[1], [1]])).shape).toEqual([2, 1]);
  });

  it('matmulT transposes without copies', () => {
    expect(matmulT(B, A, { transA: true, transB: true }).toArray()).toEqual([[4, 10], [5, 11]]);
    expect(matmulT(A, A, { transB: true }).toArray()).toEqual([[14, 32], [32, 77]]);
  });

  it('names itself in shape errors', () => {
    expect(() => matmul(A, A)).toThrow(ShapeError);
    expect(() => matmul(A, A)).toThrow(/matmul/);
    expect(() => matmul(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/matmul/);
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 2]))).toThrow(/matmul/);
  });

  it('gradients undo vector reshapes and batch broadcasting', () => {
    // d/dA sum(A @ x) = 1 xᵀ; d/dx = Aᵀ 1
    const x = tensor([1, 2, 3]);
    expect(grad((a) => sum(matmul(a, x)))(A).toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(grad((v) => sum(matmul(A, v)))(x).toArray()).toEqual([5, 7, 9]);
    // B shared by a batch of 4: its gradient sums over the batch
    const batch = new Random(2).randn([4, 2, 3]);
    const gB = grad((b) => sum(matmul(batch, b)))(B);
    expect(gB.shape).toEqual([3, 2]);
    const colSums = [0, 1, 2].map((p) => [0, 1, 2, 3].reduce((s, t) => s + batch.data[t * 6 + p]! + batch.data[t * 6 + 3 + p]!, 0));
    expectAllClose(gB.data, colSums.flatMap((s) => [s, s]));
  });

  it('runs in a compiled plan without allocating per run', () => {
    const plan = compile((a, b) => grad((w) => sum(mul(matmul(w, b), matmul(w, b))))(a), [[16, 16], [16, 16]]);
    const rng = new Random(4);
    const inputs = [rng.randn([16, 16]), rng.randn([16, 16])];
    plan.run(inputs);
    const before = allocationCount().buffers;
    for (let i = 0; i < 50; i++) plan.run(inputs);
    expect(allocationCount().buffers).toBe(before);
  });
});

describe('dot, outer, trace, diag, eye, sums of squares', () => {
  it('computes the textbook values', () => {
    expect(dot(tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
    expect(dot(tensor([[1, 0], [0, 1]]), tensor([2, 3])).toArray()).toEqual([2, 3]);
    expect(outer(tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
    expect(trace(tensor([[1, 2], [3, 4]])).item()).toBe(5);
    expect(diag(tensor([1, 2])).toArray()).toEqual([[1, 0], [0, 2]]);
    expect(diag(tensor([[1, 2], [3, 4]])).toArray()).toEqual([1, 4]);
    expect(eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(sumsq(tensor([[1, 2], [3, 4]])).item()).toBe(30);
    expect(normSquared(tensor([[1, 2], [3, 4]]), -1).toArray()).toEqual([5, 25]);
    expect(norm(tensor([[3, 4], [0, 0]]), -1).toArray()).toEqual([5, 0]);
    expect(norm(tensor(-2)).item()).toBe(2);
    expect(() => trace(tensor([[1, 2, 3]]))).toThrow(/diag/);
  });

  it('trace and diag differentiate through eye', () => {
    expect(grad((a) => trace(a))(tensor([[1, 2], [3, 4]])).toArray()).toEqual([[1, 0], [0, 1]]);
  });
});

describe('norm at zero', () => {
  it('has gradient exactly 0, not NaN', () => {
    const g = grad((x) => norm(x))(zeros([3]));
    expect(flat(g)).toEqual([0, 0, 0]);
    const gm = grad((x) => sum(norm(x, -1)))(tensor([[0, 0], [3, 4]]));
    expect(flat(gm).slice(0, 2)).toEqual([0, 0]);
    expectAllClose(gm.data, [0, 0, 0.6, 0.8]);
  });

  it('has a finite second derivative at 0, and x/|x| derivatives elsewhere', () => {
    const h0 = hvp((x) => norm(x), zeros([3]), tensor([1, 2, 3]));
    expect(flat(h0).every(Number.isFinite)).toBe(true);
    // Hessian of |x| is (I - x̂x̂ᵀ)/|x|: at x = (3, 4) along (4, -3) it is (4, -3)/5
    expectAllClose(hvp((x) => norm(x), tensor([3, 4]), tensor([4, -3])).data, [0.8, -0.6]);
  });

  it('sumsq has gradient 2x everywhere', () => {
    expect(flat(grad((x) => sumsq(x))(tensor([0, -1, 2])))).toEqual([0, -2, 4]);
  });
});

describe('det and inv', () => {
  it('match known matrices, with pivoting', () => {
    expect(det(tensor([[1, 2], [3, 4]])).item()).toBeCloseTo(-2, 14);
    expect(det(tensor([[0, 1], [1, 0]])).item()).toBe(-1); // needs a row swap
    expect(det(tensor([[2, 0, 1], [1, 3, 2], [1, 1, 2]])).item()).toBeCloseTo(6, 13);
    expect(det(tensor([[1, 2], [2, 4]])).item()).toBe(0);
    expect(det(tensor([[[1, 2], [3, 4]], [[2, 0], [0, 3]]])).toArray()).toEqual([det(tensor([[1, 2], [3, 4]])).item(), 6]);
    expectAllClose(inv(tensor([[4, 7], [2, 6]])).data, [0.6, -0.7, -0.2, 0.4], 1e-14);
    expectAllClose(inv(tensor([[0, 1], [1, 0]])).data, [0, 1, 1, 0]);
    expect(flat(inv(tensor([[1, 2], [2, 4]]))).every(Number.isNaN)).toBe(true);
  });

  it('A @ inv(A) = I on random well-conditioned matrices', () => {
    const rng = new Random(5);
    const a = rng.randn([3, 6, 6]);
    for (let t = 0; t < 3; t++) for (let i = 0; i < 6; i++) a.data[t * 36 + i * 7]! += 4;
    const prod = matmul(a, inv(a));
    const identity = [0, 1, 2].flatMap(() => flat(eye(6)));
    expectAllClose(prod.data, identity, 1e-12);
  });

  it('d det = det · inv(A)ᵀ', () => {
    const a = tensor([[2, 1], [1, 3]]);
    // det 5, inv = [[3, -1], [-1, 2]] / 5, so det · inv(A)ᵀ = [[3, -1], [-1, 2]]
    expectAllClose(grad((x) => det(x))(a).data, [3, -1, -1, 2], 1e-13);
    const b = tensor([[2, 1], [0, 3]]);
    expectAllClose(grad((x) => det(x))(b).data, [3, 0, -1, 2], 1e-13);
  });
});
