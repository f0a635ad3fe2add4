// softmax and logSoftmax over one axis (the last by default).
import { softmaxPrimitives } from '../primitives/softmax.js';
import { normalizeAxes } from '../shape.js';
import { apply, Tensor, toTensor, type TensorLike } from '../tensor.js';

/**
 * exp(x) / sum(exp(x)) along `axis` (default -1), computed stably.
 * @example softmax(tensor([[1, 1], [0, Math.log(3)]])) // [[0.5, 0.5], [0.25, 0.75]]
 */
export function softmax(x: TensorLike, axis = -1): Tensor {
  const t = toTensor(x);
  return apply(softmaxPrimitives.softmax, [t], { axis: normalizeAxes('softmax', axis, t.rank)[0]! });
}

/** log(softmax(x)) along `axis` (default -1), without the log of an underflowed 0. */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const t = toTensor(x);
  return apply(softmaxPrimitives.logSoftmax, [t], { axis: normalizeAxes('logSoftmax', axis, t.rank)[0]! });
}
