// Directional central-difference checks of first and second derivatives, for any primitive.
import {
  add, apply, constant, grads, mul, Random, sizeOf, sum,
  type Domain, type Primitive, type Shape, type Tensor,
} from '@descent/autodiff';

export interface CheckResult {
  readonly analytic: number;
  readonly numeric: number;
  readonly relError: number;
}

/** Relative error with a floor, so two values that are both ~0 agree. */
export function relativeError(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b), 1e-7);
  return Math.abs(a - b) / scale;
}

/** Samples an input within its domain; `distinct` spreads values over a jittered grid. */
export function sampleInput(shape: Shape, domain: Domain, rng: Random, distinct: boolean): Float64Array {
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  if (domain.integer) {
    for (let i = 0; i < n; i++) out[i] = domain.lo + Math.floor(rng.uniform() * (domain.hi - domain.lo));
    return out;
  }
  const margin = domain.margin ?? 0;
  const near = (x: number): boolean => (domain.avoid ?? []).some((p) => Math.abs(x - p) < margin);
  if (distinct) {
    // n strata across [lo, hi], each value in the middle half of its own stratum, shuffled
    const width = (domain.hi - domain.lo) / n;
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let i = 0; i < n; i++) out[i] = domain.lo + width * (order[i]! + 0.25 + 0.5 * rng.uniform());
    return out;
  }
  for (let i = 0; i < n; i++) {
    let x = 0;
    do x = domain.lo + (domain.hi - domain.lo) * rng.uniform();
    while (near(x));
    out[i] = x;
  }
  return out;
}

/**
 * Inputs whose entries are all well apart, across inputs too (max(a, b) with b broadcast against
 * a compares every pair): one stratified pool over every entry, split into the inputs. Integer
 * inputs are sampled on their own.
 */
export function sampleDistinct(shapes: readonly Shape[], domains: readonly Domain[], rng: Random): Float64Array[] {
  const continuous = shapes.map((_, k) => !domains[k]!.integer);
  const total = shapes.reduce((acc, s, k) => acc + (continuous[k] ? sizeOf(s) : 0), 0);
  const first = domains.find((d) => !d.integer);
  const pool = first ? sampleInput([total], first, rng, true) : new Float64Array(0);
  let offset = 0;
  return shapes.map((s, k) => {
    if (!continuous[k]) return sampleInput(s, domains[k]!, rng, false);
    const part = pool.slice(offset, offset + sizeOf(s));
    offset += sizeOf(s);
    return part;
  });
}

type ScalarFn = (xs: readonly Tensor[]) => number;

/** Central difference along direction u, Richardson-extrapolated to O(h^4). */
function directional(f: ScalarFn, x: readonly Float64Array[], shapes: readonly Shape[], u: readonly Float64Array[], h: number): number {
  const at = (t: number): number =>
    f(x.map((xi, k) => constant(xi.map((v, j) => v + t * u[k]![j]!), shapes[k]!)));
  const d = (s: number): number => (at(s) - at(-s)) / (2 * s);
  return (4 * d(h / 2) - d(h)) / 3;
}

export interface PrimitiveCheck {
  readonly first: CheckResult;
  readonly second?: CheckResult;
}

/**
 * Checks `prim` at one random point: F(x) = sum(w * prim(x)) with fixed random weights w; the
 * first order compares <grad F, u> with a central difference of F along u, the second order
 * compares <grad G, u> with a central difference of G(x) = <grad F(x), v>.
 */
export function checkPrimitive<A>(
  prim: Primitive<A>,
  shapes: readonly Shape[],
  attrs: A,
  domains: readonly Domain[],
  seed: number,
  options: { distinct?: boolean; order?: 1 | 2; h?: number } = {},
): PrimitiveCheck {
  const rng = new Random(seed);
  const x = options.distinct
    ? sampleDistinct(shapes, domains, rng)
    : shapes.map((s, k) => sampleInput(s, domains[k]!, rng, false));
  x.forEach((xi, k) => prim.check.prepareInput?.(xi, shapes[k]!, k));
  const outShape = prim.shape(shapes, attrs);
  const w = constant(rng.fillNormal(new Float64Array(sizeOf(outShape))), outShape);
  const diff = shapes.map((_, k) => !(domains[k]!.integer || prim.nondiff?.includes(k)));
  const argnums = shapes.map((_, k) => k).filter((k) => diff[k]);
  const direction = (): Float64Array[] =>
    shapes.map((s, k) => (diff[k] ? rng.fillNormal(new Float64Array(sizeOf(s))) : new Float64Array(sizeOf(s))));
  const u = direction();
  const v = direction();
  const h = options.h ?? 1e-3;

  const F = (...xs: Tensor[]): Tensor => sum(mul(apply(prim, xs, attrs), w));
  const inputs = x.map((xi, k) => constant(xi, shapes[k]!));
  const dot = (gs: readonly Tensor[], dir: readonly Float64Array[]): number =>
    gs.reduce((acc, g, i) => acc + g.data.reduce((s, gv, j) => s + gv * dir[argnums[i]!]![j]!, 0), 0);

  const result = (analytic: number, numeric: number): CheckResult => ({
    analytic,
    numeric,
    relError: relativeError(analytic, numeric),
  });
  if (argnums.length === 0) return { first: result(0, directional((xs) => F(...xs).item(), x, shapes, u, h)) };

  const gF = grads(F, argnums);
  const first = result(dot(gF(...inputs), u), directional((xs) => F(...xs).item(), x, shapes, u, h));
  if ((options.order ?? 2) === 1) return { first };

  // G(x) = <grad F(x), v>, itself differentiable
  const vTensors = argnums.map((k) => constant(v[k]!, shapes[k]!));
  const G = (...xs: Tensor[]): Tensor => {
    const gs = grads(F, argnums)(...xs);
    return gs.map((g, i) => sum(mul(g, vTensors[i]!))).reduce((a, b) => add(a, b));
  };
  const second = result(dot(grads(G, argnums)(...inputs), u), directional((xs) => G(...xs).item(), x, shapes, u, h));
  return { first, second };
}
