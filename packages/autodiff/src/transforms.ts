// Function transformations: grad, valueAndGrad, vjp, jvp, hvp. They nest, so grad(grad(f)) and
// jvp(grad(f)) work; arguments and results may be pytrees (tensors nested in arrays and objects).
import { backward } from './engine.js';
import { add, mul, sum } from './ops.js';
import { gradientPrimitives } from './primitives/gradient.js';
import { formatShape, sameShape, ShapeError } from './shape.js';
import { detach, Tensor, toTensor, variableOf, zeros } from './tensor.js';
import { flattenTree, type FlatTree, type InputTree, type TensorTree } from './tree.js';

let depth = 0;

/** Runs `body` one differentiation level deeper; compile() traces at depth 1 too. */
export function nested<T>(body: () => T): T {
  depth++;
  try {
    return body();
  } finally {
    depth--;
  }
}

/** At top level the results keep no graph (so a training loop does not hold every past step). */
function release(t: Tensor): Tensor {
  return depth === 0 ? detach(t) : t;
}

/** A tree with every tensor leaf released; anything that is not a tree is returned as it is. */
function releaseTree(x: unknown, path: string): unknown {
  if (x instanceof Tensor) return release(x);
  if (x === undefined || typeof x !== 'object' || x === null || ArrayBuffer.isView(x)) return x;
  try {
    const flat = flattenTree(x, path);
    return flat.rebuild(flat.leaves.map(release));
  } catch {
    return x; // an auxiliary value that is not a tree of tensors
  }
}

/** The argument positions of a parameter list: `0 | 1` for two parameters, `number` for a rest parameter. */
export type ArgIndex<A extends readonly unknown[]> = number extends A['length'] ? number : Exclude<Partial<A>['length'], A['length']>;

/** A literal argnum must name one of f's parameters; a computed `number` is checked when called. */
export type Argnum<N extends number, A extends readonly unknown[]> = number extends N ? N : N & ArgIndex<A>;

/** The arguments a transformed function accepts: the original ones, with numbers for tensors. */
export type Inputs<A extends readonly unknown[]> = { [K in keyof A]: InputTree<A[K]> };

/** Options of valueAndGrad and grad, as in JAX: which arguments, and whether f returns [value, aux]. */
export interface GradOptions<N> {
  readonly argnums?: N;
  readonly hasAux?: boolean;
}

type Loose = (...args: unknown[]) => unknown;

function requireScalar(op: string, y: unknown): Tensor {
  if (!(y instanceof Tensor)) throw new TypeError(`${op}: the function must return a scalar tensor, got ${describe(y)}`);
  if (y.size !== 1) throw new ShapeError(op, `needs a function with a scalar output, got shape ${formatShape(y.shape)}`);
  return y;
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `an array of ${x.length}`;
  return typeof x === 'object' ? `a ${x.constructor.name}` : `a ${typeof x}`;
}

/** Refuses argnums that are not whole numbers ≥ 0, when the transformation is made. */
function checkArgnums(op: string, argnums: readonly number[]): void {
  for (const i of argnums) {
    if (!Number.isInteger(i) || i < 0) throw new RangeError(`${op}: argnums must be whole numbers >= 0, got ${String(i)}`);
  }
}

/** A call's arguments against what f declares and what is differentiated. */
function checkCall(op: string, f: Loose, args: readonly unknown[], argnums: readonly number[]): void {
  if (f.length > args.length) {
    throw new TypeError(`${op}: the function takes ${f.length} argument${f.length === 1 ? '' : 's'}, but was called with ${args.length}`);
  }
  for (const i of argnums) {
    if (i >= args.length) {
      throw new RangeError(`${op}: differentiates argument ${i} (argnums), but was called with ${args.length} argument${args.length === 1 ? '' : 's'}`);
    }
  }
}

/** Arguments with fresh differentiation variables at the leaves of those in `argnums`. */
function traceArgs(op: string, args: readonly unknown[], argnums: readonly number[]): { inputs: unknown[]; flats: FlatTree[]; vars: Tensor[][] } {
  const inputs = args.map((a) => (typeof a === 'number' ? toTensor(a) : a));
  const flats: FlatTree[] = [];
  const vars: Tensor[][] = [];
  for (const i of argnums) {
    const flat = flattenTree(args[i], `${op}: argument ${i}`);
    const v = flat.leaves.map((leaf) => variableOf(leaf, gradientPrimitives.identity));
    inputs[i] = flat.rebuild(v);
    flats.push(flat);
    vars.push(v);
  }
  return { inputs, flats, vars };
}

/** Splits the gradients of all variables back into one tree per differentiated argument. */
function gradientTrees(flats: readonly FlatTree[], gradients: readonly Tensor[]): unknown[] {
  let off = 0;
  return flats.map((flat) => {
    const part = gradients.slice(off, off + flat.leaves.length).map(release);
    off += flat.leaves.length;
    return flat.rebuild(part);
  });
}

function valueAndGradCore(op: string, f: Loose, argnums: readonly number[], hasAux: boolean): (...args: unknown[]) => [unknown, unknown[]] {
  checkArgnums(op, argnums);
  return (...args) => {
    checkCall(op, f, args, argnums);
    const [out, flats, gradients] = nested(() => {
      const { inputs, flats, vars } = traceArgs(op, args, argnums);
      const result = f(...inputs);
      if (hasAux && !(Array.isArray(result) && result.length === 2)) {
        throw new TypeError(`${op} with hasAux: the function must return [value, aux], got ${describe(result)}`);
      }
      const y = requireScalar(op, hasAux ? (result as unknown[])[0] : result);
      return [hasAux ? [y, (result as unknown[])[1]] : y, flats, backward(y, vars.flat())] as const;
    });
    const value = hasAux ? [release((out as [Tensor, unknown])[0]), releaseTree((out as [Tensor, unknown])[1], 'aux')] : release(out as Tensor);
    return [value, gradientTrees(flats, gradients)];
  };
}

/**
 * The value of a scalar function and its gradient with respect to argument `argnums` (a number:
 * one gradient, shaped like that argument, which may be a pytree) or arguments `argnums` (an
 * array: one gradient each), as in JAX. With `{ hasAux: true }` f returns `[value, aux]` and the
 * result is `[[value, aux], gradient]`.
 * @example
 *   const [value, dx] = valueAndGrad((x) => sum(mul(x, x)))(tensor([1, 2]));  // 5, [2, 4]
 *   const [loss, g] = valueAndGrad((p: { w: Tensor; b: Tensor }) => sum(add(p.w, p.b)))({ w, b });  // g.w, g.b
 */
export function valueAndGrad<A extends Tensor[], N extends number = 0>(
  f: (...args: A) => Tensor,
  argnums?: Argnum<N, A>,
): (...args: Inputs<A>) => [Tensor, Tensor];
export function valueAndGrad<A extends Tensor[]>(f: (...args: A) => Tensor, argnums: readonly ArgIndex<A>[]): (...args: Inputs<A>) => [Tensor, Tensor[]];
export function valueAndGrad<A extends unknown[], N extends number = 0>(
  f: (...args: A) => Tensor,
  argnums?: Argnum<N, A>,
): (...args: Inputs<A>) => [Tensor, TensorTree<A[N]>];
export function valueAndGrad<A extends unknown[]>(
  f: (...args: A) => Tensor,
  argnums: readonly ArgIndex<A>[],
): (...args: Inputs<A>) => [Tensor, TensorTree<A[number]>[]];
export function valueAndGrad<A extends unknown[], Aux, N extends number = 0>(
  f: (...args: A) => readonly [Tensor, Aux],
  options: GradOptions<Argnum<N, A>> & { readonly hasAux: true },
): (...args: Inputs<A>) => [[Tensor, Aux], TensorTree<A[N]>];
export function valueAndGrad<A extends unknown[], N extends number = 0>(
  f: (...args: A) => Tensor,
  options: GradOptions<Argnum<N, A>>,
): (...args: Inputs<A>) => [Tensor, TensorTree<A[N]>];
export function valueAndGrad(
  f: (...args: never[]) => unknown,
  spec: number | readonly number[] | GradOptions<number> = 0,
): (...args: unknown[]) => [unknown, unknown] {
  const options: GradOptions<number | readonly number[]> =
    typeof spec === 'object' && !Array.isArray(spec) ? (spec as GradOptions<number>) : { argnums: spec as number | readonly number[] };
  const argnums = options.argnums ?? 0;
  const core = valueAndGradCore('valueAndGrad', f as Loose, typeof argnums === 'number' ? [argnums] : argnums, options.hasAux ?? false);
  if (typeof argnums !== 'number') return core;
  return (...args) => {
    const [value, [g]] = core(...args);
    return [value, g];
  };
}

/**
 * The gradient of a scalar function with respect to argument `argnum` (default 0), shaped like
 * that argument (a tensor, or a pytree of them). Differentiable again: `grad(grad(f))` is the
 * second derivative. With `{ hasAux: true }`, f returns `[value, aux]` and grad returns `[gradient, aux]`.
 * @example
 *   grad((x) => sum(mul(x, x)))(tensor([1, 2]))   // [2, 4]
 */
export function grad<A extends Tensor[], N extends number = 0>(f: (...args: A) => Tensor, argnum?: Argnum<N, A>): (...args: Inputs<A>) => Tensor;
export function grad<A extends unknown[], N extends number = 0>(f: (...args: A) => Tensor, argnum?: Argnum<N, A>): (...args: Inputs<A>) => TensorTree<A[N]>;
export function grad<A extends unknown[], Aux, N extends number = 0>(
  f: (...args: A) => readonly [Tensor, Aux],
  options: GradOptions<Argnum<N, A>> & { readonly hasAux: true },
): (...args: Inputs<A>) => [TensorTree<A[N]>, Aux];
export function grad(f: (...args: never[]) => unknown, spec: number | GradOptions<number> = 0): (...args: unknown[]) => unknown {
  const options = typeof spec === 'number' ? { argnums: spec } : spec;
  const hasAux = options.hasAux ?? false;
  const core = valueAndGradCore('grad', f as Loose, [options.argnums ?? 0], hasAux);
  return (...args) => {
    const [value, [g]] = core(...args);
    return hasAux ? [g, (value as [unknown, unknown])[1]] : g;
  };
}

/** Gradients with respect to several arguments at once. */
export function grads<A extends Tensor[]>(f: (...args: A) => Tensor, argnums: readonly ArgIndex<A>[]): (...args: Inputs<A>) => Tensor[];
export function grads<A extends unknown[]>(f: (...args: A) => Tensor, argnums: readonly ArgIndex<A>[]): (...args: Inputs<A>) => TensorTree<A[number]>[];
export function grads<A extends unknown[]>(f: (...args: A) => Tensor, argnums: readonly ArgIndex<A>[]): (...args: Inputs<A>) => TensorTree<A[number]>[] {
  const core = valueAndGradCore('grads', f as Loose, argnums as readonly number[], false);
  return ((...args: unknown[]) => core(...args)[1]) as (...args: Inputs<A>) => TensorTree<A[number]>[];
}

/**
 * f's value at `primals` and a function mapping an output cotangent to the input cotangents, one
 * per primal, each shaped like its primal.
 */
export function vjp<A extends Tensor[]>(f: (...args: A) => Tensor, ...primals: Inputs<A>): [Tensor, (cotangent: Tensor | number) => Tensor[]];
export function vjp<A extends unknown[]>(f: (...args: A) => Tensor, ...primals: Inputs<A>): [Tensor, (cotangent: Tensor | number) => TensorTree<A[number]>[]];
export function vjp<A extends unknown[]>(
  f: (...args: A) => Tensor,
  ...primals: Inputs<A>
): [Tensor, (cotangent: Tensor | number) => TensorTree<A[number]>[]] {
  const all = primals.map((_, i) => i);
  checkCall('vjp', f as Loose, primals, all);
  const { y, flats, vars } = nested(() => {
    const { inputs, flats, vars } = traceArgs('vjp', primals, all);
    const out = (f as Loose)(...inputs);
    if (!(out instanceof Tensor)) throw new TypeError(`vjp: the function must return a tensor, got ${describe(out)}`);
    return { y: out, flats, vars };
  });
  const pullback = (ct: Tensor | number): TensorTree<A[number]>[] => {
    const c = toTensor(ct);
    if (!sameShape(c.shape, y.shape)) throw new ShapeError('vjp', `the cotangent has shape ${formatShape(c.shape)}, the output ${formatShape(y.shape)}`);
    const g = nested(() => backward(y, vars.flat(), c));
    return gradientTrees(flats, g) as TensorTree<A[number]>[];
  };
  return [release(y), pullback];
}

/**
 * Forward mode: f's value at `primals` and its directional derivative J·t along `tangents` (one
 * per primal, shaped like it; the result is shaped like f's output, which may be a pytree).
 *
 * Computed by transposing the reverse mode ("the double-vjp trick"): u ↦ Jᵀu is linear in u, and
 * its gradient along t is J t. Every derivative rule is written with differentiable ops, so this
 * is exact and composes with the other transformations: `jvp(grad(f), [x], [v])` is the
 * Hessian-vector product H v. It costs about two reverse passes.
 */
export function jvp<A extends unknown[], R>(
  f: (...args: A) => R,
  primals: Inputs<A>,
  tangents: Inputs<A>,
): [TensorTree<R>, TensorTree<R>] {
  if (primals.length !== tangents.length) throw new RangeError(`jvp: ${primals.length} primals but ${tangents.length} tangents`);
  const all = primals.map((_, i) => i);
  checkCall('jvp', f as Loose, primals, all);
  const directions = (tangents as readonly unknown[]).map((t, i) => flattenTree(t, `jvp: tangent ${i}`));
  const [out, derivative] = nested(() => {
    const { inputs, flats, vars } = traceArgs('jvp', primals, all);
    flats.forEach((flat, i) => {
      const d = directions[i]!;
      if (d.leaves.length !== flat.leaves.length) throw new RangeError(`jvp: tangent ${i} has ${d.leaves.length} tensors, primal ${i} has ${flat.leaves.length}`);
      d.leaves.forEach((t, k) => {
        if (!sameShape(t.shape, flat.leaves[k]!.shape)) {
          throw new ShapeError('jvp', `${d.paths[k]} has shape ${formatShape(t.shape)}, the primal ${formatShape(flat.leaves[k]!.shape)}`);
        }
      });
    });
    const result = flattenTree((f as Loose)(...inputs), 'jvp: the output');
    const us = result.leaves.map((y) => variableOf(zeros(y.shape), gradientPrimitives.identity));
    const paired = result.leaves.map((y, k) => sum(mul(y, us[k]!)));
    const transposed = backward(paired.reduce((a, b) => add(a, b)), vars.flat());
    const along = transposed.map((g, i) => sum(mul(g, directions.flatMap((d) => d.leaves)[i]!)));
    const jv = backward(along.reduce((a, b) => add(a, b)), us);
    return [result.rebuild(result.leaves.map(release)), result.rebuild(jv.map(release))];
  });
  return [out as TensorTree<R>, derivative as TensorTree<R>];
}

/** Hessian-vector product of a scalar function at x along v (x and v may be pytrees), by reverse over reverse. */
export function hvp<T>(f: (x: TensorTree<T>) => Tensor, x: T, v: T): TensorTree<T> {
  const direction = flattenTree(v, 'hvp: the direction');
  const gradOf = (fn: Loose): ((z: unknown) => unknown) => {
    const core = valueAndGradCore('hvp', fn, [0], false);
    return (z) => core(z)[1][0];
  };
  const inner = (z: unknown): Tensor => {
    const g = flattenTree(gradOf(f as unknown as Loose)(z), 'hvp: the gradient');
    return g.leaves.map((gi, i) => sum(mul(gi, direction.leaves[i]!))).reduce((a, b) => add(a, b));
  };
  return gradOf(inner as Loose)(x) as TensorTree<T>;
}
