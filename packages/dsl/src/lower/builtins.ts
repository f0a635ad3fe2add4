// Built-in functions of the language, lowered to autodiff ops over index-labelled values.
import {
  abs, acos, allocate, angle, asin, atan, clamp, constant, cos, det, diag, dot, erf, exp, expandDims,
  eigvalsh, expm1, eye, inv, log, log1p, logdet, max, maximum, mean, min, minimum, mul, outer, relu, reluKernel,
  reshape, sigmoid, sign, sin, softplus, solve, sqrt, sum, svdvals, tan, tanh, trace, where, type Tensor,
} from '@descent/autodiff';
import type { Call } from '../ast.js';
import { BUILTIN_ARITY, describeArity } from '../builtin-arity.js';
import type { CurvatureKind, LowerContext } from './context.js';
import { constantNumber } from './expr.js';
import { describe, isRandom, layout, positionalAxes, unionIndex, val, zipWith, type Val } from './values.js';

type Fail = (message: string, at: Call) => never;
type Impl = (args: Val[], ctx: LowerContext, at: Call, fail: Fail) => Val;

const elementwise = (op: (x: Tensor) => Tensor): Impl => ([x]) => val(op(x!.t), x!.index);
const zip = (op: (ts: Tensor[]) => Tensor): Impl => (args) => zipWith(args, op);

/** An argument that must be a constant integer (a size, an index). */
function integerArg(args: Val[], k: number, at: Call, fail: Fail, what: string): number {
  const n = constantNumber(args[k]!);
  if (n === undefined || !Number.isInteger(n)) fail(`${what} of \`${at.callee.name}\` must be a constant integer`, at);
  return n;
}

function numberArg(args: Val[], k: number, at: Call, fail: Fail, what: string): number {
  const n = constantNumber(args[k]!);
  if (n === undefined) fail(`${what} of \`${at.callee.name}\` must be a constant number`, at);
  return n;
}

function sizes(args: Val[], at: Call, fail: Fail): number[] {
  return args.map((_, k) => {
    const n = integerArg(args, k, at, fail, `size ${k + 1}`);
    if (n < 0) fail(`sizes of \`${at.callee.name}\` must not be negative`, at);
    return n;
  });
}

/** A Hessian metric of the scalar first argument (metrics only), as the input the program fills. */
function curvatureOf(args: Val[], ctx: LowerContext, at: Call, fail: Fail, kind: CurvatureKind, k: number): Tensor {
  const name = at.callee.name;
  if (!ctx.curvature) fail(`\`${name}\` is a metric: use it in a \`metric\` (or a claim on one), not in the loss, an update or a let`, at);
  const e = args[0]!;
  if (isRandom(e)) fail(`the value of \`${name}\` is random: take its expectation with E[...]`, at);
  if (e.index.length || e.shape.length) fail(`\`${name}\` needs a scalar (such as \`loss\`), got ${describe(e)}`, at);
  if (kind === 'eigs' && k < 1) fail(`\`${name}\` needs a count of at least 1, got ${k}`, at);
  return ctx.curvature(e.t, kind, k);
}

/** Reduce over all positional axes (sum(x), mean(x), max(x), min(x) of one argument). */
const overAll = (op: (t: Tensor, axes: number[]) => Tensor): Impl => ([x]) => val(op(x!.t, positionalAxes(x!)), x!.index);

/** An op over the last positional axis of two values (dot, angle, relu_kernel). */
const lastAxisPair = (op: (a: Tensor, b: Tensor) => Tensor): Impl => (args) => zipWith(args, ([a, b]) => op(a!, b!));

/** How each built-in lowers; how many arguments it takes is in ../builtin-arity.ts. */
const table: Readonly<Record<string, Impl>> = {
  exp: elementwise(exp),
  log: elementwise(log),
  log1p: elementwise(log1p),
  expm1: elementwise(expm1),
  sqrt: elementwise(sqrt),
  abs: elementwise(abs),
  sign: elementwise(sign),
  sin: elementwise(sin),
  cos: elementwise(cos),
  tan: elementwise(tan),
  tanh: elementwise(tanh),
  sigmoid: elementwise(sigmoid),
  relu: elementwise(relu),
  softplus: elementwise(softplus),
  acos: elementwise(acos),
  asin: elementwise(asin),
  atan: elementwise(atan),
  erf: elementwise(erf),
  // one argument: over its positional axes; two: elementwise
  min: (args, ...rest) => (args.length === 1 ? overAll(min) : zip(([a, b]) => minimum(a!, b!)))(args, ...rest),
  max: (args, ...rest) => (args.length === 1 ? overAll(max) : zip(([a, b]) => maximum(a!, b!)))(args, ...rest),
  sum: overAll(sum),
  mean: overAll(mean),
  clamp: zip(([x, lo, hi]) => clamp(x!, lo!, hi!)),
  where: zip(([c, a, b]) => where(c!, a!, b!)),
  dot: lastAxisPair(dot),
  angle: lastAxisPair(angle),
  relu_kernel: lastAxisPair(reluKernel),
  outer: ([a, b]) => {
    const index = unionIndex([a!, b!]);
    return val(outer(layout(a!, index, a!.shape.length), layout(b!, index, b!.shape.length)), index);
  },
  trace: ([a]) => val(trace(a!.t), a!.index),
  det: ([a]) => val(det(a!.t), a!.index),
  inv: ([a]) => val(inv(a!.t), a!.index),
  logdet: ([a]) => val(logdet(a!.t), a!.index),
  eigvalsh: ([a]) => val(eigvalsh(a!.t), a!.index),
  svdvals: ([a]) => val(svdvals(a!.t), a!.index),
  // A⁻¹b for a vector b, A⁻¹B for a matrix B; named axes of either ride along as batch axes
  solve: ([a, b]) => {
    const index = unionIndex([a!, b!]);
    return val(solve(layout(a!, index, a!.shape.length), layout(b!, index, b!.shape.length)), index);
  },
  // a vector gives a diagonal matrix, a matrix its diagonal; named axes ride along
  diag: ([a]) =>
    a!.shape.length === 1 ? val(mul(expandDims(a!.t, -1), eye(a!.shape[0]!)), a!.index) : val(diag(a!.t), a!.index),
  eye: (args, _ctx, at, fail) => val(eye(integerArg(args, 0, at, fail, 'the size'))),
  onehot: (args, _ctx, at, fail) => {
    const n = integerArg(args, 0, at, fail, 'the size');
    const k = integerArg(args, 1, at, fail, 'the position');
    if (k < 0 || k >= n) fail(`onehot(${n}, ${k}): the position must be in [0, ${n})`, at);
    const data = allocate(n);
    data[k] = 1;
    return val(constant(data, [n]));
  },
  linspace: (args, _ctx, at, fail) => {
    const lo = numberArg(args, 0, at, fail, 'the start');
    const hi = numberArg(args, 1, at, fail, 'the end');
    const n = integerArg(args, 2, at, fail, 'the count');
    const data = allocate(n);
    for (let i = 0; i < n; i++) data[i] = n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1);
    return val(constant(data, [n]));
  },
  hessian_eigs: (args, ctx, at, fail) => {
    const k = integerArg(args, 1, at, fail, 'the count');
    return val(curvatureOf(args, ctx, at, fail, 'eigs', k));
  },
  sharpness: (args, ctx, at, fail) => val(reshape(curvatureOf(args, ctx, at, fail, 'eigs', 1), [])),
  hessian_trace: (args, ctx, at, fail) => val(curvatureOf(args, ctx, at, fail, 'trace', 1)),
  randn: (args, ctx, at, fail) => val(ctx.constRng.randn(sizes(args, at, fail))),
  rand: (args, ctx, at, fail) => val(ctx.constRng.rand(sizes(args, at, fail))),
};

export function isBuiltin(name: string): boolean {
  return Object.hasOwn(table, name);
}

/** Names lowered by this table (a test checks they match the arity table). */
export function loweredBuiltins(): string[] {
  return Object.keys(table);
}

/** Lowers a call of a built-in; the argument count was checked before, and again here. */
export function callBuiltin(name: string, args: Val[], ctx: LowerContext, at: Call, fail: Fail): Val {
  const arity = BUILTIN_ARITY[name]!;
  if (args.length < arity[0] || args.length > arity[1]) fail(`${describeArity(name, arity)}, got ${args.length}`, at);
  return table[name]!(args, ctx, at, fail);
}
