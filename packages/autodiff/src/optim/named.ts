// Optimizers over named parameters: a pytree of tensors updated in place, with the flat optimizers' state.
import { constant, Tensor } from '../tensor.js';
import { flattenTree, type TensorTree } from '../tree.js';
import { createFlat } from './create.js';
import { optimizerSpec } from './table.js';
import { OptimizerError, type Optimizer, type OptimizerKind, type OptimizerSpec, type OptimizerState } from './types.js';

/** The leaves' arrays of a gradient tree, cached by the tree object (a compiled step returns the same one each time). */
interface LeafCache {
  tree: unknown;
  arrays: Float64Array[];
}

/**
 * An optimizer bound to a pytree of parameter tensors (`{ W1, b1, layers: [{ W }] }`), whose
 * values it updates in place. Every buffer is allocated at creation: a step over a gradient tree
 * the caller hands back unchanged (as a compiled step's outputs are) allocates nothing.
 */
export interface TreeOptimizer<P> {
  readonly kind: OptimizerKind;
  readonly spec: OptimizerSpec;
  readonly steps: number;
  /** Where each parameter sits (`params.W1`), in the order of the saved state's buffers. */
  readonly paths: readonly string[];
  /** One step from the given gradients (same structure as the parameters). Not for `flow`, which needs `step`. */
  update(params: P, grads: TensorTree<P>): void;
  /**
   * One step that asks `gradient` for the gradient wherever it needs it (gradient flow evaluates
   * several trial points per step). `gradient` receives a tree of the same structure whose tensors
   * may be the optimizer's own trial buffers: read them, do not keep them.
   */
  step(params: P, gradient: (at: P) => TensorTree<P>): void;
  /** Hyperparameters for the steps from now on (a schedule); `state()` keeps the creation values. */
  setHyper(values: Readonly<Record<string, number>>): void;
  /** Plain JSON; `restore` continues bit for bit. */
  state(): OptimizerState;
  restore(state: OptimizerState): void;
}

function leafArrays(tree: unknown, count: number, what: string): Float64Array[] {
  const flat = flattenTree(tree, what);
  if (flat.leaves.length !== count) {
    throw new OptimizerError(`${what} has ${flat.leaves.length} tensors but the parameters have ${count}`);
  }
  return flat.leaves.map((t) => t.data);
}

function treeOptimizer<P>(spec: OptimizerSpec, params: P): TreeOptimizer<P> {
  const flat = flattenTree(params, 'params');
  for (const [i, leaf] of flat.leaves.entries()) {
    if (!(leaf instanceof Tensor) || leaf.symbolic) throw new OptimizerError(`${flat.paths[i]} must be a tensor with values`);
  }
  const shapes = flat.leaves.map((t) => t.shape);
  const sizes = flat.leaves.map((t) => t.size);
  const count = sizes.length;
  const flatOptimizer: Optimizer = createFlat(spec, sizes);
  // the arrays the flat optimizer steps: the caller's tensors' own values, so updates land in place
  let bound: { tree: unknown; arrays: Float64Array[] } = { tree: params, arrays: flat.leaves.map((t) => t.data) };
  const paramArrays = (p: P): Float64Array[] => {
    if (p !== bound.tree) bound = { tree: p, arrays: leafArrays(p, count, 'params') };
    for (let i = 0; i < count; i++) {
      if (bound.arrays[i]!.length !== sizes[i]) {
        throw new OptimizerError(`${flat.paths[i]} has ${bound.arrays[i]!.length} values, expected ${sizes[i]}`);
      }
    }
    return bound.arrays;
  };
  const gradCache: LeafCache = { tree: undefined, arrays: [] };
  const gradArrays = (g: unknown): Float64Array[] => {
    if (g !== gradCache.tree) {
      gradCache.arrays = leafArrays(g, count, 'gradients');
      gradCache.tree = g;
    }
    return gradCache.arrays;
  };
  const copyInto = (from: readonly Float64Array[], out: readonly Float64Array[]): void => {
    for (let i = 0; i < count; i++) {
      const src = from[i]!;
      if (src.length !== sizes[i]) throw new OptimizerError(`the gradient of ${flat.paths[i]} has ${src.length} values, expected ${sizes[i]}`);
      out[i]!.set(src);
    }
  };

  // update(): the flat optimizer's gradient callback copies the gradients handed in (once per step)
  let pending: Float64Array[] | undefined;
  const fromPending = (_at: readonly Float64Array[], out: readonly Float64Array[]): void => {
    if (pending === undefined) {
      throw new OptimizerError(`${spec.kind} evaluates the gradient at trial points: call step(params, gradient), not update`);
    }
    copyInto(pending, out);
    pending = undefined;
  };

  // step(): trial points are the flat optimizer's own arrays; each gets a tree of tensors once
  const views = new Map<readonly Float64Array[], P>();
  let userGradient: ((at: P) => TensorTree<P>) | undefined;
  const fromCallback = (at: readonly Float64Array[], out: readonly Float64Array[]): void => {
    let view = at === bound.arrays ? (bound.tree as P) : views.get(at);
    if (view === undefined) {
      view = flat.rebuild(at.map((a, i) => constant(a, shapes[i]!))) as P;
      views.set(at, view);
    }
    copyInto(gradArrays(userGradient!(view)), out);
  };

  return {
    kind: spec.kind,
    spec,
    get steps() {
      return flatOptimizer.steps;
    },
    paths: flat.paths,
    update(p, grads) {
      const arrays = paramArrays(p);
      pending = gradArrays(grads);
      try {
        flatOptimizer.step(arrays, fromPending);
      } finally {
        pending = undefined;
      }
    },
    step(p, gradient) {
      const arrays = paramArrays(p);
      userGradient = gradient;
      try {
        flatOptimizer.step(arrays, fromCallback);
      } finally {
        userGradient = undefined;
      }
    },
    setHyper: (values) => flatOptimizer.setHyper(values),
    state: () => flatOptimizer.state(),
    restore: (state) => flatOptimizer.restore(state),
  };
}

/**
 * An optimizer of kind `kind` over the tensors of `params`, with the table's defaults for the
 * arguments not given.
 * @example
 *   const params = { W: randn([3, 2]), b: zeros([2]) };
 *   const opt = optimizer('adam', params, { lr: 1e-2 });
 *   const [loss, g] = valueAndGrad(f)(params);
 *   opt.update(params, g);
 */
export function optimizer<P>(kind: OptimizerKind, params: P, args: Readonly<Record<string, number>> = {}): TreeOptimizer<P> {
  return treeOptimizer(optimizerSpec(kind, args), params);
}

/** Gradient descent θ ← θ − lr ∇f(θ) over the tensors of `params`. */
export function gd<P>(params: P, args: { lr?: number } = {}): TreeOptimizer<P> {
  return optimizer('gd', params, args);
}

/** Heavy-ball momentum v ← β v + ∇f, θ ← θ − lr v over the tensors of `params`. */
export function momentum<P>(params: P, args: { lr?: number; beta?: number } = {}): TreeOptimizer<P> {
  return optimizer('momentum', params, args);
}

/** Adam with bias correction over the tensors of `params`. */
export function adam<P>(params: P, args: { lr?: number; beta1?: number; beta2?: number; eps?: number } = {}): TreeOptimizer<P> {
  return optimizer('adam', params, args);
}

/** Gradient flow θ' = −∇f(θ): each `step` advances flow time by dt with adaptive substeps. */
export function flow<P>(params: P, args: { dt?: number; rtol?: number; atol?: number } = {}): TreeOptimizer<P> {
  return optimizer('flow', params, args);
}
