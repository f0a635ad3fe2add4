// Uniform constants read as one value. A constant array whose elements are all equal (the
// broadcast 1/N seed of a mean's gradient, a ones array from a gradient of a gradient) is, where
// an elementwise node of its own shape reads it, replaced by a broadcast of a one-element
// constant: the fused loop then loads the value once instead of reading the whole array
// (800 KB per pass at [1e4, 10]). Exact: the values read are the same.
import { graphNode, isConstant, scalarConstant, withInputs } from '../graph.js';
import { structurePrimitives } from '../primitives/structure.js';
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
  const known = new Map<number, Tensor | null>(); // constant id -> its broadcast of one value, or null
  let replaced = 0;
  const scalarOf = (c: Tensor): Tensor | null => {
    let r = known.get(c.id);
    if (r === undefined) {
      r = null;
      if (c.size > 1 && uniform(c.data)) {
        r = graphNode(structurePrimitives.broadcastTo, [scalarConstant(c.data[0]!)], { shape: [...c.shape] });
      }
      known.set(c.id, r);
    }
    return r;
  };
  for (const n of order) {
    if (n.prim === undefined || !n.tracked || n.inputs.length === 0) continue;
    const elementwise = scalarExprOf(n) !== undefined;
    const inputs = n.inputs.map((t) => {
      const g = get(t);
      if (!elementwise || !isConstant(g) || !sameShape(g.shape, n.shape)) return g;
      const s = scalarOf(g);
      if (s === null) return g;
      replaced++;
      return s;
    });
    if (inputs.some((t, k) => t !== n.inputs[k])) map.set(n.id, withInputs(n, inputs));
  }
  return { outputs: outputs.map(get), replaced };
}
