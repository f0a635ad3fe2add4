// Factorization primitives: solve, logdet, eigvalsh (with the eigenvectors its derivative needs)
// and svdvals (derivatives: derivatives/linalg.ts).
import { singularValues, symmetricEigen } from '../kernels/eigen.js';
import { logAbsDeterminant, solveLinear } from '../kernels/lu.js';
import { squareSize, wellConditioned } from './linalg.js';
import { definePrimitive, type Primitive } from '../primitive.js';
import { formatShape, sameShape, ShapeError, sizeOf, type Shape } from '../shape.js';

/** solve computes A⁻¹B, or A⁻ᵀB when `transpose` (its own derivative needs the latter). */
export interface SolveAttrs {
  readonly transpose: boolean;
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

/** X = A⁻¹B by elimination with partial pivoting (NaN when A is singular). */
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

/** Symmetric eigenvalues, ascending: eigvalsh(S) of (S + Sᵀ)/2, [..., n, n] → [..., n]. */
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
  check: { cases: [[[1, 1]], [[3, 3]], [[4, 4]], [[2, 3, 3]]].map((shapes) => ({ shapes, attrs: undefined })), domain: { lo: -0.5, hi: 0.5 }, prepareInput: spreadDiagonal },
});

/**
 * The orthonormal eigenvectors of (S + Sᵀ)/2 as the columns of [..., n, n], in the order of
 * eigvalsh, each with its largest entry positive.
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
  check: { cases: [[[2, 2]], [[3, 3]], [[2, 3, 3]]].map((shapes) => ({ shapes, attrs: undefined })), domain: { lo: -0.5, hi: 0.5 }, prepareInput: spreadDiagonal },
});

/** Singular values, descending: [..., m, n] → [..., min(m, n)]. */
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
  check: {
    cases: [[[3, 2]], [[2, 3]], [[3, 3]], [[2, 4, 3]]].map((shapes) => ({ shapes, attrs: undefined })),
    domain: { lo: -0.5, hi: 0.5 },
    prepareInput: spreadDiagonal,
  },
});

export const decompPrimitives = {
  solve,
  /** log |det A| of [..., n, n] → [...] by LU (−∞ when singular). */
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
    check: { cases: [[[1, 1]], [[2, 2]], [[3, 3]], [[2, 3, 3]]].map((shapes) => ({ shapes, attrs: undefined })), domain: { lo: -0.5, hi: 0.5 }, prepareInput: wellConditioned },
  }),
  eigvalsh,
  eigvecsh,
  svdvals,
} satisfies Record<string, Primitive<SolveAttrs> | Primitive<undefined>>;
