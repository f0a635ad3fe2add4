// Elementwise binary primitives with numpy broadcasting (derivatives: derivatives/elementwise.ts).
import { elementwiseKernel } from '../kernels/elementwise.js';
import { definePrimitive, type Domain, type Primitive } from '../primitive.js';
import { broadcastShapes } from '../shape.js';

const anywhere: Domain = { lo: -3, hi: 3 };

function binary(
  name: string,
  expr: (a: string, b: string) => string,
  domain: Domain | readonly Domain[],
  extra: { distinct?: boolean } = {},
): Primitive<undefined> {
  return definePrimitive<undefined>({
    name,
    arity: 2,
    shape: (inputs) => broadcastShapes(name, inputs),
    prepare: (inputs, out) => elementwiseKernel(expr('a0', 'a1'), inputs, out),
    scalarExpr: ([a, b]) => expr(a!, b!),
    check: { cases: 'binary', domain, ...extra },
  });
}

export const binaryPrimitives = {
  add: binary('add', (a, b) => `(${a} + ${b})`, anywhere),
  sub: binary('sub', (a, b) => `(${a} - ${b})`, anywhere),
  mul: binary('mul', (a, b) => `(${a} * ${b})`, anywhere),
  div: binary('div', (a, b) => `(${a} / ${b})`, [anywhere, { lo: 0.5, hi: 3 }]),
  pow: binary('pow', (a, b) => `Math.pow(${a}, ${b})`, [{ lo: 0.3, hi: 2.5 }, { lo: -2, hi: 2 }]),
  maximum: binary('maximum', (a, b) => `(${a} >= ${b} ? ${a} : ${b})`, anywhere, { distinct: true }),
  minimum: binary('minimum', (a, b) => `(${a} <= ${b} ? ${a} : ${b})`, anywhere, { distinct: true }),
} satisfies Record<string, Primitive<undefined>>;
