// Primitives that mark where a gradient starts (identity: a differentiation variable) and stops (stopGradient) (derivatives: derivatives/gradient.ts).
import { definePrimitive, type Primitive } from '../primitive.js';

export const gradientPrimitives = {
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
} satisfies Record<string, Primitive<undefined>>;
