// Function transformations: grad, valueAndGrad, vjp, hvp. They nest, so grad(grad(f)) works.
import { backward } from './engine.js';
import { mul, sum } from './ops.js';
import { structurePrimitives } from './primitives/structure.js';
import { formatShape, ShapeError } from './shape.js';
import { detach, Tensor, toTensor, variableOf, type TensorLike } from './tensor.js';

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

function requireScalar(op: string, y: Tensor): void {
  if (y.size !== 1) throw new ShapeError(op, `needs a function with a scalar output, got shape ${formatShape(y.shape)}`);
}

/** Calls f with fresh differentiation variables for the chosen arguments. */
function traceWith(
  f: (...args: Tensor[]) => Tensor,
  args: readonly TensorLike[],
  argnums: readonly number[],
): { y: Tensor; vars: Tensor[] } {
  const inputs = args.map(toTensor);
  const vars: Tensor[] = [];
  for (const i of argnums) {
    const a = inputs[i];
    if (a === undefined) throw new RangeError(`argnum ${i} is out of range for ${inputs.length} arguments`);
    const v = variableOf(a, structurePrimitives.identity);
    inputs[i] = v;
    vars.push(v);
  }
  return { y: f(...inputs), vars };
}

function valueAndGrads(
  f: (...args: Tensor[]) => Tensor,
  argnums: readonly number[],
): (...args: TensorLike[]) => [Tensor, Tensor[]] {
  return (...args) => {
    const [y, gradients] = nested(() => {
      const { y, vars } = traceWith(f, args, argnums);
      requireScalar('valueAndGrad', y);
      return [y, backward(y, vars)] as const;
    });
    return [release(y), gradients.map(release)];
  };
}

/**
 * The value of a scalar function and its gradient with respect to argument `argnums` (a number:
 * one gradient) or arguments `argnums` (an array: one gradient each), as in JAX.
 * @example
 *   const [value, dx] = valueAndGrad((x) => sum(mul(x, x)))(tensor([1, 2]));  // 5, [2, 4]
 */
export function valueAndGrad(f: (...args: Tensor[]) => Tensor, argnums?: number): (...args: TensorLike[]) => [Tensor, Tensor];
export function valueAndGrad(
  f: (...args: Tensor[]) => Tensor,
  argnums: readonly number[],
): (...args: TensorLike[]) => [Tensor, Tensor[]];
export function valueAndGrad(
  f: (...args: Tensor[]) => Tensor,
  argnums: number | readonly number[] = 0,
): (...args: TensorLike[]) => [Tensor, Tensor | Tensor[]] {
  if (typeof argnums !== 'number') return valueAndGrads(f, argnums);
  const vg = valueAndGrads(f, [argnums]);
  return (...args) => {
    const [y, [g]] = vg(...args);
    return [y, g!];
  };
}

/**
 * The gradient of a scalar function with respect to argument `argnum` (default 0).
 * Differentiable again: `grad(grad(f))` is the second derivative.
 * @example
 *   grad((x) => sum(mul(x, x)))(tensor([1, 2]))   // [2, 4]
 */
export function grad(f: (...args: Tensor[]) => Tensor, argnum = 0): (...args: TensorLike[]) => Tensor {
  const vg = valueAndGrad(f, argnum);
  return (...args) => vg(...args)[1];
}

/** Gradients with respect to several arguments at once. */
export function grads(f: (...args: Tensor[]) => Tensor, argnums: readonly number[]): (...args: TensorLike[]) => Tensor[] {
  const vg = valueAndGrads(f, argnums);
  return (...args) => vg(...args)[1];
}

/**
 * f's value at `primals` and a function mapping an output cotangent to input cotangents.
 */
export function vjp(
  f: (...args: Tensor[]) => Tensor,
  ...primals: TensorLike[]
): [Tensor, (cotangent: TensorLike) => Tensor[]] {
  const { y, vars } = nested(() =>
    traceWith(
      f,
      primals,
      primals.map((_, i) => i),
    ),
  );
  const pullback = (ct: TensorLike): Tensor[] =>
    nested(() => backward(y, vars, toTensor(ct))).map(release);
  return [release(y), pullback];
}

/** Hessian-vector product of a scalar function at x along v, by reverse over reverse. */
export function hvp(f: (x: Tensor) => Tensor, x: TensorLike, v: TensorLike): Tensor {
  const direction = toTensor(v);
  return grad((z: Tensor) => sum(mul(grad(f)(z), direction)))(x);
}
