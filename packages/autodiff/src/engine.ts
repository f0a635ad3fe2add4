// Reverse mode: walks the graph backwards from one output, applying each primitive's derivative rule.
import { vjpOf } from './derivatives/index.js';
import { topoSort } from './graph.js';
import { add, eq, mul, ne, sumToShape, where } from './ops.js';
import type { Primitive } from './primitive.js';
import { broadcastShapes, formatShape, sameShape, ShapeError, type Shape } from './shape.js';
import { ones, zeros, type Tensor } from './tensor.js';

/**
 * Gradients of `output` with respect to each of `wrt` (differentiation variables), as tensors
 * that are themselves differentiable. `seed` is the output's cotangent (ones by default).
 */
export function backward(output: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  const order = topoSort([output]);
  const targets = new Set(wrt.map((w) => w.id));
  // nodes from which some target can be reached: only those need cotangents
  const reaches = new Set<number>();
  for (const node of order) {
    if (targets.has(node.id) || node.inputs.some((i) => reaches.has(i.id))) reaches.add(node.id);
  }
  const cotangents = new Map<number, Tensor>();
  // cotangents that are zero wherever a 0/1 mask is 0: those that reached a node only through the
  // taken side of `where` (see maskOf)
  const masks = new Map<number, Tensor>();
  if (reaches.has(output.id)) cotangents.set(output.id, seed ?? ones(output.shape));
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const g = cotangents.get(node.id);
    const prim = node.prim;
    if (g === undefined || prim === undefined || targets.has(node.id)) continue;
    const grads = vjpOf(prim)(g, node, node.inputs, node.attrs);
    const mask = masks.get(node.id);
    node.inputs.forEach((input, i) => {
      const gi = grads[i];
      if (gi === null || gi === undefined || !reaches.has(input.id) || prim.nondiff?.includes(i)) return;
      // where the mask is 0 the cotangent is 0 and so is every contribution, also where the
      // derivative is infinite (w / w, sqrt(w) at w = 0 on the side of `where` not taken)
      let contribution = mask !== undefined && fits(mask, gi.shape) ? where(mask, gi, 0) : gi;
      const carried = maskOf(prim, node, i, mask);
      if (!sameShape(gi.shape, input.shape)) {
        if (!sameShape(gi.shape, node.shape)) {
          throw new ShapeError(
            prim.name,
            `derivative rule returned shape ${formatShape(gi.shape)} for input ${i} of shape ${formatShape(input.shape)} (output ${formatShape(node.shape)})`,
          );
        }
        contribution = sumToShape(gi, input.shape, prim.name);
      }
      const previous = cotangents.get(input.id);
      // a value used twice receives both contributions
      cotangents.set(input.id, previous === undefined ? contribution : add(previous, contribution));
      // the sum keeps a mask only when every contribution carried that same one
      if (previous === undefined && carried !== undefined && fits(carried, input.shape)) masks.set(input.id, carried);
      else if (masks.get(input.id) !== carried) masks.delete(input.id);
    });
  }
  return wrt.map((w) => cotangents.get(w.id) ?? zeros(w.shape));
}

/** The mask broadcasts to `shape` without growing it. */
function fits(mask: Tensor, shape: Shape): boolean {
  try {
    return sameShape(broadcastShapes('mask', [mask.shape, shape]), shape);
  } catch {
    return false;
  }
}

/**
 * The mask outside which input i's contribution is zero: for `where(c, a, b)` the side's own
 * condition (c != 0 for a, c == 0 for b) within the node's mask; otherwise the node's mask, when
 * positions line up (an elementwise primitive whose input has the node's shape) or the mask is
 * one value.
 */
function maskOf(prim: Primitive, node: Tensor, i: number, mask: Tensor | undefined): Tensor | undefined {
  if (prim.name === 'where' && i > 0) {
    const c = node.inputs[0]!;
    const side = i === 1 ? ne(c, 0) : eq(c, 0);
    return mask === undefined ? side : mul(mask, side);
  }
  if (mask === undefined) return undefined;
  if (mask.size === 1) return mask;
  return prim.scalarExpr !== undefined && sameShape(node.inputs[i]!.shape, node.shape) ? mask : undefined;
}
