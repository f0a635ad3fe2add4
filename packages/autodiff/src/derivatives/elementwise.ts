// Derivative rules of the elementwise primitives: unary functions, binary arithmetic, comparisons and where.
import { unaryRule, type RulesOf } from '../derivative.js';
import {
  acos, add, arcSlope, cos, div, exp, ge, gt, le, log, lt, mul, neg, pow, sign, sigmoid, sin, sqrt, sub, where,
} from '../ops.js';
import type { binaryPrimitives } from '../primitives/binary.js';
import type { comparePrimitives } from '../primitives/compare.js';
import type { unaryPrimitives } from '../primitives/unary.js';

export const unaryRules: RulesOf<typeof unaryPrimitives> = {
  neg: unaryRule((g) => neg(g)),
  exp: unaryRule((g, out) => mul(g, out)),
  log: unaryRule((g, _o, x) => div(g, x)),
  log1p: unaryRule((g, _o, x) => div(g, add(x, 1))),
  expm1: unaryRule((g, out) => mul(g, add(out, 1))),
  sqrt: unaryRule((g, out) => div(g, mul(out, 2))),
  abs: unaryRule((g, _o, x) => mul(g, sign(x))),
  // sign is flat wherever it is differentiable
  sign: unaryRule(() => null),
  sin: unaryRule((g, _o, x) => mul(g, cos(x))),
  cos: unaryRule((g, _o, x) => neg(mul(g, sin(x)))),
  // d tan = 1 + tan^2
  tan: unaryRule((g, out) => mul(g, add(mul(out, out), 1))),
  // d tanh = 1 - tanh^2
  tanh: unaryRule((g, out) => mul(g, sub(1, mul(out, out)))),
  // d sigmoid = s (1 - s)
  sigmoid: unaryRule((g, out) => mul(g, mul(out, sub(1, out)))),
  relu: unaryRule((g, _o, x) => mul(g, gt(x, 0))),
  // d softplus = sigmoid
  softplus: unaryRule((g, _o, x) => mul(g, sigmoid(x))),
  // d acos = -1 / sqrt(1 - x^2), d asin = 1 / sqrt(1 - x^2)
  acos: unaryRule((g, _o, x) => neg(div(g, sqrt(sub(1, mul(x, x)))))),
  asin: unaryRule((g, _o, x) => div(g, sqrt(sub(1, mul(x, x))))),
  // h'(c) = pi - acos c: finite at c = ±1
  arcKernel: unaryRule((g, _o, x) => mul(g, arcSlope(x))),
  // d(pi - acos c) = 1 / sqrt(1 - c^2)
  arcSlope: unaryRule((g, _o, x) => div(g, sqrt(sub(1, mul(x, x))))),
  atan: unaryRule((g, _o, x) => div(g, add(mul(x, x), 1))),
  // d erf = 2/sqrt(pi) e^{-x^2}
  erf: unaryRule((g, _o, x) => mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))),
};

export const binaryRules: RulesOf<typeof binaryPrimitives> = {
  add: (g) => [g, g],
  sub: (g) => [g, neg(g)],
  mul: (g, _o, [a, b]) => [mul(g, b!), mul(g, a!)],
  // d(a/b) = da/b - a db/b^2 = (da - out db)/b
  div: (g, out, [, b]) => [div(g, b!), neg(div(mul(g, out), b!))],
  // d(a^b) = b a^(b-1) da + a^b log(a) db; log is guarded so a <= 0 gives 0, not NaN, for db
  pow: (g, out, [a, b]) => [mul(g, mul(b!, pow(a!, sub(b!, 1)))), mul(g, mul(out, log(where(gt(a!, 0), a!, 1))))],
  // ties send the gradient to the first input
  maximum: (g, _o, [a, b]) => [mul(g, ge(a!, b!)), mul(g, lt(a!, b!))],
  minimum: (g, _o, [a, b]) => [mul(g, le(a!, b!)), mul(g, gt(a!, b!))],
};

const noGradient = (): readonly null[] => [null, null];

export const compareRules: RulesOf<typeof comparePrimitives> = {
  lt: noGradient,
  le: noGradient,
  gt: noGradient,
  ge: noGradient,
  eq: noGradient,
  ne: noGradient,
  where: (g, _out, [c]) => [null, where(c!, g, 0), where(c!, 0, g)],
};
