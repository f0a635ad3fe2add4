// Uniform constants read as one value. A constant array whose elements are all equal (the
// broadcast 1/N seed of a mean's gradient, a ones array from a gradient of a gradient) is, where
// an elementwise node reads it (at its own shape or broadcast to a larger one), replaced by a
// broadcast of a one-element constant: the fused loop then loads the value once instead of reading
// the whole array (800 KB per pass at [1e4, 10]). Exact: the values read are the same.
// Identity operands are dropped: x * 1, 1 * x, x / 1, x - 0 (exact), x + 0 and 0 + x (exact but
// for the sign of a zero x: -0 + 0 is +0, which only a division by it could tell apart) become x
// when the constant's broadcast does not change x's shape. The constant may be a broadcast or a
// reshape of a uniform one: a gradient of a gradient at a large size seeds with ones [N, 1]
// broadcast to [N, n] (a node: too large to fold while tracing), and softmax · ones is softmax. A sample drawn as mean + std * z with
// mean 0 and std 1 is then the standard normal batch itself, not one more pass writing a copy.
import { graphNode, isConstant, scalarConstant, withInputs } from '../graph.js';
import { movementPrimitives } from '../primitives/movement.js';
import { sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { scalarExprOf } from './fuse.js';

/** Whether every element of `data` has the bits of the first (NaN equal to NaN, -0 apart from 0). */
function uniform(data: Float64Array): boolean {
  const v = data[0]!;
  if (v !== v) {
    for (let i = 1; i < data.length; i++) if (data[i] === data[i]) return false;
    return true;
  }
  for (let i = 1; i < data.length; i++) if (data[i] !== v) return false;
  return !Object.is(v, 0) || data.every((x) => Object.is(x, 0));
}

/**
 * The rewritten outputs (the same nodes where nothing applies) and how many inputs were replaced;
 * `order` is every node behind `outputs` in topological order.
 */
export function rewriteUniformConstants(order: readonly Tensor[], outputs: readonly Tensor[]): { outputs: Tensor[]; replaced: number } {
  const map = new Map<number, Tensor>();
  const get = (t: Tensor): Tensor => map.get(t.id) ?? t;
  const known = new Map<string, Tensor | null>(); // constant id and shape read -> a broadcast of its one value, or null
  let replaced = 0;
  // at the shape the node reads it (its own: a smaller constant read by broadcasting becomes a
  // broadcast to the node's shape, which the node's loop fuses, not a small array of its own)
  const scalarOf = (c: Tensor, shape: readonly number[]): Tensor | null => {
    const key = `${c.id}|${shape.join(',')}`;
    let r = known.get(key);
    if (r === undefined) {
      r = null;
      if (c.size > 1 && uniform(c.data)) {
        r = graphNode(movementPrimitives.broadcastTo, [scalarConstant(c.data[0]!)], { shape: [...shape] });
      }
      known.set(key, r);
    }
    return r;
  };
  for (const n of order) {
    if (n.prim === undefined || !n.tracked || n.inputs.length === 0) continue;
    const kept = identityOperand(n, n.inputs.map(get));
    if (kept !== undefined) {
      map.set(n.id, kept);
      replaced++;
      continue;
    }
    const elementwise = scalarExprOf(n) !== undefined;
    const inputs = n.inputs.map((t) => {
      const g = get(t);
      if (!elementwise || !isConstant(g)) return g;
      const s = scalarOf(g, n.shape);
      if (s === null) return g;
      replaced++;
      return s;
    });
    if (inputs.some((t, k) => t !== n.inputs[k])) map.set(n.id, withInputs(n, inputs));
  }
  return { outputs: outputs.map(get), replaced };
}

/** The value every element of `t` has, for a constant (or a broadcast or reshape of one) whose elements are all equal; else undefined. */
function uniformValue(t: Tensor): number | undefined {
  for (; !isConstant(t); t = t.inputs[0]!) {
    // a broadcast too large to fold while tracing is a node of the plan, untracked
    const name = t.prim?.name;
    if (name !== 'broadcastTo' && name !== 'reshape') return undefined;
  }
  return t.size >= 1 && uniform(t.data) ? t.data[0] : undefined;
}

/** Which operand a binary node with a constant identity operand (x * 1, x + 0, ...) equals, if any. */
function identityOperand(n: Tensor, inputs: readonly Tensor[]): Tensor | undefined {
  if (inputs.length !== 2) return undefined;
  const [a, b] = inputs as [Tensor, Tensor];
  const all = (c: Tensor, v: number): boolean => uniformValue(c) === v;
  const keeps = (x: Tensor): boolean => sameShape(x.shape, n.shape) && !isConstant(x);
  switch (n.prim!.name) {
    case 'mul': return all(b, 1) && keeps(a) ? a : all(a, 1) && keeps(b) ? b : undefined;
    case 'add': return all(b, 0) && keeps(a) ? a : all(a, 0) && keeps(b) ? b : undefined;
    case 'sub': return all(b, 0) && keeps(a) ? a : undefined;
    case 'div': return all(b, 1) && keeps(a) ? a : undefined;
    default: return undefined;
  }
}
