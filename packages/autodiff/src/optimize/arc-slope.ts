// The arc-cosine kernel's value read off its slope. h(c) = sqrt(1 - c²) + (π − acos c)·c and its
// derivative h'(c) = π − acos c (the arcSlope node its derivative rule makes) both take acos of
// the same cosines; in a plan holding both, arcKernel(c) becomes sqrt(1 - c·c) + arcSlope(c)·c,
// so that one loop computes each acos (stored once, read by the value's and the gradient's loops).
// Exact: the same operations in the same order as lib.arcKernel, so the values are bit-identical.
import { graphNode, scalarConstant, withInputs } from '../graph.js';
import { binaryPrimitives } from '../primitives/binary.js';
import { movementPrimitives } from '../primitives/movement.js';
import { unaryPrimitives } from '../primitives/unary.js';
import type { Tensor } from '../tensor.js';

/**
 * The rewritten outputs (the same nodes where nothing applies) and how many arcKernel nodes now
 * read their slope; `order` is every node behind `outputs` in topological order.
 */
export function rewriteArcKernels(order: readonly Tensor[], outputs: readonly Tensor[]): { outputs: Tensor[]; replaced: number } {
  const slopeOf = new Map<number, Tensor>(); // cosine id -> its arcSlope node
  for (const n of order) {
    if (n.prim?.name === 'arcSlope' && n.tracked && !slopeOf.has(n.inputs[0]!.id)) slopeOf.set(n.inputs[0]!.id, n);
  }
  if (slopeOf.size === 0) return { outputs: [...outputs], replaced: 0 };
  const map = new Map<number, Tensor>();
  const get = (t: Tensor): Tensor => map.get(t.id) ?? t;
  let replaced = 0;
  for (const n of order) {
    if (n.prim === undefined || !n.tracked || n.inputs.length === 0) continue;
    const inputs = n.inputs.map(get);
    // (a cosine that is itself rewritten keeps its value's own acos: its slope node, read by the
    // gradient, is rebuilt on the rewritten cosine later in `order`)
    const slope = n.prim.name === 'arcKernel' && inputs[0] === n.inputs[0] ? slopeOf.get(n.inputs[0]!.id) : undefined;
    if (slope !== undefined) {
      const c = inputs[0]!;
      const s = slope;
      const one = graphNode(movementPrimitives.broadcastTo, [scalarConstant(1)], { shape: [...c.shape] });
      const root = graphNode(unaryPrimitives.sqrt, [graphNode(binaryPrimitives.sub, [one, graphNode(binaryPrimitives.mul, [c, c], undefined)], undefined)], undefined);
      map.set(n.id, graphNode(binaryPrimitives.add, [root, graphNode(binaryPrimitives.mul, [s, c], undefined)], undefined, n.name));
      replaced++;
    } else if (inputs.some((t, k) => t !== n.inputs[k])) {
      map.set(n.id, withInputs(n, inputs));
    }
  }
  return { outputs: outputs.map(get), replaced };
}
