// vmap: a function of one example applied to a batch, by tracing it once and batching each primitive of the graph.
import { batchRuleOf, type BatchedValue } from './batching.js';
import { broadcastTo, permute, reshape, slice, stack } from './ops.js';
import { ShapeError } from './shape.js';
import { apply, placeholder, type Tensor } from './tensor.js';
import { nested } from './transforms.js';
import { flattenTree, type TensorTree } from './tree.js';

/** Which axis of each argument is the batch axis (null: the argument is shared by every example). */
export type InAxes = number | null | readonly (number | null)[];

export interface VmapOptions {
  /** The batch axis of each argument (default 0 for all); null passes an argument to every example unbatched. */
  readonly inAxes?: InAxes;
  /** Where the batch axis goes in every result (default 0). */
  readonly outAxis?: number;
}

/** `x` with its axis `axis` moved to the front. */
function toFront(x: Tensor, axis: number): Tensor {
  if (axis === 0) return x;
  const perm = [axis, ...x.shape.map((_, i) => i).filter((i) => i !== axis)];
  return permute(x, perm);
}

/** `x` with its first axis moved to `axis`. */
function fromFront(x: Tensor, axis: number): Tensor {
  if (axis === 0) return x;
  const rest = x.shape.map((_, i) => i).slice(1);
  const perm = [...rest.slice(0, axis), 0, ...rest.slice(axis)];
  return permute(x, perm);
}

/** Example `b` of a batched value (batch axis first). */
function exampleOf(x: Tensor, b: number): Tensor {
  return reshape(slice(x, [b], [b + 1]), x.shape.slice(1));
}

/** A primitive with no batching rule: applied to each example, the results stacked. */
function perExample(node: Tensor, inputs: readonly BatchedValue[], size: number): Tensor {
  const results: Tensor[] = [];
  for (let b = 0; b < size; b++) {
    results.push(apply(node.prim!, inputs.map((i) => (i.batched ? exampleOf(i.value, b) : i.value)), node.attrs));
  }
  return stack(results, 0);
}

function normalizeAxis(axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new ShapeError('vmap', `${what}: axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Options of batchGraph. */
export interface BatchGraphOptions {
  /** Whether a node is computed by the graph being batched (its inputs batched first); other nodes are inputs as they are. */
  readonly own: (node: Tensor) => boolean;
  /** Run a primitive without a batching rule once per example (default); false throws a MissingBatchRuleError instead. */
  readonly perExample?: boolean;
  /** Keep a node whose inputs are all unchanged as it is (default: apply its primitive again, in the current trace). */
  readonly reuseShared?: boolean;
}

/** A primitive of the graph has no batching rule and per-example application was not allowed. */
export class MissingBatchRuleError extends Error {
  override readonly name = 'MissingBatchRuleError';
}

/**
 * The graph behind `roots` with a leading batch axis of `size`: `given` maps a node's id to its
 * batched value (batch axis first); every node `own` says is computed is applied to its batched
 * inputs by its primitive's batching rule (batching.ts). A node none of whose inputs is batched
 * is shared by every example. Returns each root's value, flagged batched or shared by every example.
 */
export function batchGraph(roots: readonly Tensor[], given: ReadonlyMap<number, Tensor>, size: number, options: BatchGraphOptions): BatchedValue[] {
  const done = new Map<number, BatchedValue>();
  const valueOf = (root: Tensor): BatchedValue => {
    const stack: { node: Tensor; next: number }[] = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const node = top.node;
      if (done.has(node.id)) {
        stack.pop();
        continue;
      }
      const own = !given.has(node.id) && options.own(node);
      if (own && top.next < node.inputs.length) {
        const child = node.inputs[top.next++]!;
        if (!done.has(child.id)) stack.push({ node: child, next: 0 });
        continue;
      }
      stack.pop();
      const value = given.get(node.id);
      if (value !== undefined) done.set(node.id, { value, batched: true });
      else if (!own) done.set(node.id, { value: node, batched: false });
      else {
        const inputs = node.inputs.map((i) => done.get(i.id)!);
        if (!inputs.some((i) => i.batched)) {
          const same = options.reuseShared === true && inputs.every((i, k) => i.value === node.inputs[k]);
          done.set(node.id, { value: same ? node : apply(node.prim!, inputs.map((i) => i.value), node.attrs), batched: false });
        } else {
          const rule = batchRuleOf(node.prim!.name);
          let batched = rule?.(node.prim!, inputs, node.attrs, node, size);
          if (batched === undefined) {
            if (options.perExample === false) throw new MissingBatchRuleError(`vmap: primitive ${node.prim!.name} has no batching rule for these inputs`);
            batched = perExample(node, inputs, size);
          }
          done.set(node.id, { value: batched, batched: true });
        }
      }
    }
    return done.get(root.id)!;
  };
  return roots.map(valueOf);
}

/**
 * Vectorizes `f` over a batch axis of its arguments: `vmap(f)(xs)` is `stack([f(xs[0]), f(xs[1]), …])`
 * computed at once. `f` is traced once on one example's shapes; every primitive of its graph is
 * then applied to the whole batch by its batching rule (batching.ts; a primitive without one runs
 * per example). The result is built from differentiable ops, so `grad` of a vmap works, and vmap
 * of `grad`, `grad(grad(f))` or `jvp` batches their graphs alike: per-example gradients are
 * `vmap(grad(loss), { inAxes: [null, 0, 0] })(params, X, Y)`.
 */
export function vmap<A extends unknown[], R>(f: (...args: A) => R, options: VmapOptions = {}): (...args: A) => TensorTree<R> {
  return (...args: A): TensorTree<R> => {
    const inAxes = options.inAxes === undefined ? 0 : options.inAxes;
    const axes = Array.isArray(inAxes) ? inAxes : args.map(() => inAxes as number | null);
    if (axes.length !== args.length) throw new RangeError(`vmap: ${axes.length} in-axes for ${args.length} arguments`);
    // the batched arguments' leaves become placeholders of one example's shape
    const start = placeholder([]).id;
    const actual = new Map<number, Tensor>();
    let size: number | undefined;
    const traced = args.map((arg, i) => {
      const axis = axes[i];
      if (axis === null || axis === undefined) return arg;
      const flat = flattenTree(arg, `vmap argument ${i}`);
      const stand = flat.leaves.map((leaf, k) => {
        const a = normalizeAxis(axis, leaf.rank, `${flat.paths[k]} (shape [${leaf.shape.join(', ')}])`);
        const n = leaf.shape[a]!;
        if (size === undefined) size = n;
        else if (n !== size) throw new ShapeError('vmap', `${flat.paths[k]} has ${n} examples along axis ${a}, others have ${size}`);
        const p = placeholder(leaf.shape.filter((_, j) => j !== a), flat.paths[k]);
        actual.set(p.id, toFront(leaf, a));
        return p;
      });
      return flat.rebuild(stand);
    });
    if (size === undefined) throw new RangeError('vmap: no argument is batched (every in-axis is null)');
    const batch = size;
    const result = nested(() => f(...(traced as A)));
    const out = flattenTree(result, 'vmap result');

    // the graph built while tracing (ids from `start` on) is batched; older tensors are inputs as they are
    const values = batchGraph(out.leaves, actual, batch, { own: (node) => node.id >= start && node.prim !== undefined && node.inputs.length > 0 });
    const leaves = out.leaves.map((leaf, k) => {
      const { value, batched } = values[k]!;
      const full = batched ? value : broadcastTo(value, [batch, ...value.shape]);
      return fromFront(full, normalizeAxis(options.outAxis ?? 0, full.rank, 'outAxis'));
    });
    return out.rebuild(leaves) as TensorTree<R>;
  };
}

