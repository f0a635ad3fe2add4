// compileTree: compile a function of pytrees (named parameters) into a plan, called with trees, returning trees.
import { planOf, type Plan } from './plan.js';
import { placeholder, Tensor, toTensor } from './tensor.js';
import { nested } from './transforms.js';
import { flattenTree, type FlatTree, type TensorTree } from './tree.js';

/** A compiled function of trees: call it with trees shaped like the examples. */
export interface CompiledTree<A extends unknown[], R> {
  /**
   * Runs the plan on `args` (trees of the examples' structure and shapes). The result is the same
   * object every call, its tensors the plan's output buffers, overwritten by the next call: clone
   * what you keep. Arguments passed again as the same objects are not re-flattened (no allocation).
   */
  (...args: A): TensorTree<R>;
  readonly plan: Plan;
}

/**
 * Traces `f` once on symbolic stand-ins shaped like `examples` (trees of tensors: `{ W, b }`,
 * arrays, numbers) and compiles it, with any `grad` inside, into one plan.
 * @example
 *   const step = compileTree(valueAndGrad(loss), [params, X, Y]);
 *   const [l, g] = step(params, X, Y);   // g: { W1, b1, … } like params
 */
export function compileTree<A extends unknown[], R>(f: (...args: A) => R, examples: A): CompiledTree<A, R> {
  const flats = examples.map((e, i) => flattenTree(e, `argument ${i}`));
  const inputs: Tensor[] = [];
  const symbolic = flats.map((flat) => {
    const stand = flat.leaves.map((leaf, k) => placeholder(leaf.shape, flat.paths[k]));
    inputs.push(...stand);
    return flat.rebuild(stand);
  });
  const result = nested(() => f(...(symbolic as A)));
  const out = flattenTree(result, 'result');
  const plan = planOf(inputs, out.leaves.map(toTensor));
  const tree = out.rebuild(plan.outputs) as TensorTree<R>;
  const sizes = inputs.map((t) => t.size);
  // per argument: the last object passed and its leaves' arrays
  const seen: { arg: unknown; arrays: Float64Array[] }[] = flats.map(() => ({ arg: undefined, arrays: [] }));
  const arraysOf = (i: number, arg: unknown, flat: FlatTree): Float64Array[] => {
    const s = seen[i]!;
    if (s.arg !== arg) {
      const leaves = flattenTree(arg, `argument ${i}`).leaves;
      if (leaves.length !== flat.leaves.length) {
        throw new RangeError(`argument ${i} has ${leaves.length} tensors; the compiled function was traced with ${flat.leaves.length}`);
      }
      s.arrays = leaves.map((t) => t.data);
      s.arg = arg;
    }
    return s.arrays;
  };
  const run = (...args: A): TensorTree<R> => {
    if (args.length !== flats.length) throw new RangeError(`the compiled function takes ${flats.length} arguments, got ${args.length}`);
    let k = 0;
    for (let i = 0; i < flats.length; i++) {
      const flat = flats[i]!;
      const arrays = arraysOf(i, args[i], flat);
      for (let j = 0; j < arrays.length; j++, k++) {
        const data = arrays[j]!;
        if (data.length !== sizes[k]) {
          throw new RangeError(`${flat.paths[j]} has ${data.length} values; the compiled function was traced with shape [${flat.leaves[j]!.shape.join(', ')}]`);
        }
        const buffer = plan.inputBuffer(k);
        if (data !== buffer) buffer.set(data);
      }
    }
    plan.execute();
    return tree;
  };
  return Object.assign(run, { plan });
}
