// Elementwise unary primitives: one row each with its scalar expression and test domain (derivatives: derivatives/elementwise.ts).
import { elementwiseKernel } from '../kernels/elementwise.js';
import { definePrimitive, type Domain, type Primitive } from '../primitive.js';

const anywhere: Domain = { lo: -3, hi: 3 };
const positive: Domain = { lo: 0.2, hi: 3 };
const open11: Domain = { lo: -0.9, hi: 0.9 };
const awayFromZero: Domain = { lo: -3, hi: 3, avoid: [0], margin: 0.2 };

/** One elementwise unary primitive. */
function unary(
  name: string,
  expr: (x: string) => string,
  domain: Domain,
  order: 1 | 2 = 2,
): Primitive<undefined> {
  return definePrimitive<undefined>({
    name,
    arity: 1,
    shape: ([x]) => x!,
    prepare: (inputs, out) => elementwiseKernel(expr('a0'), inputs, out),
    scalarExpr: ([x]) => expr(x!),
    check: { cases: 'unary', domain, order },
  });
}

export const unaryPrimitives = {
  neg: unary('neg', (x) => `(-${x})`, anywhere),
  // lib.exp: within 6e-16 relative of Math.exp, and inlined where Math.exp is a call (kernels/fast-exp.ts)
  exp: unary('exp', (x) => `lib.exp(${x})`, anywhere),
  log: unary('log', (x) => `Math.log(${x})`, positive),
  log1p: unary('log1p', (x) => `Math.log1p(${x})`, { lo: -0.8, hi: 3 }),
  expm1: unary('expm1', (x) => `Math.expm1(${x})`, anywhere),
  sqrt: unary('sqrt', (x) => `Math.sqrt(${x})`, positive),
  abs: unary('abs', (x) => `Math.abs(${x})`, awayFromZero),
  sign: unary('sign', (x) => `lib.sign(${x})`, awayFromZero),
  sin: unary('sin', (x) => `Math.sin(${x})`, anywhere),
  cos: unary('cos', (x) => `Math.cos(${x})`, anywhere),
  tan: unary('tan', (x) => `Math.tan(${x})`, { lo: -1.2, hi: 1.2 }),
  tanh: unary('tanh', (x) => `Math.tanh(${x})`, anywhere),
  // the kernel never overflows
  sigmoid: unary('sigmoid', (x) => `lib.sigmoid(${x})`, { lo: -6, hi: 6 }),
  // branchless: a ternary mispredicts on random signs; relu(NaN) = NaN as in numpy,
  // but relu(-inf) = -inf * 0 = NaN
  relu: unary('relu', (x) => `(${x} * +(${x} > 0))`, awayFromZero),
  // softplus = log(1 + e^x), computed without overflow
  softplus: unary('softplus', (x) => `lib.softplus(${x})`, { lo: -6, hi: 6 }),
  // lib.acos: within 1 ulp of Math.acos, and inlined where Math.acos is a call (kernels/fast-acos.ts)
  acos: unary('acos', (x) => `lib.acos(${x})`, open11),
  asin: unary('asin', (x) => `Math.asin(${x})`, open11),
  // the arc-cosine kernel h(c) of a cosine (kernels/scalar-lib.ts). A primitive for its derivative
  // h'(c) = pi - acos c, finite at c = ±1 (parallel vectors) where the composed form gives inf - inf.
  arcKernel: unary('arcKernel', (x) => `lib.arcKernel(${x})`, open11),
  // h'(c) = pi - acos c, the arc-cosine kernel's slope: its derivative rule reads this node, and a
  // plan holding both reads the value off it too (optimize/arc-slope.ts), one acos per cosine
  arcSlope: unary('arcSlope', (x) => `(Math.PI - lib.acos(${x}))`, open11),
  atan: unary('atan', (x) => `Math.atan(${x})`, anywhere),
  erf: unary('erf', (x) => `lib.erf(${x})`, anywhere),
} satisfies Record<string, Primitive<undefined>>;
