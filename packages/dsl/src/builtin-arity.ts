// How many arguments each built-in function takes: one table shared by the checker and the lowering.

/** `[min, max]` argument counts; `max` is `Infinity` for variadic built-ins (`randn(n, d, ...)`). */
export const BUILTIN_ARITY: Record<string, readonly [min: number, max: number]> = {
  // elementwise, one argument
  exp: [1, 1], log: [1, 1], log1p: [1, 1], expm1: [1, 1], sqrt: [1, 1], abs: [1, 1], sign: [1, 1],
  sin: [1, 1], cos: [1, 1], tan: [1, 1], tanh: [1, 1], sigmoid: [1, 1], relu: [1, 1], softplus: [1, 1],
  acos: [1, 1], asin: [1, 1], atan: [1, 1], erf: [1, 1],
  // matrices and whole-tensor reductions
  trace: [1, 1], diag: [1, 1], det: [1, 1], sum: [1, 1], mean: [1, 1],
  // linear algebra (differentiable)
  inv: [1, 1], solve: [2, 2], logdet: [1, 1], eigvalsh: [1, 1], svdvals: [1, 1],
  // curvature of a scalar over the descended parameters (metrics only)
  hessian_eigs: [2, 2], sharpness: [1, 1], hessian_trace: [1, 1],
  // min(x) reduces, min(a, b) is elementwise
  min: [1, 2], max: [1, 2],
  clamp: [3, 3], where: [3, 3],
  dot: [2, 2], outer: [2, 2], angle: [2, 2], relu_kernel: [2, 2],
  // constructors
  eye: [1, 1], onehot: [2, 2], linspace: [3, 3],
  // random constants from the run's seeded generator; the arguments are the dims
  randn: [1, Infinity], rand: [1, Infinity],
  // a file name in quotes
  load: [1, 1],
};

/** Whether `name` is a built-in function (not `grad`/`stop`, which the parser turns into nodes). */
export function isBuiltin(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTIN_ARITY, name);
}

/** "`dot` takes 2 arguments", "`min` takes 1 or 2 arguments", "`randn` takes at least 1 argument". */
export function describeArity(name: string, [min, max]: readonly [number, number]): string {
  const noun = (k: number): string => `${k} argument${k === 1 ? '' : 's'}`;
  if (min === max) return `\`${name}\` takes ${noun(min)}`;
  if (max === Infinity) return `\`${name}\` takes at least ${noun(min)}`;
  if (max === min + 1) return `\`${name}\` takes ${min} or ${noun(max)}`;
  return `\`${name}\` takes ${min} to ${noun(max)}`;
}
