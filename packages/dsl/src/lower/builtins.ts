// The built-in functions of the language: one table of how many arguments each takes (the checker reads it) and how it lowers to autodiff ops.
import {
  abs, acos, allocate, angle, asin, atan, clamp, constant, cos, det, diag, dot, erf, exp, expandDims,
  eigvalsh, expm1, eye, inv, log, log1p, logdet, max, maximum, mean, min, minimum, mul, outer, relu, reluKernel,
  reshape, sigmoid, sign, sin, softplus, solve, sqrt, sum, svdvals, tan, tanh, trace, where, type Tensor,
} from '@descent/autodiff';
import type { Call } from '../ast.js';
import type { CurvatureKind, LowerContext } from './context.js';
import { constantNumber, describe, isRandom, layout, positionalAxes, unionIndex, val, zipWith, type Val } from './values.js';

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

/** A built-in function: how many arguments it takes, and how it lowers (`load` lowers elsewhere). */
interface Builtin {
  readonly arity: readonly [min: number, max: number];
  readonly lower?: Impl;
}

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

/**
 * The built-in functions: for each, `[min, max]` argument counts (`max` is Infinity for variadic
 * ones such as `randn(n, d, ...)`), which the checker reads, and how it lowers.
 */
const BUILTINS: Readonly<Record<string, Builtin>> = {
  exp: { arity: [1, 1], lower: elementwise(exp) },
  log: { arity: [1, 1], lower: elementwise(log) },
  log1p: { arity: [1, 1], lower: elementwise(log1p) },
  expm1: { arity: [1, 1], lower: elementwise(expm1) },
  sqrt: { arity: [1, 1], lower: elementwise(sqrt) },
  abs: { arity: [1, 1], lower: elementwise(abs) },
  sign: { arity: [1, 1], lower: elementwise(sign) },
  sin: { arity: [1, 1], lower: elementwise(sin) },
  cos: { arity: [1, 1], lower: elementwise(cos) },
  tan: { arity: [1, 1], lower: elementwise(tan) },
  tanh: { arity: [1, 1], lower: elementwise(tanh) },
  sigmoid: { arity: [1, 1], lower: elementwise(sigmoid) },
  relu: { arity: [1, 1], lower: elementwise(relu) },
  softplus: { arity: [1, 1], lower: elementwise(softplus) },
  acos: { arity: [1, 1], lower: elementwise(acos) },
  asin: { arity: [1, 1], lower: elementwise(asin) },
  atan: { arity: [1, 1], lower: elementwise(atan) },
  erf: { arity: [1, 1], lower: elementwise(erf) },
  // one argument: over its positional axes; two: elementwise
  min: { arity: [1, 2], lower: (args, ...rest) => (args.length === 1 ? overAll(min) : zip(([a, b]) => minimum(a!, b!)))(args, ...rest) },
  max: { arity: [1, 2], lower: (args, ...rest) => (args.length === 1 ? overAll(max) : zip(([a, b]) => maximum(a!, b!)))(args, ...rest) },
  sum: { arity: [1, 1], lower: overAll(sum) },
  mean: { arity: [1, 1], lower: overAll(mean) },
  clamp: { arity: [3, 3], lower: zip(([x, lo, hi]) => clamp(x!, lo!, hi!)) },
  where: { arity: [3, 3], lower: zip(([c, a, b]) => where(c!, a!, b!)) },
  dot: { arity: [2, 2], lower: lastAxisPair(dot) },
  angle: { arity: [2, 2], lower: lastAxisPair(angle) },
  relu_kernel: { arity: [2, 2], lower: lastAxisPair(reluKernel) },
  outer: { arity: [2, 2], lower: ([a, b]) => {
    const index = unionIndex([a!, b!]);
    return val(outer(layout(a!, index, a!.shape.length), layout(b!, index, b!.shape.length)), index);
  } },
  trace: { arity: [1, 1], lower: ([a]) => val(trace(a!.t), a!.index) },
  det: { arity: [1, 1], lower: ([a]) => val(det(a!.t), a!.index) },
  inv: { arity: [1, 1], lower: ([a]) => val(inv(a!.t), a!.index) },
  logdet: { arity: [1, 1], lower: ([a]) => val(logdet(a!.t), a!.index) },
  eigvalsh: { arity: [1, 1], lower: ([a]) => val(eigvalsh(a!.t), a!.index) },
  svdvals: { arity: [1, 1], lower: ([a]) => val(svdvals(a!.t), a!.index) },
  // A⁻¹b for a vector b, A⁻¹B for a matrix B; named axes of either ride along as batch axes
  solve: { arity: [2, 2], lower: ([a, b]) => {
    const index = unionIndex([a!, b!]);
    return val(solve(layout(a!, index, a!.shape.length), layout(b!, index, b!.shape.length)), index);
  } },
  // a vector gives a diagonal matrix, a matrix its diagonal; named axes ride along
  diag: { arity: [1, 1], lower: ([a]) =>
    a!.shape.length === 1 ? val(mul(expandDims(a!.t, -1), eye(a!.shape[0]!)), a!.index) : val(diag(a!.t), a!.index) },
  eye: { arity: [1, 2], lower: (args, _ctx, at, fail) => {
    const k = integerArg(args, 0, at, fail, 'the size');
    if (args.length === 1) return val(eye(k));
    // eye(k, d): the k × d matrix with ones on its diagonal
    const d = integerArg(args, 1, at, fail, 'the second size');
    if (k < 1 || d < 1) fail(`eye(${k}, ${d}): the sizes must be positive`, at);
    const data = allocate(k * d);
    for (let i = 0; i < Math.min(k, d); i++) data[i * d + i] = 1;
    return val(constant(data, [k, d]));
  } },
  onehot: { arity: [2, 2], lower: (args, _ctx, at, fail) => {
    const n = integerArg(args, 0, at, fail, 'the size');
    const k = integerArg(args, 1, at, fail, 'the position');
    if (k < 0 || k >= n) fail(`onehot(${n}, ${k}): the position must be in [0, ${n})`, at);
    const data = allocate(n);
    data[k] = 1;
    return val(constant(data, [n]));
  } },
  linspace: { arity: [3, 3], lower: (args, _ctx, at, fail) => {
    const lo = numberArg(args, 0, at, fail, 'the start');
    const hi = numberArg(args, 1, at, fail, 'the end');
    const n = integerArg(args, 2, at, fail, 'the count');
    const data = allocate(n);
    for (let i = 0; i < n; i++) data[i] = n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1);
    return val(constant(data, [n]));
  } },
  hessian_eigs: { arity: [2, 2], lower: (args, ctx, at, fail) => {
    const k = integerArg(args, 1, at, fail, 'the count');
    return val(curvatureOf(args, ctx, at, fail, 'eigs', k));
  } },
  sharpness: { arity: [1, 1], lower: (args, ctx, at, fail) => val(reshape(curvatureOf(args, ctx, at, fail, 'eigs', 1), [])) },
  hessian_trace: { arity: [1, 1], lower: (args, ctx, at, fail) => val(curvatureOf(args, ctx, at, fail, 'trace', 1)) },
  randn: { arity: [1, Infinity], lower: (args, ctx, at, fail) => val(ctx.constRng.randn(sizes(args, at, fail))) },
  rand: { arity: [1, Infinity], lower: (args, ctx, at, fail) => val(ctx.constRng.rand(sizes(args, at, fail))) },
  // a file name in quotes; lowered as the whole value of a let (statements.ts), never as a call
  load: { arity: [1, 1] },
};

/** Whether `name` is a built-in function (not `grad`/`stop`, which the parser turns into nodes). */
export function isBuiltin(name: string): boolean {
  return Object.hasOwn(BUILTINS, name);
}

/** The `[min, max]` argument counts of a built-in; undefined for any other name. */
export function arityOf(name: string): readonly [min: number, max: number] | undefined {
  return isBuiltin(name) ? BUILTINS[name]!.arity : undefined;
}

/** The names of every built-in function. */
export function builtinNames(): string[] {
  return Object.keys(BUILTINS);
}

/** The names of the built-ins lowered as calls (all but `load`). */
export function loweredBuiltins(): string[] {
  return builtinNames().filter((n) => BUILTINS[n]!.lower !== undefined);
}

/** Lowers a call of a built-in; the argument count was checked before, and again here. */
export function callBuiltin(name: string, args: Val[], ctx: LowerContext, at: Call, fail: Fail): Val {
  const builtin = isBuiltin(name) ? BUILTINS[name]! : undefined;
  const lower = builtin?.lower;
  if (builtin === undefined || lower === undefined) return fail(`\`${name}\` is not a built-in function that lowers here`, at);
  const { arity } = builtin;
  if (args.length < arity[0] || args.length > arity[1]) fail(`${describeArity(name, arity)}, got ${args.length}`, at);
  return lower(args, ctx, at, fail);
}
