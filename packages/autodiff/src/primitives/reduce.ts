// Reductions over chosen axes (sum, mean, max, min, logsumexp, prod); gradients broadcast back over the reduced axes.
import { reduceKernel, trailingRows, type Fold } from '../kernels/reduce.js';
import { logsumexpRows } from '../kernels/rows.js';
import { definePrimitive, type CheckCase, type Primitive } from '../primitive.js';
import { reducedShape } from '../shape.js';
import { broadcastTo, div, eq, exp, mul, reshape, sub, sum, where } from '../ops.js';
import { apply, type Tensor } from '../tensor.js';
import { softmaxPrimitives } from './softmax.js';

/** Axes already normalized (sorted, non-negative) by the op that builds the node. */
export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** The cases every reduction is checked on: all axes, one axis, several, kept dims. */
export const reduceCases: readonly CheckCase<ReduceAttrs>[] = [
  { shapes: [[5]], attrs: { axes: [0], keepDims: false } },
  { shapes: [[3, 4]], attrs: { axes: [1], keepDims: false } },
  { shapes: [[3, 4]], attrs: { axes: [0], keepDims: true } },
  { shapes: [[2, 3, 4]], attrs: { axes: [0, 2], keepDims: false } },
  { shapes: [[2, 3]], attrs: { axes: [0, 1], keepDims: false } },
  { shapes: [[]], attrs: { axes: [], keepDims: false } },
];

/** `g` (reduced shape) broadcast back to the input's shape. */
export function expandReduced(g: Tensor, x: Tensor, attrs: ReduceAttrs): Tensor {
  return broadcastTo(reshape(g, reducedShape(x.shape, attrs.axes, true)), x.shape);
}

/** The fold of each reduction primitive, by name (for reductions fused with their input's loop). */
const folds = new Map<string, Fold>();
export function foldOf(name: string): Fold | undefined {
  return folds.get(name);
}

export function reduction(
  name: string,
  fold: Fold,
  vjp: (g: Tensor, out: Tensor, x: Tensor, attrs: ReduceAttrs) => Tensor | null,
  check: Omit<Primitive<ReduceAttrs>['check'], 'cases'> & { cases?: readonly CheckCase<ReduceAttrs>[] },
  prepare: Primitive<ReduceAttrs>['prepare'] = ([x], _out, { axes }) => reduceKernel(fold, x!, axes),
): Primitive<ReduceAttrs> {
  folds.set(name, fold);
  return definePrimitive<ReduceAttrs>({
    name,
    arity: 1,
    shape: ([x], { axes, keepDims }) => reducedShape(x!, axes, keepDims),
    prepare,
    vjp: (g, out, [x], attrs) => [vjp(g, out, x!, attrs)],
    check: { ...check, cases: check.cases ?? reduceCases },
  });
}

/** How many input elements fold into each output element. */
function reducedCount(x: Tensor, axes: readonly number[]): number {
  return axes.reduce((n, a) => n * x.shape[a]!, 1);
}

/**
 * The share of the gradient each element of a max/min receives: 1 at the arg-extreme entries,
 * split evenly among ties (as JAX and PyTorch do), 0 elsewhere. Built from eq, which carries no
 * gradient, so the second derivative is zero almost everywhere, as it should be.
 */
function extremeShare(out: Tensor, x: Tensor, attrs: ReduceAttrs): Tensor {
  const hits = eq(x, expandReduced(out, x, attrs));
  return div(hits, expandReduced(sum(hits, attrs.axes, { keepDims: true }), x, attrs));
}

// a NaN element makes the result NaN (v !== v), as in numpy
const maxFold: Fold = { init: '-Infinity', step: '(v > acc || v !== v ? v : acc)' };
const lseFold: Fold = {
  pre: maxFold,
  init: '0',
  step: 'acc + lib.exp(v - m)',
  finish: '(m === Infinity || m === -Infinity ? m : m + Math.log(acc))',
};
const minFold: Fold = { init: 'Infinity', step: '(v < acc || v !== v ? v : acc)' };

export const reducePrimitives = {
  sum: reduction('sum', { init: '0', step: 'acc + v' }, (g, _o, x, attrs) => expandReduced(g, x, attrs), {
    domain: { lo: -3, hi: 3 },
  }),
  // mean of no elements is 0/0 = NaN, as in numpy
  mean: reduction(
    'mean',
    { init: '0', step: 'acc + v', finish: 'acc / n' },
    (g, _o, x, attrs) => mul(expandReduced(g, x, attrs), 1 / reducedCount(x, attrs.axes)),
    { domain: { lo: -3, hi: 3 } },
  ),
  max: reduction('max', maxFold, (g, out, x, attrs) => mul(expandReduced(g, x, attrs), extremeShare(out, x, attrs)), {
    domain: { lo: -3, hi: 3 },
    distinct: true,
  }),
  min: reduction('min', minFold, (g, out, x, attrs) => mul(expandReduced(g, x, attrs), extremeShare(out, x, attrs)), {
    domain: { lo: -3, hi: 3 },
    distinct: true,
  }),
  /**
   * log sum exp v, in two passes: m = max v, then m + log sum exp(v - m), so no exp overflows
   * (logsumexp([1000, 1000]) = 1000 + log 2). A row of -inf gives -inf and a +inf gives +inf
   * (the finish skips the NaN that exp(v - m) makes when m is infinite).
   * The derivative is softmax: exp(x - out). Where out = -inf every x is -inf and the gradient
   * is taken as 0 instead of exp(-inf + inf) = NaN.
   */
  logsumexp: reduction(
    'logsumexp',
    lseFold,
    (g, out, x, attrs) => {
      const gx = expandReduced(g, x, attrs);
      if (attrs.axes.length === 1) {
        // softmax over the one axis: one fused kernel (native or WebAssembly SIMD for a trailing
        // axis), and the plan computes logsumexp itself from that softmax, without a second exp
        // pass (optimize/lse-softmax.ts); a row of -inf keeps its 0 gradient (emptyAsZero: no
        // -inf test and where of its own, which a gradient of this gradient would carry too)
        const s = apply(softmaxPrimitives.softmax, [x], { axis: attrs.axes[0]!, emptyAsZero: true });
        return mul(gx, s);
      }
      const safeOut = where(eq(out, -Infinity), 0, out);
      return mul(gx, exp(sub(x, expandReduced(safeOut, x, attrs))));
    },
    { domain: { lo: -3, hi: 3 } },
    ([x], _out, { axes }) => {
      const js = reduceKernel(lseFold, x!, axes);
      const rows = trailingRows(x!, axes);
      if (rows === undefined) return js;
      // reduced axes trailing: rows of R contiguous elements, natively or in WebAssembly SIMD where selected
      const { O, R } = rows;
      return (inputs, out) => {
        if (!logsumexpRows(inputs[0]!, out, O, R)) js(inputs, out);
      };
    },
  ),
  // d prod / dx_i = prod / x_i, valid for nonzero inputs (the check keeps away from 0)
  prod: reduction(
    'prod',
    { init: '1', step: 'acc * v' },
    (g, out, x, attrs) => mul(expandReduced(g, x, attrs), div(expandReduced(out, x, attrs), x)),
    { domain: { lo: -2, hi: 2, avoid: [0], margin: 0.4 } },
  ),
} satisfies Record<string, Primitive<ReduceAttrs>>;
