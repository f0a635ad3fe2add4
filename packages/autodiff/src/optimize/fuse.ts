// Elementwise fusion: chains of elementwise nodes of one shape become one generated loop that
// keeps intermediate values in local variables instead of writing and re-reading buffers.
import { isConstant } from '../graph.js';
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


/** Elementwise primitives cheap enough to compute again in each loop that reads them (not div:
    a division costs more than storing its result once and reading it from each loop). The
    comparisons are one compare and a conversion without a branch (the masks of a clamp's
    derivative, read by each loop of a gradient). */
const CHEAP = new Set(['add', 'sub', 'mul', 'neg', 'maximum', 'minimum', 'lt', 'le', 'gt', 'ge', 'eq', 'ne']);

/** How many cheap operations deep a value may be recomputed in each loop that reads it. */
const COPY_DEPTH = 6;

/** Loops a copied value may be computed in (beyond that, storing it once is cheaper). */
const COPY_LOOPS = 3;

/** A fused group: members in topological order (the root, whose value is stored, last). */
export interface FusedGroup {
  readonly root: Tensor;
  readonly members: readonly Tensor[];
  /** Values read from buffers, in the order of the kernel's inputs. */
  readonly inputs: readonly Tensor[];
}

/**
 * Groups the computed nodes of `order` (topological, canonical inputs given by `inputsOf`).
 * An elementwise node joins the group of its consumers when all of them are in one group (or are
 * copied into that one loop only), it has that group's shape and it is not needed outside (a plan
 * output). A node whose elementwise consumers end up in several such loops (at most COPY_LOOPS)
 * is copied into each instead of being stored when that costs little: a broadcastTo (a strided
 * read of a stored value), or a cheap operation (CHEAP) of stored values (smaller ones read through
 * broadcast strides), of one element, of broadcasts or of other such operations, up to COPY_DEPTH
 * deep (the clamp of a matrix of cosines, min(1, max(-1, C)), read by a forward and a backward
 * loop, is computed in both). Every
 * other node roots a group of its own (non-elementwise nodes are groups of one member with no
 * generated loop). Aliases (reshape, identity) must be in `order`: they read their input's
 * buffer, so they are consumers that keep it from being fused away.
 */
export function groupElementwise(
  order: readonly Tensor[],
  inputsOf: (t: Tensor) => readonly Tensor[],
  isOutput: (t: Tensor) => boolean,
  fuse = true,
): Map<number, FusedGroup> {
  const consumers = new Map<number, Tensor[]>();
  const position = new Map<number, number>();
  order.forEach((node, k) => {
    position.set(node.id, k);
    for (const i of inputsOf(node)) {
      const list = consumers.get(i.id);
      if (list === undefined) consumers.set(i.id, [node]);
      else if (list[list.length - 1] !== node) list.push(node); // a node reading a value twice reads it consecutively
    }
  });
  /**
   * Whether a value is stored whatever its consumer does (so reading it costs one load): a
   * constant, a non-elementwise node, an output, or an elementwise value that is not cheap and is
   * read by other nodes too (a division shared by a forward and a backward loop).
   */
  const storedAnyway = (i: Tensor): boolean =>
    isConstant(i) || scalarExprOf(i) === undefined || isOutput(i) ||
    (!CHEAP.has(i.prim!.name) && i.prim!.name !== 'broadcastTo' && (consumers.get(i.id)?.length ?? 0) > 1);
  /**
   * A cheap operation whose inputs are stored values (of its shape, or smaller ones it broadcasts,
   * read through broadcast strides), single elements, broadcasts or such operations.
   */
  const cheap = (node: Tensor, depth: number): boolean =>
    depth > 0 && CHEAP.has(node.prim?.name ?? '') && !isOutput(node) &&
    inputsOf(node).every((i) =>
      i.size === 1 ||
      (sameShape(i.shape, node.shape)
        ? storedAnyway(i) || i.prim!.name === 'broadcastTo' || cheap(i, depth - 1)
        : storedAnyway(i)));
  const groupOf = new Map<number, Tensor>(); // node -> root
  // values computed inside every loop that reads them instead of being stored (see below)
  const copies = new Map<number, Tensor[]>(); // root -> nodes copied into its loop
  const copiedInto = new Map<number, Set<Tensor>>(); // copied node -> the roots of its loops
  /** The loops a consumer is computed in: its group's, or each one it is copied into. */
  const loopsOf = (c: Tensor): Set<Tensor> => copiedInto.get(c.id) ?? new Set([groupOf.get(c.id)!]);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    let root: Tensor = node;
    const cons = consumers.get(node.id) ?? [];
    if (fuse && scalarExprOf(node) !== undefined && !isOutput(node) && cons.length > 0) {
      const roots = new Set<Tensor>();
      for (const c of cons) for (const r of loopsOf(c)) roots.add(r);
      const intoLoops = cons.every((c) => scalarExprOf(c) !== undefined && sameShape(c.shape, node.shape)) &&
        [...roots].every((g) => scalarExprOf(g) !== undefined && sameShape(g.shape, node.shape));
      const r = roots.size === 1 ? [...roots][0]! : undefined;
      if (r !== undefined && intoLoops) root = r;
      else if (intoLoops && roots.size <= COPY_LOOPS && (node.prim!.name === 'broadcastTo' || cheap(node, COPY_DEPTH))) {
        // a broadcast read by several loops (e.g. a per-row value used by a forward and a
        // backward pass): each loop reads the small input through broadcast strides, which costs
        // nothing, instead of one loop storing the full broadcast array for the others; a cheap
        // operation likewise costs less computed again than stored and read back
        for (const g of roots) {
          const list = copies.get(g.id);
          if (list === undefined) copies.set(g.id, [node]);
          else list.push(node);
        }
        copiedInto.set(node.id, roots);
        continue;
      }
    }
    groupOf.set(node.id, root);
  }
  const members = new Map<number, Tensor[]>();
  for (const node of order) {
    if (copiedInto.has(node.id)) continue;
    const r = groupOf.get(node.id)!;
    const list = members.get(r.id);
    if (list === undefined) members.set(r.id, [node]);
    else list.push(node);
  }
  const groups = new Map<number, FusedGroup>();
  for (const [rootId, own] of members) {
    // the copies and the group's own members, in topological order (a copy may read another copy
    // or a member, and a member may read a copy)
    const list = [...(copies.get(rootId) ?? []), ...own].sort((a, b) => position.get(a.id)! - position.get(b.id)!);
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
 * the reduction's own index), or, for a fold over the last axis alone or over a whole matrix,
 * one value per row or per column (Σ_j X_ij v_j: the row sums of a product with a row vector;
 * Σ_ij u_i X_ij v_j). The [..] array between them is then never written: sum(relu(Z))
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
    const { axes } = node.attrs as ReduceAttrs;
    const lastAxisOnly = axes.length === 1 && axes[0] === x.shape.length - 1 && x.shape[axes[0]]! > 1;
    // a fold of a whole matrix runs row by row too (one accumulator, the same row-major order)
    const wholeMatrix = x.shape.length === 2 && axes.length === 2 && x.shape[1]! > 1;
    if (!group.inputs.every((i) => i.size === 1 || sameShape(i.shape, x.shape) ||
      ((lastAxisOnly || wholeMatrix) && (perRow(i.shape, x.shape) || perColumn(i.shape, x.shape))))) continue;
    absorbed.set(node.id, group);
  }
  return absorbed;
}

/** Whether `input` holds one value per row of `shape`: the same shape with its last axis 1. */
function perRow(input: readonly number[], shape: readonly number[]): boolean {
  return input.length === shape.length && input[input.length - 1] === 1 && input.slice(0, -1).every((d, i) => d === shape[i]);
}

/** Whether `input` holds one value per column of `shape`: every axis 1 but the last, which is the same. */
function perColumn(input: readonly number[], shape: readonly number[]): boolean {
  return input.length === shape.length && input[input.length - 1] === shape[shape.length - 1] && input.slice(0, -1).every((d) => d === 1);
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
  const shape = group.root.shape;
  const kernel = fusedReduceKernel(foldOf(node.prim!.name)!, shape, axes, {
    body, result,
    scalar: group.inputs.map((i) => i.size === 1),
    row: group.inputs.map((i) => i.size !== 1 && !sameShape(i.shape, shape) && perRow(i.shape, shape)),
    col: group.inputs.map((i) => i.size !== 1 && !sameShape(i.shape, shape) && perColumn(i.shape, shape)),
  });
  return { kernel, text: `${body} v = ${result}` };
}
