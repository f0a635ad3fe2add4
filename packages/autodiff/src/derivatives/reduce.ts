// Derivative rules of the reductions and of softmax/logSoftmax: gradients broadcast back over the reduced axes.
import type { RulesOf } from '../derivative.js';
import { broadcastTo, div, eq, exp, mul, reshape, sub, sum, where } from '../ops.js';
import type { ReduceAttrs, reducePrimitives } from '../primitives/reduce.js';
import { softmaxPrimitives } from '../primitives/softmax.js';
import { reducedShape } from '../shape.js';
import { apply, type Tensor } from '../tensor.js';

/** `t` of a reduced shape (over `axes`) broadcast back to `x`'s shape. */
export function expandReduced(t: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return broadcastTo(reshape(t, reducedShape(x.shape, axes, true)), x.shape);
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
function extremeShare(out: Tensor, x: Tensor, { axes }: ReduceAttrs): Tensor {
  const hits = eq(x, expandReduced(out, x, axes));
  return div(hits, expandReduced(sum(hits, axes, { keepDims: true }), x, axes));
}

/** The rule of a reduction, from `(g, out, x, attrs)`. */
function reductionRule(rule: (g: Tensor, out: Tensor, x: Tensor, attrs: ReduceAttrs) => Tensor): RulesOf<typeof reducePrimitives>['sum'] {
  return (g, out, [x], attrs) => [rule(g, out, x!, attrs)];
}

export const reduceRules: RulesOf<typeof reducePrimitives> = {
  sum: reductionRule((g, _o, x, { axes }) => expandReduced(g, x, axes)),
  mean: reductionRule((g, _o, x, { axes }) => mul(expandReduced(g, x, axes), 1 / reducedCount(x, axes))),
  max: reductionRule((g, out, x, attrs) => mul(expandReduced(g, x, attrs.axes), extremeShare(out, x, attrs))),
  min: reductionRule((g, out, x, attrs) => mul(expandReduced(g, x, attrs.axes), extremeShare(out, x, attrs))),
  /**
   * The derivative of logsumexp is softmax: exp(x - out). Where out = -inf every x is -inf and the
   * gradient is taken as 0 instead of exp(-inf + inf) = NaN.
   */
  logsumexp: reductionRule((g, out, x, { axes }) => {
    const gx = expandReduced(g, x, axes);
    if (axes.length === 1) {
      // softmax over the one axis: one fused kernel (native or WebAssembly SIMD for a trailing
      // axis), and the plan computes logsumexp itself from that softmax, without a second exp
      // pass (optimize/lse-softmax.ts); a row of -inf keeps its 0 gradient (emptyAsZero: no
      // -inf test and where of its own, which a gradient of this gradient would carry too)
      const s = apply(softmaxPrimitives.softmax, [x], { axis: axes[0]!, emptyAsZero: true });
      return mul(gx, s);
    }
    const safeOut = where(eq(out, -Infinity), 0, out);
    return mul(gx, exp(sub(x, expandReduced(safeOut, x, axes))));
  }),
  // d prod / dx_i = prod / x_i, valid for nonzero inputs (the check keeps away from 0)
  prod: reductionRule((g, out, x, { axes }) => mul(expandReduced(g, x, axes), div(expandReduced(out, x, axes), x))),
};

export const softmaxRules: RulesOf<typeof softmaxPrimitives> = {
  // d softmax: J^T g = out * (g - <g, out>) along the axis (0 on a row of zeros: emptyAsZero)
  softmax: (g, out, _x, { axis }) => [mul(out, sub(g, sum(mul(g, out), axis, { keepDims: true })))],
  // d logSoftmax: J^T g = g - softmax * sum g, with softmax = exp(out)
  logSoftmax: (g, out, _x, { axis }) => [sub(g, mul(exp(out), sum(g, axis, { keepDims: true })))],
};
