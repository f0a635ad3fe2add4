// Ops that mark where gradients stop (stopGradient) and start (variable).
import { gradientPrimitives } from '../primitives/gradient.js';
import { apply, Tensor, toTensor, variableOf, type TensorLike } from '../tensor.js';

/** The value of `x` with gradients blocked (`stop(e)` in the language). */
export function stopGradient(x: TensorLike): Tensor {
  return apply(gradientPrimitives.stopGradient, [toTensor(x)], undefined);
}

/** A fresh differentiation variable for `x` (see `backward`): gradients stop at it. */
export function variable(x: TensorLike): Tensor {
  return variableOf(toTensor(x), gradientPrimitives.identity);
}
