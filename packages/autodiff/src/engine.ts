// Reverse mode: walks the graph backwards from one output, applying each primitive's vjp rule.
import { topoSort } from './graph.js';
import { add, sumToShape } from './ops.js';
import { formatShape, sameShape, ShapeError } from './shape.js';
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
  if (reaches.has(output.id)) cotangents.set(output.id, seed ?? ones(output.shape));
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const g = cotangents.get(node.id);
    const prim = node.prim;
    if (g === undefined || prim === undefined || targets.has(node.id)) continue;
    const grads = prim.vjp(g, node, node.inputs, node.attrs);
    node.inputs.forEach((input, i) => {
      const gi = grads[i];
      if (gi === null || gi === undefined || !reaches.has(input.id) || prim.nondiff?.includes(i)) return;
      let contribution = gi;
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
    });
  }
  return wrt.map((w) => cotangents.get(w.id) ?? zeros(w.shape));
}
