// Elementwise ops: unary math, arithmetic with broadcasting, comparisons and where.
import { binaryPrimitives } from '../primitives/binary.js';
import { comparePrimitives } from '../primitives/compare.js';
import { unaryPrimitives } from '../primitives/unary.js';
import type { Primitive } from '../primitive.js';
import { apply, Tensor, toTensor, type TensorLike } from '../tensor.js';

function un(p: Primitive<undefined>): (x: TensorLike) => Tensor {
  return (x) => apply(p, [toTensor(x)], undefined);
}
function bin(p: Primitive<undefined>): (a: TensorLike, b: TensorLike) => Tensor {
  return (a, b) => apply(p, [toTensor(a), toTensor(b)], undefined);
}

export const neg = (x: TensorLike): Tensor => un(unaryPrimitives.neg)(x);
export const exp = (x: TensorLike): Tensor => un(unaryPrimitives.exp)(x);
export const log = (x: TensorLike): Tensor => un(unaryPrimitives.log)(x);
export const log1p = (x: TensorLike): Tensor => un(unaryPrimitives.log1p)(x);
export const expm1 = (x: TensorLike): Tensor => un(unaryPrimitives.expm1)(x);
export const sqrt = (x: TensorLike): Tensor => un(unaryPrimitives.sqrt)(x);
export const abs = (x: TensorLike): Tensor => un(unaryPrimitives.abs)(x);
export const sign = (x: TensorLike): Tensor => un(unaryPrimitives.sign)(x);
export const sin = (x: TensorLike): Tensor => un(unaryPrimitives.sin)(x);
export const cos = (x: TensorLike): Tensor => un(unaryPrimitives.cos)(x);
export const tan = (x: TensorLike): Tensor => un(unaryPrimitives.tan)(x);
export const tanh = (x: TensorLike): Tensor => un(unaryPrimitives.tanh)(x);
export const sigmoid = (x: TensorLike): Tensor => un(unaryPrimitives.sigmoid)(x);
export const relu = (x: TensorLike): Tensor => un(unaryPrimitives.relu)(x);
export const softplus = (x: TensorLike): Tensor => un(unaryPrimitives.softplus)(x);
export const acos = (x: TensorLike): Tensor => un(unaryPrimitives.acos)(x);
/** sqrt(1 - c²) + (π − acos c)·c for c in [-1, 1]: 2π·reluKernel(a, b)/(|a||b|) at cos θ = c. */
export const arcKernel = (x: TensorLike): Tensor => un(unaryPrimitives.arcKernel)(x);
/** π − acos c: the slope h'(c) of arcKernel. */
export const arcSlope = (x: TensorLike): Tensor => un(unaryPrimitives.arcSlope)(x);
export const asin = (x: TensorLike): Tensor => un(unaryPrimitives.asin)(x);
export const atan = (x: TensorLike): Tensor => un(unaryPrimitives.atan)(x);
export const erf = (x: TensorLike): Tensor => un(unaryPrimitives.erf)(x);

export const add = (a: TensorLike, b: TensorLike): Tensor => bin(binaryPrimitives.add)(a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => bin(binaryPrimitives.sub)(a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => bin(binaryPrimitives.mul)(a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => bin(binaryPrimitives.div)(a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => bin(binaryPrimitives.pow)(a, b);
/** Elementwise maximum of two tensors (not a reduction: see `max`). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => bin(binaryPrimitives.maximum)(a, b);
/** Elementwise minimum of two tensors (not a reduction: see `min`). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => bin(binaryPrimitives.minimum)(a, b);

export const lt = (a: TensorLike, b: TensorLike): Tensor => bin(comparePrimitives.lt)(a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => bin(comparePrimitives.le)(a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => bin(comparePrimitives.gt)(a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => bin(comparePrimitives.ge)(a, b);
export const eq = (a: TensorLike, b: TensorLike): Tensor => bin(comparePrimitives.eq)(a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => bin(comparePrimitives.ne)(a, b);

/** `a` where `cond` is nonzero, else `b` (broadcasting all three). */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  return apply(comparePrimitives.where, [toTensor(cond), toTensor(a), toTensor(b)], undefined);
}

/** x * x (no pow, so no log in its derivative). */
export function square(x: TensorLike): Tensor {
  const t = toTensor(x);
  return mul(t, t);
}

/** Clamps into [lo, hi]; the gradient is zero outside. */
export function clamp(x: TensorLike, lo: TensorLike, hi: TensorLike): Tensor {
  return minimum(maximum(x, lo), hi);
}
