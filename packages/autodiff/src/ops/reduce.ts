// Reductions over axes: sum, mean, max, min, logsumexp, prod (axes may be negative; undefined reduces everything).
import { reducePrimitives, type ReduceAttrs } from '../primitives/reduce.js';
import type { Primitive } from '../primitive.js';
import { normalizeAxes } from '../shape.js';
import { apply, Tensor, toTensor, type TensorLike } from '../tensor.js';

/** Options shared by the reductions. */
export interface ReduceOptions {
  /** Keep each reduced axis as a length-1 axis, so the result broadcasts against the input. */
  readonly keepDims?: boolean;
}

/** Axes to reduce: one axis, several, or undefined for all of them. Negative axes count from the end. */
export type Axes = number | readonly number[] | undefined;

function reduce(p: Primitive<ReduceAttrs>, x: TensorLike, axes: Axes, options: ReduceOptions): Tensor {
  const t = toTensor(x);
  return apply(p, [t], { axes: normalizeAxes(p.name, axes, t.rank), keepDims: options.keepDims ?? false });
}

/**
 * Sum over `axes` (all by default).
 * @example sum(tensor([[1, 2], [3, 4]]), 1) // [3, 7]
 */
export function sum(x: TensorLike, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce(reducePrimitives.sum, x, axes, options);
}

/** Arithmetic mean over `axes` (all by default). */
export function mean(x: TensorLike, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce(reducePrimitives.mean, x, axes, options);
}

/**
 * Largest element over `axes` (a reduction; the elementwise one is `maximum`). Its gradient goes
 * to the arg-max entries, split evenly among ties.
 */
export function max(x: TensorLike, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce(reducePrimitives.max, x, axes, options);
}

/** Smallest element over `axes` (a reduction; the elementwise one is `minimum`). */
export function min(x: TensorLike, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce(reducePrimitives.min, x, axes, options);
}

/**
 * log(sum(exp(x))) over `axes`, computed without overflow; its gradient is the softmax.
 * @example logsumexp(tensor([1000, 1000])).item() // 1000 + Math.log(2)
 */
export function logsumexp(x: TensorLike, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce(reducePrimitives.logsumexp, x, axes, options);
}

/** Product over `axes`; its gradient (prod / x) assumes nonzero inputs. */
export function prod(x: TensorLike, axes?: Axes, options: ReduceOptions = {}): Tensor {
  return reduce(reducePrimitives.prod, x, axes, options);
}
