// Elementwise unary primitives: one row each with its scalar expression, derivative and test domain.
import { elementwiseKernel } from '../kernels/elementwise.js';
import { definePrimitive, type Domain, type Primitive } from '../primitive.js';
import type { Tensor } from '../tensor.js';
import {
  acos, add, cos, div, exp, gt, mul, neg, sign, sigmoid, sin, sqrt, sub,
} from '../ops.js';

const anywhere: Domain = { lo: -3, hi: 3 };
const positive: Domain = { lo: 0.2, hi: 3 };
const open11: Domain = { lo: -0.9, hi: 0.9 };
const awayFromZero: Domain = { lo: -3, hi: 3, avoid: [0], margin: 0.2 };

/**
 * One elementwise unary primitive. `vjp(g, out, x)` is the derivative rule written with ops.
 */
function unary(
  name: string,
  expr: (x: string) => string,
  vjp: (g: Tensor, out: Tensor, x: Tensor) => Tensor | null,
  domain: Domain,
  order: 1 | 2 = 2,
): Primitive<undefined> {
  return definePrimitive<undefined>({
    name,
    arity: 1,
    shape: ([x]) => x!,
    prepare: (inputs, out) => elementwiseKernel(expr('a0'), inputs, out),
    scalarExpr: ([x]) => expr(x!),
    vjp: (g, out, [x]) => [vjp(g, out, x!)],
    check: { cases: 'unary', domain, order },
  });
}

export const unaryPrimitives = {
  neg: unary('neg', (x) => `(-${x})`, (g) => neg(g), anywhere),
  // lib.exp: within 6e-16 relative of Math.exp, ~2.5x faster (kernels/fast-exp.ts)
  exp: unary('exp', (x) => `lib.exp(${x})`, (g, out) => mul(g, out), anywhere),
  log: unary('log', (x) => `Math.log(${x})`, (g, _o, x) => div(g, x), positive),
  log1p: unary('log1p', (x) => `Math.log1p(${x})`, (g, _o, x) => div(g, add(x, 1)), { lo: -0.8, hi: 3 }),
  expm1: unary('expm1', (x) => `Math.expm1(${x})`, (g, out) => mul(g, add(out, 1)), anywhere),
  sqrt: unary('sqrt', (x) => `Math.sqrt(${x})`, (g, out) => div(g, mul(out, 2)), positive),
  abs: unary('abs', (x) => `Math.abs(${x})`, (g, _o, x) => mul(g, sign(x)), awayFromZero),
  // sign is flat wherever it is differentiable
  sign: unary('sign', (x) => `lib.sign(${x})`, () => null, awayFromZero),
  sin: unary('sin', (x) => `Math.sin(${x})`, (g, _o, x) => mul(g, cos(x)), anywhere),
  cos: unary('cos', (x) => `Math.cos(${x})`, (g, _o, x) => neg(mul(g, sin(x))), anywhere),
  // d tan = 1 + tan^2
  tan: unary('tan', (x) => `Math.tan(${x})`, (g, out) => mul(g, add(mul(out, out), 1)), { lo: -1.2, hi: 1.2 }),
  // d tanh = 1 - tanh^2
  tanh: unary('tanh', (x) => `Math.tanh(${x})`, (g, out) => mul(g, sub(1, mul(out, out))), anywhere),
  // d sigmoid = s (1 - s); the kernel never overflows
  sigmoid: unary('sigmoid', (x) => `lib.sigmoid(${x})`, (g, out) => mul(g, mul(out, sub(1, out))), { lo: -6, hi: 6 }),
  // branchless (a ternary mispredicts on random signs: 5x slower); relu(NaN) = NaN as in numpy,
  // but relu(-inf) = -inf * 0 = NaN
  relu: unary('relu', (x) => `(${x} * +(${x} > 0))`, (g, _o, x) => mul(g, gt(x, 0)), awayFromZero),
  // softplus = log(1 + e^x), computed without overflow; d softplus = sigmoid
  softplus: unary('softplus', (x) => `lib.softplus(${x})`, (g, _o, x) => mul(g, sigmoid(x)), { lo: -6, hi: 6 }),
  // d acos = -1 / sqrt(1 - x^2), d asin = 1 / sqrt(1 - x^2)
  // lib.acos: within 1 ulp of Math.acos, ~2-3x faster in generated loops (kernels/fast-acos.ts)
  acos: unary('acos', (x) => `lib.acos(${x})`, (g, _o, x) => neg(div(g, sqrt(sub(1, mul(x, x))))), open11),
  asin: unary('asin', (x) => `Math.asin(${x})`, (g, _o, x) => div(g, sqrt(sub(1, mul(x, x)))), open11),
  // the arc-cosine kernel of a cosine c: h(c) = sqrt(1 - c^2) + (pi - acos c) c, so that
  // relu_kernel(a, b) = |a||b| h(cos) / 2pi. A primitive for its derivative h'(c) = pi - acos c,
  // finite at c = ±1 (parallel vectors) where the composed form gives inf - inf.
  arcKernel: unary(
    'arcKernel',
    (x) => `(Math.sqrt(1 - ${x} * ${x}) + (Math.PI - lib.acos(${x})) * ${x})`,
    (g, _o, x) => mul(g, sub(Math.PI, acos(x))),
    open11,
  ),
  atan: unary('atan', (x) => `Math.atan(${x})`, (g, _o, x) => div(g, add(mul(x, x), 1)), anywhere),
  // d erf = 2/sqrt(pi) e^{-x^2}
  erf: unary('erf', (x) => `lib.erf(${x})`, (g, _o, x) => mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))), anywhere),
} satisfies Record<string, Primitive<undefined>>;
