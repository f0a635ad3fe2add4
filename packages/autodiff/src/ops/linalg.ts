// Linear-algebra ops: matmul (numpy semantics), dot, outer, trace, diag, eye, norms, det, inv,
// solve, logdet, eigvalsh/eigvecsh, svdvals.
import { decompPrimitives } from '../primitives/decomp.js';
import { linalgPrimitives, type MatmulAttrs } from '../primitives/linalg.js';
import { allocate } from '../alloc.js';
import { broadcastShapes, formatShape, normalizeAxes, ShapeError } from '../shape.js';
import { apply, constant, Tensor, toTensor, type TensorLike } from '../tensor.js';
import { mul } from './elementwise.js';
import { sum, type ReduceOptions } from './reduce.js';
import { broadcastTo, reshape } from './structure.js';

/** Transpose flags of `matmulT` (each false unless given). */
export type MatmulFlags = Partial<MatmulAttrs>;

/**
 * The matrix product with numpy's `matmul` semantics: [m, k] @ [k, n] → [m, n]; batched
 * [..., m, k] @ [..., k, n] with the batch axes broadcast; a vector on the left is a row
 * ([k] @ [k, n] → [n]), on the right a column ([m, k] @ [k] → [m]); [k] @ [k] is a scalar.
 * @example
 *   matmul(tensor([[1, 2], [3, 4]]), tensor([1, 1]));  // [3, 7]
 */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  const ta = toTensor(a);
  const tb = toTensor(b);
  if (ta.rank === 0 || tb.rank === 0) {
    throw new ShapeError('matmul', `needs vectors or matrices, got ${formatShape(ta.shape)} and ${formatShape(tb.shape)}`);
  }
  // vectors become a 1-row or 1-column matrix, and that axis is dropped from the result
  const a2 = ta.rank === 1 ? reshape(ta, [1, ta.shape[0]!]) : ta;
  const b2 = tb.rank === 1 ? reshape(tb, [tb.shape[0]!, 1]) : tb;
  const c = apply(linalgPrimitives.matmul, [a2, b2], { transA: false, transB: false });
  if (ta.rank > 1 && tb.rank > 1) return c;
  const shape = c.shape.slice(0, -2);
  if (ta.rank > 1) shape.push(c.shape[c.rank - 2]!);
  if (tb.rank > 1) shape.push(c.shape[c.rank - 1]!);
  return reshape(c, shape);
}

/**
 * op(a) @ op(b) for operands of rank >= 2, where op transposes the last two axes when its flag
 * is set: `matmulT(a, b, { transA: true })` is aᵀ·b without a transposed copy.
 */
export function matmulT(a: TensorLike, b: TensorLike, flags: MatmulFlags = {}): Tensor {
  return apply(linalgPrimitives.matmul, [toTensor(a), toTensor(b)], {
    transA: flags.transA ?? false,
    transB: flags.transB ?? false,
  });
}

/** Inner product over the last axis, leading axes broadcast: [..., d] · [..., d] → [...]. */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const p = mul(a, b);
  if (p.rank === 0) throw new ShapeError('dot', 'needs vectors, got scalars');
  return sum(p, -1);
}

/** Outer product over the last axes, leading axes broadcast: [..., m] ⊗ [..., n] → [..., m, n]. */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const ta = toTensor(a);
  const tb = toTensor(b);
  if (ta.rank === 0 || tb.rank === 0) throw new ShapeError('outer', 'needs vectors, got a scalar');
  return mul(reshape(ta, [...ta.shape, 1]), reshape(tb, [...tb.shape.slice(0, -1), 1, tb.shape[tb.rank - 1]!]));
}

/** The n × n identity (a constant). */
export function eye(n: number): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ShapeError('eye', `needs a size >= 0, got ${n}`);
  const data = allocate(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return constant(data, [n, n]);
}

/**
 * As numpy's diag: a vector [n] gives the diagonal matrix [n, n]; a square matrix [..., n, n]
 * gives its diagonal [..., n]. Both are products with eye(n), so they need no derivative code.
 */
export function diag(x: TensorLike): Tensor {
  const t = toTensor(x);
  if (t.rank === 1) return mul(reshape(t, [t.size, 1]), eye(t.size));
  const n = t.shape[t.rank - 1];
  if (t.rank < 2 || n !== t.shape[t.rank - 2]) {
    throw new ShapeError('diag', `needs a vector or square matrices [..., n, n], got ${formatShape(t.shape)}`);
  }
  return sum(mul(t, eye(n!)), -1);
}

/** Sum of the diagonal of [..., n, n] → [...]. */
export function trace(a: TensorLike): Tensor {
  const t = toTensor(a);
  if (t.rank < 2) throw new ShapeError('trace', `needs square matrices [..., n, n], got ${formatShape(t.shape)}`);
  return sum(diag(t), -1);
}

/**
 * Sum of squares over `axes` (all axes by default): |x|² with no square root, so its gradient
 * 2x is smooth everywhere, including at 0.
 */
export function sumsq(x: TensorLike, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const t = toTensor(x);
  return sum(mul(t, t), axes, options);
}

/** Alias of `sumsq`: the squared Euclidean/Frobenius norm. */
export const normSquared = sumsq;

/**
 * Euclidean norm over `axes` (all axes by default: the Frobenius norm of a matrix, |x| of a
 * scalar). Its gradient at 0 is 0, not NaN.
 */
export function norm(x: TensorLike, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const t = toTensor(x);
  return apply(linalgPrimitives.norm, [t], { axes: normalizeAxes('norm', axes, t.rank), keepDims: options.keepDims ?? false });
}

/** Determinant of [..., n, n] → [...]. */
export function det(a: TensorLike): Tensor {
  return apply(linalgPrimitives.det, [toTensor(a)], undefined);
}

/** Inverse of [..., n, n] (NaN entries when a matrix is exactly singular). */
export function inv(a: TensorLike): Tensor {
  return apply(linalgPrimitives.inv, [toTensor(a)], { transpose: false });
}

/**
 * A⁻¹B without forming the inverse: A [..., n, n] with B [..., n, k] (or a vector b [..., n],
 * giving [..., n]); the batch axes broadcast. NaN when A is exactly singular.
 */
export function solve(a: TensorLike, b: TensorLike): Tensor {
  const ta = toTensor(a);
  const tb = toTensor(b);
  const n = ta.shape[ta.rank - 1];
  if (ta.rank < 2 || n !== ta.shape[ta.rank - 2]) throw new ShapeError('solve', `needs a square matrix A [..., n, n], got ${formatShape(ta.shape)}`);
  const vector = tb.rank === ta.rank - 1 || tb.rank === 1;
  const b2 = vector ? reshape(tb, [...tb.shape, 1]) : tb;
  if (b2.rank < 2 || b2.shape[b2.rank - 2] !== n) {
    throw new ShapeError('solve', `A is ${formatShape(ta.shape)} but b is ${formatShape(tb.shape)}: b needs ${n} rows`);
  }
  const batch = broadcastShapes('solve', [ta.shape.slice(0, -2), b2.shape.slice(0, -2)]);
  const x = apply(decompPrimitives.solve, [broadcastTo(ta, [...batch, n!, n!]), broadcastTo(b2, [...batch, ...b2.shape.slice(-2)])], {
    transpose: false,
  });
  return vector ? reshape(x, x.shape.slice(0, -1)) : x;
}

/** log |det A| of [..., n, n] → [...], computed from the LU factors (no overflow); −∞ when singular. */
export function logdet(a: TensorLike): Tensor {
  return apply(decompPrimitives.logdet, [toTensor(a)], undefined);
}

/** Eigenvalues of the symmetric part (S + Sᵀ)/2 of [..., n, n], ascending → [..., n]. */
export function eigvalsh(s: TensorLike): Tensor {
  return apply(decompPrimitives.eigvalsh, [toTensor(s)], undefined);
}

/** Orthonormal eigenvectors (columns, in eigvalsh's order, largest entry positive) of (S + Sᵀ)/2. */
export function eigvecsh(s: TensorLike): Tensor {
  return apply(decompPrimitives.eigvecsh, [toTensor(s)], undefined);
}

/** Singular values of [..., m, n], descending → [..., min(m, n)]. */
export function svdvals(a: TensorLike): Tensor {
  return apply(decompPrimitives.svdvals, [toTensor(a)], undefined);
}
