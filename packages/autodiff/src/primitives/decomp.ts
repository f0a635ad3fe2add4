// Factorization primitives: solve, logdet, eigvalsh (with the eigenvectors its derivative needs)
// and svdvals. Each derivative rule is written with differentiable ops, so second derivatives
// (Hessians of losses that use them) work like any other.
import { singularValues, symmetricEigen } from '../kernels/eigen.js';
import { logAbsDeterminant, solveLinear } from '../kernels/lu.js';
import { linalgPrimitives, mm, squareSize, wellConditioned } from './linalg.js';
import { definePrimitive, type Primitive } from '../primitive.js';
import { formatShape, sameShape, ShapeError, sizeOf, type Shape } from '../shape.js';
import { apply, constant, type Tensor } from '../tensor.js';
import { add, div, gt, mul, neg, reshape, sub, swapAxes, where } from '../ops.js';

/** solve computes A⁻¹B, or A⁻ᵀB when `transpose` (its own derivative needs the latter). */
export interface SolveAttrs {
  readonly transpose: boolean;
}

/** The n × n matrix with `value(i, j)` at (i, j), as a constant. */
function constMatrix(n: number, value: (i: number, j: number) => number): Tensor {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = value(i, j);
  return constant(data, [n, n]);
}

/** Reverses the last axis of x [..., n]: a product with the exchange matrix (no derivative code needed). */
function flipLast(x: Tensor): Tensor {
  const n = x.shape[x.rank - 1]!;
  const row = reshape(x, [...x.shape.slice(0, -1), 1, n]);
  return reshape(mm(row, constMatrix(n, (i, j) => (i + j === n - 1 ? 1 : 0))), x.shape);
}

/** x [..., n] as the row [..., 1, n], so that M * row scales the columns of M. */
function asRow(x: Tensor): Tensor {
  return reshape(x, [...x.shape.slice(0, -1), 1, x.shape[x.rank - 1]!]);
}

/**
 * Adds 3(i + 1) to entry (i, i) of every trailing m × n block, so that the eigenvalues (or singular
 * values) of matrices sampled in [-0.5, 0.5] are distinct and apart: the derivatives exist there.
 */
function spreadDiagonal(x: Float64Array, shape: Shape): void {
  const [m, n] = [shape[shape.length - 2]!, shape[shape.length - 1]!];
  for (let off = 0; off < x.length; off += m * n) for (let i = 0; i < Math.min(m, n); i++) x[off + i * n + i]! += 3 * (i + 1);
}

/** The batch shape and sizes of solve(A, B): A [..., n, n], B [..., n, k] with the same batch. */
function solveDims(a: Shape, b: Shape): { n: number; k: number; count: number } {
  const n = squareSize('solve', a);
  if (b.length !== a.length || b[b.length - 2] !== n || !sameShape(a.slice(0, -2), b.slice(0, -2))) {
    throw new ShapeError('solve', `needs A [..., n, n] and B [..., n, k] with the same batch axes, got ${formatShape(a)} and ${formatShape(b)}`);
  }
  return { n, k: b[b.length - 1]!, count: sizeOf(a) / (n * n) };
}

/**
 * X = A⁻¹B by elimination with partial pivoting (NaN when A is singular). With cotangent G:
 * dB = A⁻ᵀG and dA = −dB·Xᵀ; for X = A⁻ᵀB: dB = A⁻¹G and dA = −X·dBᵀ.
 */
const solve: Primitive<SolveAttrs> = definePrimitive<SolveAttrs>({
  name: 'solve',
  arity: 2,
  shape: ([a, b]) => {
    solveDims(a!, b!);
    return b!;
  },
  prepare: ([a, b], _out, { transpose }) => {
    const { n, k, count } = solveDims(a!, b!);
    return (inputs, o) => {
      for (let t = 0; t < count; t++) solveLinear(inputs[0]!, t * n * n, inputs[1]!, t * n * k, o, t * n * k, n, k, transpose);
    };
  },
  vjp: (g, x, [a], { transpose }) => {
    const db = apply(solve, [a!, g], { transpose: !transpose });
    return [neg(transpose ? mm(x, db, false, true) : mm(db, x, false, true)), db];
  },
  check: {
    cases: [
      { shapes: [[2, 2], [2, 1]], attrs: { transpose: false } },
      { shapes: [[3, 3], [3, 2]], attrs: { transpose: false } },
      { shapes: [[3, 3], [3, 2]], attrs: { transpose: true } },
      { shapes: [[2, 3, 3], [2, 3, 1]], attrs: { transpose: false } },
    ],
    domain: { lo: -0.5, hi: 0.5 },
    prepareInput: (x, shape, index) => {
      if (index === 0) wellConditioned(x, shape);
    },
  },
});

/**
 * Symmetric eigenvalues, ascending: eigvalsh(S) of (S + Sᵀ)/2, [..., n, n] → [..., n]. With V the
 * eigenvectors, dλ_j = v_jᵀ dS v_j, so dS = V diag(ḡ) Vᵀ (exact where the eigenvalues are
 * distinct); V comes from the eigvecsh primitive, whose own rule gives the second derivative.
 */
const eigvalsh: Primitive<undefined> = definePrimitive<undefined>({
  name: 'eigvalsh',
  arity: 1,
  shape: ([s]) => {
    squareSize('eigvalsh', s!);
    return s!.slice(0, -1);
  },
  prepare: ([s]) => {
    const n = squareSize('eigvalsh', s!);
    const count = sizeOf(s!) / (n * n);
    const values = new Float64Array(n);
    return (inputs, o) => {
      for (let t = 0; t < count; t++) {
        symmetricEigen(inputs[0]!, t * n * n, n, values);
        o.set(values, t * n);
      }
    };
  },
  vjp: (g, _out, [s]) => {
    const v = apply(eigvecsh, [s!], undefined);
    return [mm(mul(v, asRow(g)), v, false, true)];
  },
  check: { cases: [[[1, 1]], [[3, 3]], [[4, 4]], [[2, 3, 3]]].map((shapes) => ({ shapes, attrs: undefined })), domain: { lo: -0.5, hi: 0.5 }, prepareInput: spreadDiagonal },
});

/**
 * The orthonormal eigenvectors of (S + Sᵀ)/2 as the columns of [..., n, n], in the order of
 * eigvalsh, each with its largest entry positive. With F_ij = 1/(λ_j − λ_i) off the diagonal and
 * 0 on it, dV = V (F ∘ VᵀdA V) for symmetric dA, so the rule is dS = sym(V (F ∘ VᵀV̄) Vᵀ).
 */
const eigvecsh: Primitive<undefined> = definePrimitive<undefined>({
  name: 'eigvecsh',
  arity: 1,
  shape: ([s]) => {
    squareSize('eigvecsh', s!);
    return s!;
  },
  prepare: ([s]) => {
    const n = squareSize('eigvecsh', s!);
    const count = sizeOf(s!) / (n * n);
    const values = new Float64Array(n);
    const vectors = new Float64Array(n * n);
    return (inputs, o) => {
      for (let t = 0; t < count; t++) {
        symmetricEigen(inputs[0]!, t * n * n, n, values, vectors);
        o.set(vectors, t * n * n);
      }
    };
  },
  vjp: (g, v, [s]) => {
    const n = v.shape[v.rank - 1]!;
    const lambda = apply(eigvalsh, [s!], undefined);
    const gaps = sub(asRow(lambda), reshape(lambda, [...lambda.shape, 1])); // λ_j − λ_i
    // 1/(λ_j − λ_i) off the diagonal; the diagonal's gap is replaced by 1 and then masked to 0
    const f = div(constMatrix(n, (i, j) => (i === j ? 0 : 1)), add(gaps, constMatrix(n, (i, j) => (i === j ? 1 : 0))));
    const full = mm(mm(v, mul(f, mm(v, g, true, false))), v, false, true);
    return [mul(0.5, add(full, swapAxes(full, -1, -2)))];
  },
  check: { cases: [[[2, 2]], [[3, 3]], [[2, 3, 3]]].map((shapes) => ({ shapes, attrs: undefined })), domain: { lo: -0.5, hi: 0.5 }, prepareInput: spreadDiagonal },
});

/**
 * Singular values, descending: [..., m, n] → [..., min(m, n)]. With A = U Σ Vᵀ the rule is
 * dA = U diag(ḡ) Vᵀ, written as A W diag(ḡ/σ) Wᵀ with W the eigenvectors of AᵀA (or
 * W diag(ḡ/σ) Wᵀ A with those of AAᵀ when m < n), so it is differentiable again; a zero singular
 * value contributes nothing (its direction is not unique).
 */
const svdvals: Primitive<undefined> = definePrimitive<undefined>({
  name: 'svdvals',
  arity: 1,
  shape: ([a]) => {
    if (a!.length < 2) throw new ShapeError('svdvals', `needs matrices [..., m, n], got ${formatShape(a!)}`);
    return [...a!.slice(0, -2), Math.min(a![a!.length - 2]!, a![a!.length - 1]!)];
  },
  prepare: ([a], out) => {
    const [m, n] = [a![a!.length - 2]!, a![a!.length - 1]!];
    const r = Math.min(m, n);
    const count = r === 0 ? 0 : sizeOf(out) / r;
    return (inputs, o) => {
      for (let t = 0; t < count; t++) singularValues(inputs[0]!, t * m * n, m, n, o, t * r);
    };
  },
  vjp: (g, sigma, [a]) => {
    const tall = a!.shape[a!.rank - 2]! >= a!.shape[a!.rank - 1]!;
    const ascending = flipLast(sigma);
    const positive = gt(ascending, 0);
    const scale = asRow(where(positive, div(flipLast(g), where(positive, ascending, 1)), 0));
    if (tall) {
      const w = apply(eigvecsh, [mm(a!, a!, true, false)], undefined);
      return [mm(mm(a!, mul(w, scale)), w, false, true)];
    }
    const u = apply(eigvecsh, [mm(a!, a!, false, true)], undefined);
    return [mm(mm(mul(u, scale), u, false, true), a!)];
  },
  check: {
    cases: [[[3, 2]], [[2, 3]], [[3, 3]], [[2, 4, 3]]].map((shapes) => ({ shapes, attrs: undefined })),
    domain: { lo: -0.5, hi: 0.5 },
    prepareInput: spreadDiagonal,
  },
});

export const decompPrimitives = {
  solve,
  /** log |det A| of [..., n, n] → [...] by LU (−∞ when singular); d logdet = inv(A)ᵀ. */
  logdet: definePrimitive<undefined>({
    name: 'logdet',
    arity: 1,
    shape: ([a]) => {
      squareSize('logdet', a!);
      return a!.slice(0, -2);
    },
    prepare: ([a], out) => {
      const n = squareSize('logdet', a!);
      const count = sizeOf(out);
      return (inputs, o) => {
        for (let t = 0; t < count; t++) o[t] = logAbsDeterminant(inputs[0]!, t * n * n, n);
      };
    },
    vjp: (g, out, [a]) => [mul(reshape(g, [...out.shape, 1, 1]), apply(linalgPrimitives.inv, [a!], { transpose: true }))],
    check: { cases: [[[1, 1]], [[2, 2]], [[3, 3]], [[2, 3, 3]]].map((shapes) => ({ shapes, attrs: undefined })), domain: { lo: -0.5, hi: 0.5 }, prepareInput: wellConditioned },
  }),
  eigvalsh,
  eigvecsh,
  svdvals,
} satisfies Record<string, Primitive<SolveAttrs> | Primitive<undefined>>;
