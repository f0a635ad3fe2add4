// The built-in functions of the language: one table of how many arguments each takes (the checker reads it) and how each lowers to autodiff ops.
import {
  abs, acos, allocate, angle, asin, atan, clamp, constant, cos, det, diag, dot, erf, exp, expandDims,
  eigvalsh, expm1, eye, inv, log, log1p, logdet, max, maximum, mean, min, minimum, mul, outer, relu, reluKernel,
  reshape, sigmoid, sign, sin, softplus, solve, sqrt, sum, svdvals, tan, tanh, trace, where, type Tensor,
} from '@descent/autodiff';
import type { Call } from '../ast.js';
import type { CurvatureKind, LowerContext } from './context.js';
import { constantNumber, describe, isRandom, layout, positionalAxes, unionIndex, val, zipWith, type Val } from './values.js';

/** `[min, max]` argument counts; `max` is `Infinity` for variadic built-ins (`randn(n, d, ...)`). */
export const BUILTIN_ARITY = {
  // elementwise, one argument
  exp: [1, 1], log: [1, 1], log1p: [1, 1], expm1: [1, 1], sqrt: [1, 1], abs: [1, 1], sign: [1, 1],
  sin: [1, 1], cos: [1, 1], tan: [1, 1], tanh: [1, 1], sigmoid: [1, 1], relu: [1, 1], softplus: [1, 1],
  acos: [1, 1], asin: [1, 1], atan: [1, 1], erf: [1, 1],
  // matrices and whole-tensor reductions
  trace: [1, 1], diag: [1, 1], det: [1, 1], sum: [1, 1], mean: [1, 1],
  // linear algebra (differentiable)
  inv: [1, 1], solve: [2, 2], logdet: [1, 1], eigvalsh: [1, 1], svdvals: [1, 1],
  // curvature of a scalar over the descended parameters (metrics only)
  hessian_eigs: [2, 2], sharpness: [1, 1], hessian_trace: [1, 1],
  // min(x) reduces, min(a, b) is elementwise
  min: [1, 2], max: [1, 2],
  clamp: [3, 3], where: [3, 3],
  dot: [2, 2], outer: [2, 2], angle: [2, 2], relu_kernel: [2, 2],
  // constructors
  eye: [1, 2], onehot: [2, 2], linspace: [3, 3],
  // random constants from the run's seeded generator; the arguments are the dims
  randn: [1, Infinity], rand: [1, Infinity],
  // a file name in quotes
  load: [1, 1],
} as const satisfies Record<string, readonly [min: number, max: number]>;

export type BuiltinName = keyof typeof BUILTIN_ARITY;

/** Whether `name` is a built-in function (not `grad`/`stop`, which the parser turns into nodes). */
export function isBuiltin(name: string): name is BuiltinName {
  return Object.hasOwn(BUILTIN_ARITY, name);
}

/** The `[min, max]` argument counts of a built-in; undefined for any other name. */
export function arityOf(name: string): readonly [min: number, max: number] | undefined {
  return isBuiltin(name) ? BUILTIN_ARITY[name] : undefined;
}

/** "`dot` takes 2 arguments", "`min` takes 1 or 2 arguments", "`randn` takes at least 1 argument". */
export function describeArity(name: string, [min, max]: readonly [number, number]): string {
  const noun = (k: number): string => `${k} argument${k === 1 ? '' : 's'}`;
  if (min === max) return `\`${name}\` takes ${noun(min)}`;
  if (max === Infinity) return `\`${name}\` takes at least ${noun(min)}`;
  if (max === min + 1) return `\`${name}\` takes ${min} or ${noun(max)}`;
  return `\`${name}\` takes ${min} to ${noun(max)}`;
}

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

/** How each built-in lowers (every one but `load`, the whole value of a let: statements.ts), keyed as BUILTIN_ARITY. */
const table: { readonly [K in Exclude<BuiltinName, 'load'>]: Impl } = {
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
  eye: (args, _ctx, at, fail) => {
    const k = integerArg(args, 0, at, fail, 'the size');
    if (args.length === 1) return val(eye(k));
    // eye(k, d): the k × d matrix with ones on its diagonal
    const d = integerArg(args, 1, at, fail, 'the second size');
    if (k < 1 || d < 1) fail(`eye(${k}, ${d}): the sizes must be positive`, at);
    const data = allocate(k * d);
    for (let i = 0; i < Math.min(k, d); i++) data[i * d + i] = 1;
    return val(constant(data, [k, d]));
  },
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

/** Names lowered by the table. */
export function loweredBuiltins(): string[] {
  return Object.keys(table);
}

/** Lowers a call of a built-in; the argument count was checked before, and again here. */
export function callBuiltin(name: string, args: Val[], ctx: LowerContext, at: Call, fail: Fail): Val {
  const arity = arityOf(name);
  const lower = (table as Readonly<Record<string, Impl | undefined>>)[name];
  if (arity === undefined || lower === undefined) return fail(`\`${name}\` is not a built-in function that lowers here`, at);
  if (args.length < arity[0] || args.length > arity[1]) fail(`${describeArity(name, arity)}, got ${args.length}`, at);
  return lower(args, ctx, at, fail);
}
