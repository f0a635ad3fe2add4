// Built-in functions of the language, lowered to autodiff ops over index-labelled values.
import {
  abs, acos, allocate, angle, asin, atan, clamp, constant, cos, det, diag, dot, erf, exp, expandDims,
  expm1, eye, log, log1p, max, maximum, mean, min, minimum, mul, outer, relu, reluKernel, sigmoid,
  sign, sin, softplus, sqrt, sum, tan, tanh, trace, where, type Tensor,
} from '@descent/autodiff';
import type { Call } from '../ast.js';
import type { LowerContext } from './context.js';
import { constantNumber } from './expr.js';
import { layout, positionalAxes, unionIndex, val, zipWith, type Val } from './values.js';

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

/** Reduce over all positional axes (sum(x), mean(x), max(x), min(x) of one argument). */
const overAll = (op: (t: Tensor, axes: number[]) => Tensor): Impl => ([x]) => val(op(x!.t, positionalAxes(x!)), x!.index);

/** An op over the last positional axis of two values (dot, angle, relu_kernel). */
const lastAxisPair = (op: (a: Tensor, b: Tensor) => Tensor): Impl => (args) => zipWith(args, ([a, b]) => op(a!, b!));

const table: Readonly<Record<string, { arity: readonly [number, number]; impl: Impl }>> = {
  exp: { arity: [1, 1], impl: elementwise(exp) },
  log: { arity: [1, 1], impl: elementwise(log) },
  log1p: { arity: [1, 1], impl: elementwise(log1p) },
  expm1: { arity: [1, 1], impl: elementwise(expm1) },
  sqrt: { arity: [1, 1], impl: elementwise(sqrt) },
  abs: { arity: [1, 1], impl: elementwise(abs) },
  sign: { arity: [1, 1], impl: elementwise(sign) },
  sin: { arity: [1, 1], impl: elementwise(sin) },
  cos: { arity: [1, 1], impl: elementwise(cos) },
  tan: { arity: [1, 1], impl: elementwise(tan) },
  tanh: { arity: [1, 1], impl: elementwise(tanh) },
  sigmoid: { arity: [1, 1], impl: elementwise(sigmoid) },
  relu: { arity: [1, 1], impl: elementwise(relu) },
  softplus: { arity: [1, 1], impl: elementwise(softplus) },
  acos: { arity: [1, 1], impl: elementwise(acos) },
  asin: { arity: [1, 1], impl: elementwise(asin) },
  atan: { arity: [1, 1], impl: elementwise(atan) },
  erf: { arity: [1, 1], impl: elementwise(erf) },
  // one argument: over its positional axes; two: elementwise
  min: { arity: [1, 2], impl: (args, ...rest) => (args.length === 1 ? overAll(min)(args, ...rest) : zip(([a, b]) => minimum(a!, b!))(args, ...rest)) },
  max: { arity: [1, 2], impl: (args, ...rest) => (args.length === 1 ? overAll(max)(args, ...rest) : zip(([a, b]) => maximum(a!, b!))(args, ...rest)) },
  sum: { arity: [1, 1], impl: overAll(sum) },
  mean: { arity: [1, 1], impl: overAll(mean) },
  clamp: { arity: [3, 3], impl: zip(([x, lo, hi]) => clamp(x!, lo!, hi!)) },
  where: { arity: [3, 3], impl: zip(([c, a, b]) => where(c!, a!, b!)) },
  dot: { arity: [2, 2], impl: lastAxisPair(dot) },
  angle: { arity: [2, 2], impl: lastAxisPair(angle) },
  relu_kernel: { arity: [2, 2], impl: lastAxisPair(reluKernel) },
  outer: {
    arity: [2, 2],
    impl: ([a, b]) => {
      const index = unionIndex([a!, b!]);
      return val(outer(layout(a!, index, a!.shape.length), layout(b!, index, b!.shape.length)), index);
    },
  },
  trace: { arity: [1, 1], impl: ([a]) => val(trace(a!.t), a!.index) },
  det: { arity: [1, 1], impl: ([a]) => val(det(a!.t), a!.index) },
  diag: {
    arity: [1, 1],
    impl: ([a]) => {
      // a vector gives a diagonal matrix, a matrix its diagonal; named axes ride along
      if (a!.shape.length === 1) return val(mul(expandDims(a!.t, -1), eye(a!.shape[0]!)), a!.index);
      return val(diag(a!.t), a!.index);
    },
  },
  eye: { arity: [1, 1], impl: (args, _ctx, at, fail) => val(eye(integerArg(args, 0, at, fail, 'the size'))) },
  onehot: {
    arity: [2, 2],
    impl: (args, _ctx, at, fail) => {
      const n = integerArg(args, 0, at, fail, 'the size');
      const k = integerArg(args, 1, at, fail, 'the position');
      if (k < 0 || k >= n) fail(`onehot(${n}, ${k}): the position must be in [0, ${n})`, at);
      const data = allocate(n);
      data[k] = 1;
      return val(constant(data, [n]));
    },
  },
  linspace: {
    arity: [3, 3],
    impl: (args, _ctx, at, fail) => {
      const lo = numberArg(args, 0, at, fail, 'the start');
      const hi = numberArg(args, 1, at, fail, 'the end');
      const n = integerArg(args, 2, at, fail, 'the count');
      const data = allocate(n);
      for (let i = 0; i < n; i++) data[i] = n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1);
      return val(constant(data, [n]));
    },
  },
  randn: { arity: [1, 8], impl: (args, ctx, at, fail) => val(ctx.constRng.randn(sizes(args, at, fail))) },
  rand: { arity: [1, 8], impl: (args, ctx, at, fail) => val(ctx.constRng.rand(sizes(args, at, fail))) },
};

export function isBuiltin(name: string): boolean {
  return Object.hasOwn(table, name);
}

/** Lowers a call of a built-in; the argument count was checked before, and again here. */
export function callBuiltin(name: string, args: Val[], ctx: LowerContext, at: Call, fail: Fail): Val {
  const entry = table[name]!;
  const [lo, hi] = entry.arity;
  if (args.length < lo || args.length > hi) {
    const want = lo === hi ? `${lo}` : `${lo} to ${hi}`;
    fail(`\`${name}\` takes ${want} argument${hi === 1 ? '' : 's'}, got ${args.length}`, at);
  }
  return entry.impl(args, ctx, at, fail);
}
