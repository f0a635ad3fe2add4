// Structural ops the engine relies on: reshape, broadcastTo, and the one place broadcasting is undone.
import { reducePrimitives } from '../primitives/reduce.js';
import { structurePrimitives } from '../primitives/structure.js';
import { formatShape, normalizeAxes, sameShape, ShapeError, type Shape } from '../shape.js';
import { apply, Tensor, toTensor, variableOf, type TensorLike } from '../tensor.js';

export function reshape(x: TensorLike, shape: Shape): Tensor {
  const t = toTensor(x);
  // -1 infers one axis, as in numpy
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const resolved = shape.map((d) => (d === -1 ? t.size / known : d));
  if (sameShape(resolved, t.shape)) return t;
  return apply(structurePrimitives.reshape, [t], { shape: resolved });
}

export function broadcastTo(x: TensorLike, shape: Shape): Tensor {
  const t = toTensor(x);
  if (sameShape(t.shape, shape)) return t;
  return apply(structurePrimitives.broadcastTo, [t], { shape: [...shape] });
}

/**
 * Undoes broadcasting: sums `g` (of a broadcast result's shape) down to `shape`. The engine calls
 * this for every input gradient; broadcastTo's derivative is this too.
 */
export function sumToShape(g: Tensor, shape: Shape, op = 'sumToShape'): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  if (lead < 0) throw new ShapeError(op, `gradient of shape ${formatShape(g.shape)} cannot be summed to ${formatShape(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
    else if (shape[i - lead] !== g.shape[i]) {
      throw new ShapeError(op, `gradient of shape ${formatShape(g.shape)} does not match input shape ${formatShape(shape)}`);
    }
  }
  const summed = apply(reducePrimitives.sum, [g], { axes: normalizeAxes(op, axes, g.rank), keepDims: false });
  return reshape(summed, shape);
}

/** The value of `x` with gradients blocked (`stop(e)` in the language). */
export function stopGradient(x: TensorLike): Tensor {
  return apply(structurePrimitives.stopGradient, [toTensor(x)], undefined);
}

/** A fresh differentiation variable for `x` (see `backward`): gradients stop at it. */
export function variable(x: TensorLike): Tensor {
  return variableOf(toTensor(x), structurePrimitives.identity);
}
