// Forward mode on a built graph: the derivative of one output along one variable's tangent, node by
// node, from the derivative table (vjpOf): no second table of rules.
import { vjpOf } from './derivatives/index.js';
import { add, broadcastTo, eq, mul, ne, sum, sumToShape, variable, where } from './ops.js';
import type { Primitive } from './primitive.js';
import { broadcastShapes, sameShape, type Shape } from './shape.js';
import { ones, withSimplification, zeros, type Tensor } from './tensor.js';

/**
 * d output / d v along `tangent` (shaped like v), built as a graph: each node's tangent is made
 * from its inputs' tangents and the node itself. Unlike reverse mode, whose cotangent of a node
 * depends on everything downstream of it, a tangent depends only on what is upstream: under
 * `withSharedNodes`, differentiating again reuses every tangent already built, so n nested
 * derivatives of a scalar function grow polynomially in n instead of exponentially.
 *
 * Each rule is a vjp, `g ↦ Jᵀg`. For an elementwise primitive J is diagonal (for input i, after
 * broadcasting it to the output), so `J t = vjp(broadcast t)`. For any other primitive the rule
 * is transposed locally (the double-vjp trick on that one node): `J t = d/du ⟨vjp(u), t⟩`, a
 * reverse pass over the few nodes the rule builds from a fresh u.
 *
 * Like reverse mode (engine.ts), a tangent that came through one side of `where` is marked with
 * that side's condition, and the mark is kept through elementwise nodes: each contribution made
 * from a marked tangent is `where(mark, contribution, 0)`, so 0 · ∞ where the side is not taken
 * (sqrt of `where(w > 0, w, 0)` at 0) is 0, not NaN.
 */
export function forwardDerivative(output: Tensor, v: Tensor, tangent: Tensor): Tensor {
  return withSimplification(() => tangentOf(output, v, tangent));
}

function tangentOf(output: Tensor, v: Tensor, tangent: Tensor): Tensor {
  const tangents = new Map<number, Tensor>([[v.id, tangent]]);
  const marks = new Map<number, Tensor>();
  for (const node of dependents(output, v)) {
    if (node === v) continue;
    const prim = node.prim!;
    let total: Tensor | undefined;
    // the mark every contribution carried (null: they differ, or one had none)
    let mark: Tensor | null | undefined;
    node.inputs.forEach((input, i) => {
      const t = tangents.get(input.id);
      if (t === undefined || prim.nondiff?.includes(i)) return;
      // a differentiation variable of an inner level passes the tangent on unchanged
      let part = prim.name === 'identity' ? t : prim.scalarExpr !== undefined ? elementwise(node, i, t) : transposed(node, i, t);
      if (part === undefined) return;
      const m = marks.get(input.id);
      if (m !== undefined && prim.name !== 'identity' && fits(m, part.shape)) part = where(m, part, 0);
      total = total === undefined ? part : add(total, part);
      const carried = markOf(prim, node, i, m) ?? null;
      mark = mark === undefined ? carried : mark === carried ? mark : null;
    });
    if (total === undefined) continue;
    tangents.set(node.id, total);
    if (mark !== undefined && mark !== null && fits(mark, node.shape)) marks.set(node.id, mark);
  }
  return tangents.get(output.id) ?? zeros(output.shape);
}

/**
 * The mark a contribution of input i carries into the node: for `where(c, a, b)` the side's own
 * condition (c != 0 for a, c == 0 for b) within the input's mark; otherwise the input's mark,
 * when positions line up (an elementwise primitive whose input has the node's shape) or the
 * mark is one value.
 */
function markOf(prim: Primitive, node: Tensor, i: number, mark: Tensor | undefined): Tensor | undefined {
  if (prim.name === 'where' && i > 0) {
    const c = node.inputs[0]!;
    const side = i === 1 ? ne(c, 0) : eq(c, 0);
    return mark === undefined ? side : mul(mark, side);
  }
  if (mark === undefined) return undefined;
  if (mark.size === 1 || prim.name === 'identity') return mark;
  return prim.scalarExpr !== undefined && sameShape(node.inputs[i]!.shape, node.shape) ? mark : undefined;
}

/** The mark broadcasts to `shape` without growing it. */
function fits(mark: Tensor, shape: Shape): boolean {
  try {
    return sameShape(broadcastShapes('mark', [mark.shape, shape]), shape);
  } catch {
    return false;
  }
}

/** The derivative rule of an elementwise node for input i, applied to the broadcast tangent. */
function elementwise(node: Tensor, i: number, t: Tensor): Tensor | undefined {
  const spread = sameShape(t.shape, node.shape) ? t : broadcastTo(t, node.shape);
  const part = vjpOf(node.prim!)(spread, node, node.inputs, node.attrs)[i];
  if (part === null || part === undefined) return undefined;
  // a rule that reduced to the input's shape itself is not a diagonal one: transpose it instead
  return sameShape(part.shape, node.shape) ? part : transposed(node, i, t);
}

/** J t for input i of any node: the gradient in u of ⟨vjp(u)ᵢ, t⟩, u a fresh variable. */
function transposed(node: Tensor, i: number, t: Tensor): Tensor | undefined {
  const u = variable(zeros(node.shape));
  const input = node.inputs[i]!;
  const rule = vjpOf(node.prim!)(u, node, node.inputs, node.attrs)[i];
  if (rule === null || rule === undefined) return undefined;
  const c = sameShape(rule.shape, input.shape) ? rule : sumToShape(rule, input.shape, node.prim!.name);
  return reverseFrom(sum(mul(c, t)), u);
}

/**
 * The gradient of `s` in `u`, walking only nodes made after u (nothing older can depend on it):
 * the local reverse pass of `transposed`, which must not wander through the whole graph.
 */
function reverseFrom(s: Tensor, u: Tensor): Tensor {
  const order = dependents(s, u);
  const cotangents = new Map<number, Tensor>([[s.id, ones(s.shape)]]);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const g = cotangents.get(node.id);
    if (g === undefined || node === u) continue;
    const prim = node.prim!;
    const grads = vjpOf(prim)(g, node, node.inputs, node.attrs);
    node.inputs.forEach((input, j) => {
      const gj = grads[j];
      if (gj === null || gj === undefined || input.id < u.id || prim.nondiff?.includes(j)) return;
      const c = sameShape(gj.shape, input.shape) ? gj : sumToShape(gj, input.shape, prim.name);
      const previous = cotangents.get(input.id);
      cotangents.set(input.id, previous === undefined ? c : add(previous, c));
    });
  }
  return cotangents.get(u.id) ?? zeros(u.shape);
}

/**
 * The nodes between `v` and `output` (v included, when output depends on it), each after its
 * inputs. Only nodes made after v can depend on it, so the walk never goes below v's id.
 */
function dependents(output: Tensor, v: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const depends = new Map<number, boolean>();
  const stack: { node: Tensor; next: number }[] = [{ node: output, next: 0 }];
  const seen = new Set<number>([output.id]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.node.inputs;
    if (top.next < inputs.length) {
      const child = inputs[top.next++]!;
      if (child.id >= v.id && !seen.has(child.id)) {
        seen.add(child.id);
        stack.push({ node: child, next: 0 });
      }
      continue;
    }
    stack.pop();
    const node = top.node;
    const d = node === v || node.inputs.some((x) => depends.get(x.id) === true);
    depends.set(node.id, d);
    if (d) order.push(node);
  }
  return order;
}
