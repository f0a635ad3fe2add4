// Reductions over axes: sum, ... (axes may be negative; undefined reduces everything).
import { reducePrimitives } from '../primitives/reduce.js';
import { normalizeAxes } from '../shape.js';
import { apply, Tensor, toTensor, type TensorLike } from '../tensor.js';

/** Options shared by the reductions. */
export interface ReduceOptions {
  readonly keepDims?: boolean;
}

export function sum(x: TensorLike, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const t = toTensor(x);
  return apply(reducePrimitives.sum, [t], { axes: normalizeAxes('sum', axes, t.rank), keepDims: options.keepDims ?? false });
}
