// Elementwise binary primitives with numpy broadcasting; the engine sums broadcast axes away.
import { elementwiseKernel } from '../kernels/elementwise.js';
import { definePrimitive, type Domain, type Primitive } from '../primitive.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { div, ge, gt, le, log, lt, mul, neg, pow, sub, where } from '../ops.js';

const anywhere: Domain = { lo: -3, hi: 3 };

function binary(
  name: string,
  expr: (a: string, b: string) => string,
  vjp: (g: Tensor, out: Tensor, a: Tensor, b: Tensor) => readonly (Tensor | null)[],
  domain: Domain | readonly Domain[],
  extra: { distinct?: boolean } = {},
): Primitive<undefined> {
  return definePrimitive<undefined>({
    name,
    arity: 2,
    shape: (inputs) => broadcastShapes(name, inputs),
    prepare: (inputs, out) => elementwiseKernel(expr('a0', 'a1'), inputs, out),
    scalarExpr: ([a, b]) => expr(a!, b!),
    vjp: (g, out, [a, b]) => vjp(g, out, a!, b!),
    check: { cases: 'binary', domain, ...extra },
  });
}

export const binaryPrimitives = {
  add: binary('add', (a, b) => `(${a} + ${b})`, (g) => [g, g], anywhere),
  sub: binary('sub', (a, b) => `(${a} - ${b})`, (g) => [g, neg(g)], anywhere),
  mul: binary('mul', (a, b) => `(${a} * ${b})`, (g, _o, a, b) => [mul(g, b), mul(g, a)], anywhere),
  // d(a/b) = da/b - a db/b^2 = (da - out db)/b
  div: binary('div', (a, b) => `(${a} / ${b})`, (g, out, _a, b) => [div(g, b), neg(div(mul(g, out), b))], [
    anywhere,
    { lo: 0.5, hi: 3 },
  ]),
  // d(a^b) = b a^(b-1) da + a^b log(a) db; log is guarded so a <= 0 gives 0, not NaN, for db
  pow: binary(
    'pow',
    (a, b) => `Math.pow(${a}, ${b})`,
    (g, out, a, b) => [
      mul(g, mul(b, pow(a, sub(b, 1)))),
      mul(g, mul(out, log(where(gt(a, 0), a, 1)))),
    ],
    [{ lo: 0.3, hi: 2.5 }, { lo: -2, hi: 2 }],
  ),
  // ties send the gradient to the first input
  max: binary(
    'maximum',
    (a, b) => `(${a} >= ${b} ? ${a} : ${b})`,
    (g, _o, a, b) => [mul(g, ge(a, b)), mul(g, lt(a, b))],
    anywhere,
    { distinct: true },
  ),
  min: binary(
    'minimum',
    (a, b) => `(${a} <= ${b} ? ${a} : ${b})`,
    (g, _o, a, b) => [mul(g, le(a, b)), mul(g, gt(a, b))],
    anywhere,
    { distinct: true },
  ),
} satisfies Record<string, Primitive<undefined>>;
