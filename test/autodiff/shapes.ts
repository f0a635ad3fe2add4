// fast-check arbitraries for the shapes a primitive check sweeps: scalars, vectors, matrices, broadcast pairs.
import fc from 'fast-check';
import type { Shape } from '@descent/autodiff';

const dim = fc.integer({ min: 1, max: 4 });

/** A scalar, vector, matrix or rank-3 shape. */
export const anyShape: fc.Arbitrary<Shape> = fc.oneof(
  fc.constant([] as Shape),
  fc.tuple(dim).map((s): Shape => s),
  fc.tuple(dim, dim).map((s): Shape => s),
  fc.tuple(dim, dim, dim).map((s): Shape => s),
);

/** Two shapes that broadcast together: the second drops leading axes and sets some to 1. */
export const broadcastPair: fc.Arbitrary<[Shape, Shape]> = fc
  .tuple(anyShape, fc.nat(3), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.boolean())
  .map(([a, drop, ones, swap]) => {
    const kept = a.slice(Math.min(drop, a.length));
    const b = kept.map((d, i) => (ones[i] ? 1 : d));
    return swap ? [b, a] : [a, b];
  });
