// Derivative rules of the primitives that move elements: structure (identity, reshape, broadcastTo) and shape.
import type { RulesOf } from '../derivative.js';
import { gather, pad, permute, reshape, scatterAdd, slice, sumToShape } from '../ops.js';
import type { shapePrimitives } from '../primitives/shape.js';
import type { structurePrimitives } from '../primitives/structure.js';

export const structureRules: RulesOf<typeof structurePrimitives> = {
  identity: (g) => [g],
  // stop(e) has no derivative by definition
  stopGradient: () => [null],
  reshape: (g, _out, [x]) => [reshape(g, x!.shape)],
  // broadcasting's adjoint sums the broadcast axes away
  broadcastTo: (g, _out, [x]) => [sumToShape(g, x!.shape)],
};

export const shapeRules: RulesOf<typeof shapePrimitives> = {
  // the inverse permutation sends each axis back: inverse[perm[i]] = i
  transpose: (g, _out, _x, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [permute(g, inverse)];
  },
  // the adjoint of taking a block is putting it back into zeros
  slice: (g, _out, [x], { begin, end }) => [pad(g, begin.map((b, i) => [b, x!.shape[i]! - end[i]!] as const))],
  padSlice: (g, _out, [x], { begin }) => [slice(g, begin, begin.map((b, i) => b + x!.shape[i]!))],
  // rows picked several times receive the sum of their gradients
  gather: (g, _out, [x, indices]) => [scatterAdd(g, indices!, x!.shape[0]!), null],
  scatterAdd: (g, _out, [, indices]) => [gather(g, indices!), null],
  // each input's gradient is its own slab of g
  concat: (g, _out, inputs, { axis }) => {
    let start = 0;
    return inputs.map((x) => {
      const begin = g.shape.map((_, i) => (i === axis ? start : 0));
      const end = g.shape.map((d, i) => (i === axis ? start + x.shape[axis]! : d));
      start += x.shape[axis]!;
      return slice(g, begin, end);
    });
  },
};
