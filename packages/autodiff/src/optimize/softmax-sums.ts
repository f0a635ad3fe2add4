// The derivative of a softmax ignores what is constant along its axis. With p = softmax(x, a),
// whose entries along a sum to 1, the rule p ⊙ (u − Σ_a u ⊙ p) gives the same for u and for
// u + c with c constant along a (a value broadcast over the axis):
//     p ⊙ (c − Σ_a c p) = p ⊙ c ⊙ (1 − Σ_a p) = 0,
// exactly 0 on a row of zeros (the softmax of an all -inf row under emptyAsZero), NaN stays NaN
// (p is NaN there), and to rounding elsewhere. So such terms are dropped from u, with whatever
// computed them. (A NaN or infinite c itself is dropped too, where the rule would have given NaN.)
//
// Where they come from: a gradient of a gradient. grad_y logsumexp_i(f(y, θ_i)) reads y broadcast
// along i (in |y − μ_i|², y·y is one term per row), so the inner gradient holds Σ_i p_i — a row
// sum of the softmax — and the outer gradient sends the derivative of that row sum back into the
// softmax's rule as a term constant along i: a pass over the rows (a sum of g ⊙ y) and a [N, n]
// term in two loops, for a contribution that is 0 (P3 with `grad` in the loss, bench/peers).
//
// Terms are found through sums, differences, negations, and products or quotients by values
// constant along the axis: (c + v) ⊙ s = c ⊙ s + v ⊙ s, and c ⊙ s is constant along the axis.
import { graphNode, withInputs } from '../graph.js';
import { binaryPrimitives } from '../primitives/binary.js';
import { movementPrimitives } from '../primitives/movement.js';
import { reducePrimitives } from '../primitives/reduce.js';
import { unaryPrimitives } from '../primitives/unary.js';
import { sameShape, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { scalarExprOf } from './fuse.js';

interface AxisAttrs {
  readonly axis: number;
}
interface SumAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

const isPrim = (t: Tensor, name: string): boolean => t.prim?.name === name;

/** How deep through elementwise nodes a value is searched for being constant along an axis. */
const CONSTANT_DEPTH = 8;

/** How deep through sums, negations and scales the terms of u are searched (a sum of many terms is a deep chain). */
const TERM_DEPTH = 64;

/** Marks a term that is constant along the axis: dropped. */
const DROPPED = null;

/**
 * Whether `t`, broadcast to `shape` (right-aligned), has the same value at every index of `axis`:
 * its own extent there is 1 or missing, or it is a broadcast, or an elementwise function, of such values.
 */
function constantAlong(t: Tensor, axis: number, shape: Shape, depth = 0): boolean {
  const own = axis - (shape.length - t.rank);
  if (own < 0 || t.shape[own] === 1) return true;
  if (t.prim === undefined || depth >= CONSTANT_DEPTH || t.inputs.length === 0 || scalarExprOf(t) === undefined) return false;
  return t.inputs.every((i) => constantAlong(i, axis, shape, depth + 1));
}

/** The softmax `p` and the value `u` of a node p ⊙ (u − Σ_a u ⊙ p) (the softmax's derivative rule), else undefined. */
function softmaxRule(n: Tensor): { p: Tensor; u: Tensor; axis: number } | undefined {
  if (!isPrim(n, 'mul')) return undefined;
  for (const [p, d] of [n.inputs, [...n.inputs].reverse()] as [Tensor, Tensor][]) {
    if (!isPrim(p, 'softmax') || !sameShape(p.shape, n.shape) || !isPrim(d, 'sub')) continue;
    const axis = (p.attrs as AxisAttrs).axis;
    const [u, s] = d.inputs as [Tensor, Tensor];
    if (!sameShape(u.shape, n.shape) || !isPrim(s, 'sum')) continue;
    const { axes, keepDims } = s.attrs as SumAttrs;
    if (!keepDims || axes.length !== 1 || axes[0] !== axis) continue;
    const m = s.inputs[0]!;
    if (!isPrim(m, 'mul')) continue;
    const [x, y] = m.inputs as [Tensor, Tensor];
    if ((x === u && y === p) || (x === p && y === u)) return { p, u, axis };
  }
  return undefined;
}

/**
 * Rewrites rules of softmax derivatives whose u holds terms constant along the axis; returns the
 * rewritten outputs (the same nodes where nothing applies) and how many rules were rewritten.
 * `order` is every node behind `outputs` in topological order.
 */
export function rewriteSoftmaxSums(order: readonly Tensor[], outputs: readonly Tensor[]): { outputs: Tensor[]; rewritten: number } {
  const map = new Map<number, Tensor>();
  const get = (t: Tensor): Tensor => map.get(t.id) ?? t;
  let rewritten = 0;
  for (const n of order) {
    if (n.prim === undefined || n.inputs.length === 0) continue;
    const inputs = n.inputs.map(get);
    const changed = inputs.some((t, k) => t !== n.inputs[k]);
    const node = changed ? withInputs(n, inputs) : n;
    const rule = softmaxRule(node);
    const kept = rule === undefined ? undefined : withoutConstantTerms(rule.u, rule.axis, node.shape, 0);
    if (rule !== undefined && kept !== undefined && kept !== DROPPED && kept !== rule.u) {
      // p ⊙ (u' − Σ_a u' ⊙ p), with u' the terms of u that vary along the axis
      const inner = graphNode(reducePrimitives.sum, [graphNode(binaryPrimitives.mul, [kept, rule.p], undefined)], { axes: [rule.axis], keepDims: true });
      map.set(n.id, graphNode(binaryPrimitives.mul, [rule.p, graphNode(binaryPrimitives.sub, [kept, inner], undefined)], undefined));
      rewritten++;
    } else if (changed) {
      map.set(n.id, node);
    }
  }
  return { outputs: outputs.map(get), rewritten };
}

/**
 * `u` (of `shape`) without its additive terms constant along `axis`: the same node when it has
 * none, DROPPED when every term is.
 */
function withoutConstantTerms(u: Tensor, axis: number, shape: Shape, depth: number): Tensor | typeof DROPPED {
  if (constantAlong(u, axis, shape)) return DROPPED;
  // an untracked node keeps no inputs to look through (a product of constants made while tracing)
  if (depth >= TERM_DEPTH || u.inputs.length === 0) return u;
  const next = depth + 1;
  const fit = (t: Tensor): Tensor => (sameShape(t.shape, shape) ? t : graphNode(movementPrimitives.broadcastTo, [t], { shape: [...shape] }));
  const name = u.prim?.name;
  if (name === 'add' || name === 'sub') {
    const [x, y] = u.inputs as [Tensor, Tensor];
    const kx = withoutConstantTerms(x, axis, shape, next);
    const ky = withoutConstantTerms(y, axis, shape, next);
    if (kx === x && ky === y) return u;
    if (kx === DROPPED && ky === DROPPED) return DROPPED;
    if (ky === DROPPED) return fit(kx!);
    if (kx === DROPPED) return name === 'add' ? fit(ky) : graphNode(unaryPrimitives.neg, [fit(ky)], undefined);
    return graphNode(u.prim!, [kx, ky], undefined);
  }
  if (name === 'neg') {
    const k = withoutConstantTerms(u.inputs[0]!, axis, shape, next);
    return k === u.inputs[0] ? u : k === DROPPED ? DROPPED : graphNode(u.prim!, [k], undefined);
  }
  if (name === 'mul' || name === 'div') {
    // (c + v) ⊙ s and (c + v) / s with s constant along the axis
    const [x, y] = u.inputs as [Tensor, Tensor];
    const scaled = constantAlong(y, axis, shape) ? 0 : name === 'mul' && constantAlong(x, axis, shape) ? 1 : -1;
    if (scaled < 0) return u;
    const term = u.inputs[scaled]!;
    const k = withoutConstantTerms(term, axis, shape, next);
    if (k === term) return u;
    if (k === DROPPED) return DROPPED;
    return graphNode(u.prim!, scaled === 0 ? [k, y] : [x, k], undefined);
  }
  return u;
}
