// Elementwise fusion: chains of elementwise nodes of one shape become one generated loop that
// keeps intermediate values in local variables instead of writing and re-reading buffers.
import { fusedKernel } from '../kernels/elementwise.js';
import { fusedReduceKernel } from '../kernels/reduce.js';
import { foldOf, type ReduceAttrs } from '../primitives/reduce.js';
import type { Kernel } from '../primitive.js';
import { sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** The scalar expression of an elementwise node, or undefined when it is not elementwise. */
export function scalarExprOf(node: Tensor): ((args: readonly string[]) => string) | undefined {
  const prim = node.prim;
  if (prim === undefined || prim.alias) return undefined;
  if (prim.scalarExpr !== undefined) {
    const f = prim.scalarExpr;
    return (args) => f(args, node.attrs);
  }
  // broadcastTo is the identity with its input read through broadcast strides
  if (prim.name === 'broadcastTo') return (args) => args[0]!;
  return undefined;
}

/** A constant: a leaf with values, or a node computed from constants while tracing. */
const constantNode = (t: Tensor): boolean => (t.prim === undefined || !t.tracked) && !t.symbolic;

/** Elementwise primitives cheap enough to compute again in each loop that reads them. */
const CHEAP = new Set(['add', 'sub', 'mul', 'neg']);

/** A fused group: members in topological order (the root, whose value is stored, last). */
export interface FusedGroup {
  readonly root: Tensor;
  readonly members: readonly Tensor[];
  /** Values read from buffers, in the order of the kernel's inputs. */
  readonly inputs: readonly Tensor[];
}

/**
 * Groups the computed nodes of `order` (topological, canonical inputs given by `inputsOf`).
 * An elementwise node joins the group of its consumers when all of them are in one group, it has
 * that group's shape and it is not needed outside (a plan output). A broadcastTo whose elementwise
 * consumers are in several such groups joins each of them (it is a strided read, not a value
 * worth storing). Every other node roots a
 * group of its own (non-elementwise nodes are groups of one member with no generated loop).
 * Aliases (reshape, identity) must be in `order`: they read their input's buffer, so they are
 * consumers that keep it from being fused away.
 */
export function groupElementwise(
  order: readonly Tensor[],
  inputsOf: (t: Tensor) => readonly Tensor[],
  isOutput: (t: Tensor) => boolean,
  fuse = true,
): Map<number, FusedGroup> {
  const consumers = new Map<number, Tensor[]>();
  for (const node of order) {
    for (const i of inputsOf(node)) {
      const list = consumers.get(i.id);
      if (list === undefined) consumers.set(i.id, [node]);
      else if (!list.includes(node)) list.push(node);
    }
  }
  const groupOf = new Map<number, Tensor>(); // node -> root
  // broadcastTo nodes read inside every consumer's loop instead of being stored (see below)
  const copies = new Map<number, Tensor[]>(); // root -> broadcastTo nodes copied into its loop
  const copied = new Set<number>();
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    let root: Tensor = node;
    const cons = consumers.get(node.id) ?? [];
    // a node read by a copied node is stored (the copies read it from its buffer)
    if (fuse && scalarExprOf(node) !== undefined && !isOutput(node) && cons.length > 0 && !cons.some((c) => copied.has(c.id))) {
      const roots = new Set(cons.map((c) => groupOf.get(c.id)!));
      const r = roots.size === 1 ? [...roots][0]! : undefined;
      const intoLoops = cons.every((c) => scalarExprOf(c) !== undefined && sameShape(c.shape, node.shape)) &&
        [...roots].every((g) => scalarExprOf(g) !== undefined && sameShape(g.shape, node.shape));
      if (r !== undefined && scalarExprOf(r) !== undefined && sameShape(r.shape, node.shape)) root = r;
      else if (
        intoLoops &&
        (node.prim!.name === 'broadcastTo' ||
          // one cheap operation (add, sub, mul, neg) of stored values of its shape or of one
          // element (values no loop would compute in its place), read by at most 3 loops:
          // recomputed in each instead of a kernel of its own storing it for them
          (roots.size <= 3 && CHEAP.has(node.prim!.name) &&
            inputsOf(node).every((i) => i.size === 1 || (sameShape(i.shape, node.shape) && (constantNode(i) || scalarExprOf(i) === undefined || isOutput(i))))))
      ) {
        // a broadcast read by several loops (e.g. a per-row value used by a forward and a
        // backward pass): each loop reads the small input through broadcast strides, which costs
        // nothing, instead of one loop storing the full broadcast array for the others; a cheap
        // operation likewise costs less computed again than stored and read back
        for (const g of roots) {
          const list = copies.get(g.id);
          if (list === undefined) copies.set(g.id, [node]);
          else list.push(node);
        }
        copied.add(node.id);
      }
    }
    groupOf.set(node.id, root);
  }
  const groups = new Map<number, FusedGroup>();
  const members = new Map<number, Tensor[]>();
  for (const node of order) {
    if (copied.has(node.id)) continue;
    const r = groupOf.get(node.id)!;
    const list = members.get(r.id);
    // a copied broadcast only reads a value from outside the loop: first is a valid place
    if (list === undefined) members.set(r.id, [...(copies.get(r.id) ?? []), node]);
    else list.push(node);
  }
  for (const [rootId, list] of members) {
    const inside = new Set(list.map((m) => m.id));
    const inputs: Tensor[] = [];
    for (const m of list) {
      for (const i of inputsOf(m)) if (!inside.has(i.id) && !inputs.includes(i)) inputs.push(i);
    }
    groups.set(rootId, { root: list[list.length - 1]!, members: list, inputs });
  }
  return groups;
}

/** The generated loop of a group of elementwise members: one local per member. */
export function groupKernel(group: FusedGroup, inputsOf: (t: Tensor) => readonly Tensor[]): { kernel: Kernel; text: string } {
  const names = new Map<number, string>();
  group.inputs.forEach((t, i) => names.set(t.id, `a${i}`));
  const lines: string[] = [];
  group.members.forEach((m, q) => {
    const args = inputsOf(m).map((i) => names.get(i.id)!);
    const expr = scalarExprOf(m)!(args);
    if (q === group.members.length - 1) return void names.set(m.id, expr);
    lines.push(`const t${q} = ${expr};`);
    names.set(m.id, `t${q}`);
  });
  const result = names.get(group.root.id)!;
  const body = lines.join(' ');
  return {
    kernel: fusedKernel(body, result, group.inputs.map((t) => t.shape), group.root.shape),
    text: `${body} out = ${result}`,
  };
}

/**
 * Reductions that take over the loop of the elementwise group computing their input: the group's
 * root feeds only the reduction (and is not a plan output), it has no `pre` pass (so each element
 * is computed once), and every input of the group has the root's shape or one element (read at
 * the reduction's own index). The [..] array between them is then never written: sum(relu(Z))
 * or sum(a * b) is one pass. Returns reduction id -> the group it absorbs.
 */
export function reductionsOverGroups(
  order: readonly Tensor[],
  groups: ReadonlyMap<number, FusedGroup>,
  inputsOf: (t: Tensor) => readonly Tensor[],
  isOutput: (t: Tensor) => boolean,
): Map<number, FusedGroup> {
  const readers = new Map<number, number>();
  for (const node of order) for (const i of new Set(inputsOf(node))) readers.set(i.id, (readers.get(i.id) ?? 0) + 1);
  const absorbed = new Map<number, FusedGroup>();
  for (const node of order) {
    const fold = node.prim === undefined ? undefined : foldOf(node.prim.name);
    if (fold === undefined || fold.pre !== undefined) continue;
    const x = inputsOf(node)[0]!;
    const group = groups.get(x.id);
    if (group === undefined || group.root !== x || scalarExprOf(x) === undefined) continue;
    if (isOutput(x) || readers.get(x.id) !== 1) continue;
    if (!group.inputs.every((i) => i.size === 1 || sameShape(i.shape, x.shape))) continue;
    absorbed.set(node.id, group);
  }
  return absorbed;
}

/** The kernel of a reduction over the loop of the group it absorbed (inputs: the group's). */
export function reductionGroupKernel(
  node: Tensor, group: FusedGroup, inputsOf: (t: Tensor) => readonly Tensor[],
): { kernel: Kernel; text: string } {
  const names = new Map<number, string>();
  group.inputs.forEach((t, i) => names.set(t.id, `a${i}`));
  const lines: string[] = [];
  group.members.forEach((m, q) => {
    const args = inputsOf(m).map((i) => names.get(i.id)!);
    lines.push(`const t${q} = ${scalarExprOf(m)!(args)};`);
    names.set(m.id, `t${q}`);
  });
  const body = lines.join(' ');
  const result = names.get(group.root.id)!;
  const { axes } = node.attrs as ReduceAttrs;
  const kernel = fusedReduceKernel(foldOf(node.prim!.name)!, group.root.shape, axes, {
    body, result, scalar: group.inputs.map((i) => i.size === 1),
  });
  return { kernel, text: `${body} v = ${result}` };
}
