// Comparisons (0/1 results, no gradient) and where(cond, a, b).
import { elementwiseKernel } from '../kernels/elementwise.js';
import { definePrimitive, type Primitive } from '../primitive.js';
import { broadcastShapes } from '../shape.js';

function comparison(name: string, op: string): Primitive<undefined> {
  // +(bool) is 1 or 0 without a branch: a ternary mispredicts on random signs (5x slower here)
  const expr = (a: string, b: string): string => `(+(${a} ${op} ${b}))`;
  return definePrimitive<undefined>({
    name,
    arity: 2,
    nondiff: [0, 1],
    shape: (inputs) => broadcastShapes(name, inputs),
    prepare: (inputs, out) => elementwiseKernel(expr('a0', 'a1'), inputs, out),
    scalarExpr: ([a, b]) => expr(a!, b!),
    check: { cases: 'binary', domain: { lo: -3, hi: 3 }, distinct: true, order: 1 },
  });
}

export const comparePrimitives = {
  lt: comparison('lt', '<'),
  le: comparison('le', '<='),
  gt: comparison('gt', '>'),
  ge: comparison('ge', '>='),
  eq: comparison('eq', '==='),
  ne: comparison('ne', '!=='),
  /** where(c, a, b): a where c is nonzero, else b; broadcasting all three. */
  where: definePrimitive<undefined>({
    name: 'where',
    arity: 3,
    nondiff: [0],
    shape: (inputs) => broadcastShapes('where', inputs),
    prepare: (inputs, out) => elementwiseKernel('(a0 !== 0 ? a1 : a2)', inputs, out),
    scalarExpr: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
    check: {
      cases: [
        { shapes: [[4], [4], [4]], attrs: undefined },
        { shapes: [[3, 1], [3, 4], []], attrs: undefined },
        { shapes: [[], [2, 3], [3]], attrs: undefined },
      ],
      domain: [{ lo: 0, hi: 2, integer: true }, { lo: -3, hi: 3 }, { lo: -3, hi: 3 }],
    },
  }),
} satisfies Record<string, Primitive<undefined>>;
