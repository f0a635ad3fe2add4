// Gauss–Hermite quadrature: nodes and weights for expectations over Gaussians, and tensor grids.

/** Nodes and weights of an expectation rule: E[f(x)] ≈ Σ_k weights[k] f(nodes[k]). */
export interface Rule1D {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

export const MAX_QUADRATURE_NODES = 200;

const cache = new Map<number, Rule1D>();

/**
 * The K-node Gauss–Hermite rule for E over x ~ N(0, 1) (probabilists' normalization: the weights
 * sum to 1). Exact for polynomials of degree up to 2K − 1.
 *
 * Nodes are roots of the physicists' Hermite polynomial H_K, found by Newton's method on the
 * orthonormal recurrence p_j = t sqrt(2/j) p_{j-1} − sqrt((j−1)/j) p_{j-2}, with the classic
 * asymptotic starting guesses; the physicists' weight 2 / p'_K(t)^2 becomes w / sqrt(pi), and
 * the node t becomes x = sqrt(2) t.
 */
export function gaussHermite(K: number): Rule1D {
  if (!Number.isInteger(K) || K < 1 || K > MAX_QUADRATURE_NODES) {
    throw new RangeError(`quadrature needs between 1 and ${MAX_QUADRATURE_NODES} nodes, got ${K}`);
  }
  const hit = cache.get(K);
  if (hit) return hit;
  const t = new Float64Array(K);
  const w = new Float64Array(K);
  const pim4 = Math.pow(Math.PI, -0.25);
  let z = 0;
  for (let i = 0; i < Math.floor((K + 1) / 2); i++) {
    if (i === 0) z = Math.sqrt(2 * K + 1) - 1.85575 * Math.pow(2 * K + 1, -0.16667);
    else if (i === 1) z -= (1.14 * Math.pow(K, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * t[0]!;
    else if (i === 3) z = 1.91 * z - 0.91 * t[1]!;
    else z = 2 * z - t[i - 2]!;
    let pp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = pim4;
      let p2 = 0;
      for (let j = 1; j <= K; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * K) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    t[i] = z;
    t[K - 1 - i] = -z;
    w[i] = 2 / (pp * pp);
    w[K - 1 - i] = w[i]!;
  }
  // physicists' rule (weight e^{-t^2}) to the standard normal: x = sqrt(2) t, w / sqrt(pi)
  const nodes = new Float64Array(K);
  const weights = new Float64Array(K);
  let total = 0;
  for (let k = 0; k < K; k++) {
    nodes[k] = Math.SQRT2 * t[K - 1 - k]!; // ascending
    weights[k] = w[K - 1 - k]! / Math.sqrt(Math.PI);
    total += weights[k]!;
  }
  // the weights sum to 1 up to rounding; renormalize so constants integrate exactly
  for (let k = 0; k < K; k++) weights[k] = weights[k]! / total;
  const rule = { nodes, weights };
  cache.set(K, rule);
  return rule;
}

/** A tensor-product grid over `dims` independent standard normal coordinates. */
export interface Grid {
  /** [count, dims] row-major: point p, coordinate j at points[p * dims + j]. */
  readonly points: Float64Array;
  readonly weights: Float64Array;
  readonly count: number;
}

/** The K^dims tensor grid of the K-node rule (last coordinate varies fastest). */
export function hermiteGrid(K: number, dims: number): Grid {
  const rule = gaussHermite(K);
  const count = Math.pow(K, dims);
  const points = new Float64Array(count * dims);
  const weights = new Float64Array(count);
  const idx = new Array<number>(dims).fill(0);
  for (let p = 0; p < count; p++) {
    let w = 1;
    for (let j = 0; j < dims; j++) {
      points[p * dims + j] = rule.nodes[idx[j]!]!;
      w *= rule.weights[idx[j]!]!;
    }
    weights[p] = w;
    for (let j = dims - 1; j >= 0; j--) {
      idx[j]!++;
      if (idx[j]! < K) break;
      idx[j] = 0;
    }
  }
  return { points, weights, count };
}
