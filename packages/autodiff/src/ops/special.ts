// Special ops: the angle between vectors and the closed-form ReLU kernel.
import { pairShape, specialPrimitives } from '../primitives/special.js';
import { apply, Tensor, toTensor, type TensorLike } from '../tensor.js';
import { acos, clamp, div, gt, mul, where } from './elementwise.js';
import { dot, norm } from './linalg.js';

/**
 * The angle between a and b over the last axis, leading axes broadcast: [..., d] → [...], in
 * [0, π]. The cosine is clamped to [-1, 1] (rounding can push it past ±1); with a zero vector the
 * cosine is taken as 0, so the angle is π/2. Its gradient is infinite when a ∥ b (acos at ±1).
 */
export function angle(a: TensorLike, b: TensorLike): Tensor {
  const ta = toTensor(a);
  const tb = toTensor(b);
  pairShape('angle', ta.shape, tb.shape);
  const scale = mul(norm(ta, -1), norm(tb, -1));
  const cosine = div(dot(ta, tb), where(gt(scale, 0), scale, 1));
  return acos(clamp(cosine, -1, 1));
}

/**
 * relu_kernel(a, b) = E_{x ~ N(0, I)} relu(a·x) relu(b·x) = |a||b| (sin θ + (π − θ) cos θ) / (2π)
 * over the last axis, leading axes broadcast. Its gradient is finite when a ∥ b, including
 * reluKernel(w, w), and at a = 0 or b = 0 (where the value is 0).
 * @example
 *   reluKernel(tensor([1, 0]), tensor([1, 0]));  // 0.5 = |w|²/2
 */
export function reluKernel(a: TensorLike, b: TensorLike): Tensor {
  return apply(specialPrimitives.reluKernel, [toTensor(a), toTensor(b)], undefined);
}
