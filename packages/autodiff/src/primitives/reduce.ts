// Reductions over chosen axes (sum, ...); the gradient broadcasts back over the reduced axes.
import { reduceKernel, type Fold } from '../kernels/reduce.js';
import { definePrimitive, type CheckCase, type Primitive } from '../primitive.js';
import { reducedShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastTo, reshape } from '../ops.js';

/** Axes already normalized (sorted, non-negative) by the op that builds the node. */
export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** The cases every reduction is checked on: all axes, one axis, several, kept dims. */
export const reduceCases: readonly CheckCase<ReduceAttrs>[] = [
  { shapes: [[5]], attrs: { axes: [0], keepDims: false } },
  { shapes: [[3, 4]], attrs: { axes: [1], keepDims: false } },
  { shapes: [[3, 4]], attrs: { axes: [0], keepDims: true } },
  { shapes: [[2, 3, 4]], attrs: { axes: [0, 2], keepDims: false } },
  { shapes: [[2, 3]], attrs: { axes: [0, 1], keepDims: false } },
  { shapes: [[]], attrs: { axes: [], keepDims: false } },
];

/** `g` (reduced shape) broadcast back to the input's shape. */
export function expandReduced(g: Tensor, x: Tensor, attrs: ReduceAttrs): Tensor {
  return broadcastTo(reshape(g, reducedShape(x.shape, attrs.axes, true)), x.shape);
}

export function reduction(
  name: string,
  fold: Fold,
  vjp: (g: Tensor, out: Tensor, x: Tensor, attrs: ReduceAttrs) => Tensor | null,
  check: Omit<Primitive<ReduceAttrs>['check'], 'cases'> & { cases?: readonly CheckCase<ReduceAttrs>[] },
): Primitive<ReduceAttrs> {
  return definePrimitive<ReduceAttrs>({
    name,
    arity: 1,
    shape: ([x], { axes, keepDims }) => reducedShape(x!, axes, keepDims),
    prepare: ([x], _out, { axes }) => reduceKernel(fold, x!, axes),
    vjp: (g, out, [x], attrs) => [vjp(g, out, x!, attrs)],
    check: { ...check, cases: check.cases ?? reduceCases },
  });
}

export const reducePrimitives = {
  sum: reduction('sum', { init: '0', step: 'acc + v' }, (g, _o, x, attrs) => expandReduced(g, x, attrs), {
    domain: { lo: -3, hi: 3 },
  }),
} satisfies Record<string, Primitive<ReduceAttrs>>;
