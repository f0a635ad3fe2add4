// Structural primitives the engine itself needs: identity, stopGradient, reshape, broadcastTo (derivatives: derivatives/shape.ts).
import { elementwiseKernel } from '../kernels/elementwise.js';
import { definePrimitive, type Primitive } from '../primitive.js';
import { broadcastShapes, formatShape, sameShape, ShapeError, sizeOf, type Shape } from '../shape.js';

export interface ShapeAttrs {
  readonly shape: Shape;
}

export const structurePrimitives = {
  /** A differentiation variable standing for a traced value: shares its buffer. */
  identity: definePrimitive<undefined>({
    name: 'identity',
    arity: 1,
    alias: true,
    shape: ([x]) => x!,
    prepare: () => (inputs, out) => out.set(inputs[0]!),
    check: { cases: 'unary', domain: { lo: -3, hi: 3 } },
  }),
  /** The value with gradients blocked: `stop(e)`. */
  stopGradient: definePrimitive<undefined>({
    name: 'stopGradient',
    arity: 1,
    alias: true,
    nondiff: [0],
    shape: ([x]) => x!,
    prepare: () => (inputs, out) => out.set(inputs[0]!),
    check: { cases: 'unary', domain: { lo: -3, hi: 3 } },
  }),
  /** Same values, new shape (row-major order kept): shares its input's buffer. */
  reshape: definePrimitive<ShapeAttrs>({
    name: 'reshape',
    arity: 1,
    alias: true,
    shape: ([x], { shape }) => {
      if (sizeOf(x!) !== sizeOf(shape)) {
        throw new ShapeError('reshape', `cannot reshape ${formatShape(x!)} to ${formatShape(shape)}`);
      }
      return shape;
    },
    prepare: () => (inputs, out) => out.set(inputs[0]!),
    check: {
      cases: [
        { shapes: [[2, 3]], attrs: { shape: [6] } },
        { shapes: [[6]], attrs: { shape: [3, 1, 2] } },
        { shapes: [[]], attrs: { shape: [1, 1] } },
      ],
      domain: { lo: -3, hi: 3 },
    },
  }),
  /** numpy broadcasting to a larger shape. */
  broadcastTo: definePrimitive<ShapeAttrs>({
    name: 'broadcastTo',
    arity: 1,
    shape: ([x], { shape }) => {
      const b = broadcastShapes('broadcastTo', [x!, shape]);
      if (!sameShape(b, shape)) {
        throw new ShapeError('broadcastTo', `cannot broadcast ${formatShape(x!)} to ${formatShape(shape)}`);
      }
      return shape;
    },
    prepare: (inputs, out) => elementwiseKernel('a0', inputs, out),
    check: {
      cases: [
        { shapes: [[3]], attrs: { shape: [2, 3] } },
        { shapes: [[2, 1]], attrs: { shape: [2, 4] } },
        { shapes: [[]], attrs: { shape: [2, 2] } },
        { shapes: [[1, 3, 1]], attrs: { shape: [2, 3, 2] } },
      ],
      domain: { lo: -3, hi: 3 },
    },
  }),
} satisfies Record<string, Primitive<undefined> | Primitive<ShapeAttrs>>;
