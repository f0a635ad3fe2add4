// solve, logdet, eigvalsh/eigvecsh and svdvals against constructions with known answers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  eigvalsh, eigvecsh, grad, logdet, matmul, matmulT, Random, solve, svdvals, sum, tensor, type Tensor,
} from '@descent/autodiff';

function randomMatrix(rng: Random, m: number, n: number): number[][] {
  return Array.from({ length: m }, () => Array.from({ length: n }, () => rng.normal()));
}

/** An orthogonal n × n matrix: Gram–Schmidt on a random one. */
function orthogonal(rng: Random, n: number): number[][] {
  const q: number[][] = [];
  for (const v of randomMatrix(rng, n, n)) {
    for (const u of q) {
      const d = v.reduce((s, x, i) => s + x * u[i]!, 0);
      v.forEach((_, i) => (v[i] = v[i]! - d * u[i]!));
    }
    const norm = Math.hypot(...v);
    q.push(v.map((x) => x / norm));
  }
  return q;
}

/** Q diag(values) Qᵀ (rows of `q` are the vectors). */
function withSpectrum(q: number[][], values: number[]): number[][] {
  const n = values.length;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => values.reduce((s, lam, k) => s + lam * q[k]![i]! * q[k]![j]!, 0)),
  );
}

const values = (t: Tensor): number[] => Array.from(t.data);

describe('eigvalsh', () => {
  it('returns the spectrum Q diag(λ) Qᵀ was built from, ascending, to 1e-12', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const rng = new Random(seed);
        const lambda = Array.from({ length: n }, () => 10 * rng.normal()).sort((a, b) => a - b);
        const got = values(eigvalsh(tensor(withSpectrum(orthogonal(rng, n), lambda))));
        got.forEach((g, i) => expect(Math.abs(g - lambda[i]!)).toBeLessThan(1e-12 * (1 + Math.abs(lambda[n - 1]!))));
      }),
      { numRuns: 40 },
    );
  });

  it('uses the symmetric part of a non-symmetric input', () => {
    // [[1, 2], [0, 1]] has symmetric part [[1, 1], [1, 1]]: eigenvalues 0 and 2
    expect(values(eigvalsh(tensor([[1, 2], [0, 1]])))).toEqual([expect.closeTo(0, 14), expect.closeTo(2, 14)]);
  });

  it('eigvecsh gives orthonormal vectors with S V = V diag(λ), largest entry positive', () => {
    const rng = new Random(5);
    const s = tensor(withSpectrum(orthogonal(rng, 7), [-3, -1, 0.5, 1, 2, 4, 9]));
    const v = eigvecsh(s);
    const lam = values(eigvalsh(s));
    const vtv = values(matmulT(v, v, { transA: true }));
    vtv.forEach((x, k) => expect(Math.abs(x - (k % 8 === 0 ? 1 : 0))).toBeLessThan(1e-13));
    const sv = values(matmul(s, v));
    const vd = values(v).map((x, k) => x * lam[k % 7]!);
    sv.forEach((x, k) => expect(Math.abs(x - vd[k]!)).toBeLessThan(1e-12));
    for (let j = 0; j < 7; j++) {
      const col = Array.from({ length: 7 }, (_, i) => v.data[i * 7 + j]!);
      const big = col.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
      expect(big).toBeGreaterThan(0);
    }
  });

  it('a batch of matrices gives a batch of spectra; NaN in gives NaN out', () => {
    expect(values(eigvalsh(tensor([[[2, 0], [0, 1]], [[0, 1], [1, 0]]])))).toEqual([1, 2, expect.closeTo(-1, 14), expect.closeTo(1, 14)]);
    expect(values(eigvalsh(tensor([[NaN, 0], [0, 1]]))).every(Number.isNaN)).toBe(true);
  });
});

describe('svdvals', () => {
  it('returns the singular values U diag(σ) Vᵀ was built from, descending, for tall and wide matrices', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1e6 }), (m, n, seed) => {
        const rng = new Random(seed);
        const r = Math.min(m, n);
        const sigma = Array.from({ length: r }, () => Math.exp(rng.normal())).sort((a, b) => b - a);
        const u = orthogonal(rng, m);
        const v = orthogonal(rng, n);
        const a = Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => sigma.reduce((s, x, k) => s + x * u[k]![i]! * v[k]![j]!, 0)));
        const got = values(svdvals(tensor(a)));
        got.forEach((g, k) => expect(Math.abs(g - sigma[k]!)).toBeLessThan(1e-12 * sigma[0]!));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps small singular values to relative accuracy (one-sided Jacobi, not eig of AᵀA)', () => {
    // diag(1, 1e-9): the eigenvalues of AᵀA would lose the 1e-18 in rounding against 1
    expect(values(svdvals(tensor([[1, 0], [0, 1e-9]])))).toEqual([1, 1e-9]);
  });

  it('the gradient of the largest singular value is u₁v₁ᵀ', () => {
    const a = tensor([[3, 0], [0, 1]]);
    const g = grad(svdvalsTop)(a);
    expect(values(g).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([1, 0, 0, 0]);
  });
});

/** σ₁ as a scalar: the first entry of svdvals through a dot with e₁. */
function svdvalsTop(x: Tensor): Tensor {
  const s = svdvals(x);
  return sum(matmul(s, tensor([1, 0])));
}

describe('solve and logdet', () => {
  it('A·solve(A, B) = B for random well-conditioned A, vectors and matrices', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1e6 }), (n, k, seed) => {
        const rng = new Random(seed);
        const a = randomMatrix(rng, n, n).map((row, i) => row.map((x, j) => x + (i === j ? 2 * n : 0)));
        const b = randomMatrix(rng, n, k);
        const residual = values(matmul(tensor(a), solve(tensor(a), tensor(b))));
        residual.forEach((x, q) => expect(Math.abs(x - b[Math.floor(q / k)]![q % k]!)).toBeLessThan(1e-12));
        const bv = b.map((row) => row[0]!);
        const xv = solve(tensor(a), tensor(bv));
        expect(xv.shape).toEqual([n]);
      }),
      { numRuns: 40 },
    );
  });

  it('solve of a singular matrix is NaN, and a wrong b is a shape error naming solve', () => {
    expect(values(solve(tensor([[1, 2], [2, 4]]), tensor([1, 1]))).every(Number.isNaN)).toBe(true);
    expect(() => solve(tensor([[1, 0], [0, 1]]), tensor([1, 2, 3]))).toThrow(/solve/);
  });

  it('logdet does not overflow where det would: 400 × 400 of 100·I gives 400 log 100', () => {
    const n = 400;
    const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 100 : 0)));
    expect(values(logdet(tensor(a)))[0]).toBeCloseTo(n * Math.log(100), 10);
    expect(values(logdet(tensor([[1, 2], [2, 4]])))[0]).toBe(-Infinity);
    expect(values(logdet(tensor([[0, 1], [1, 0]])))[0]).toBe(0); // |det| = 1 although det = -1
  });
});
