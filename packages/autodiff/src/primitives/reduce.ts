// Reductions over chosen axes (sum, mean, max, min, logsumexp, prod): shapes, folds and kernels (derivatives: derivatives/reduce.ts).
import { reduceKernel, trailingRows, type Fold } from '../kernels/reduce.js';
import { selectedKernel } from '../kernels/registry.js';
import { definePrimitive, type CheckCase, type Primitive } from '../primitive.js';
import { reducedShape } from '../shape.js';

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

/** The fold of each reduction primitive, by name (for reductions fused with their input's loop). */
const folds = new Map<string, Fold>();
export function foldOf(name: string): Fold | undefined {
  return folds.get(name);
}

export function reduction(
  name: string,
  fold: Fold,
  check: Omit<Primitive<ReduceAttrs>['check'], 'cases'> & { cases?: readonly CheckCase<ReduceAttrs>[] },
  prepare: Primitive<ReduceAttrs>['prepare'] = ([x], _out, { axes }) => reduceKernel(fold, x!, axes),
): Primitive<ReduceAttrs> {
  folds.set(name, fold);
  return definePrimitive<ReduceAttrs>({
    name,
    arity: 1,
    shape: ([x], { axes, keepDims }) => reducedShape(x!, axes, keepDims),
    prepare,
    check: { ...check, cases: check.cases ?? reduceCases },
  });
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
  sum: reduction('sum', { init: '0', step: 'acc + v' }, { domain: { lo: -3, hi: 3 } }),
  // mean of no elements is 0/0 = NaN, as in numpy
  mean: reduction('mean', { init: '0', step: 'acc + v', finish: 'acc / n' }, { domain: { lo: -3, hi: 3 } }),
  max: reduction('max', maxFold, { domain: { lo: -3, hi: 3 }, distinct: true }),
  min: reduction('min', minFold, { domain: { lo: -3, hi: 3 }, distinct: true }),
  /**
   * log sum exp v, in two passes: m = max v, then m + log sum exp(v - m), so no exp overflows
   * (logsumexp([1000, 1000]) = 1000 + log 2). A row of -inf gives -inf and a +inf gives +inf
   * (the finish skips the NaN that exp(v - m) makes when m is infinite).
   */
  logsumexp: reduction('logsumexp', lseFold, { domain: { lo: -3, hi: 3 } }, ([x], _out, { axes }) => {
    const js = reduceKernel(lseFold, x!, axes);
    const rows = trailingRows(x!, axes);
    if (rows === undefined) return js;
    // reduced axes trailing: rows of R contiguous elements, natively or in WebAssembly SIMD where selected
    const { O, R } = rows;
    return (inputs, out) => {
      if (!selectedKernel('logsumexp')(inputs[0]!, out, O, R)) js(inputs, out);
    };
  }),
  // the check keeps away from 0, where the derivative prod / x_i is undefined
  prod: reduction('prod', { init: '1', step: 'acc * v' }, { domain: { lo: -2, hi: 2, avoid: [0], margin: 0.4 } }),
} satisfies Record<string, Primitive<ReduceAttrs>>;
