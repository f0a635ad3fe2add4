// Common-subexpression elimination over a traced graph: nodes applying the same primitive with
// the same attributes to the same (canonical) inputs are computed once.
import { isConstant } from '../graph.js';
import { attrsKey, leafKey } from '../node-keys.js';
import type { Tensor } from '../tensor.js';

/** Canonical representative of every node: itself, or an earlier node computing the same value. */
export type Canonical = (t: Tensor) => Tensor;

/**
 * Walks `order` (a topological order) and maps each node to the first node with the same
 * primitive, attributes and canonical inputs. Placeholders and constants are distinct, except
 * one-element constants with equal values. Primitives are pure, so merging never changes values.
 */
export function eliminateCommon(order: readonly Tensor[]): Canonical {
  const rep = new Map<number, Tensor>();
  const seen = new Map<string, Tensor>();
  const canonical: Canonical = (t) => rep.get(t.id) ?? t;
  for (const node of order) {
    let key: string | undefined;
    if (node.prim === undefined || isConstant(node)) {
      key = leafKey(node);
    } else {
      const a = attrsKey(node.attrs);
      if (a !== undefined) key = `${node.prim.name}|${a}|${node.inputs.map((i) => canonical(i).id).join(',')}`;
    }
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, node);
    else rep.set(node.id, first);
  }
  return canonical;
}
