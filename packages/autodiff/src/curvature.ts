// The spectrum and trace of a Hessian known only through Hessian-vector products: dense and
// exact up to a size, Lanczos and Hutchinson above it.
import { symmetricEigen, symmetricEigenvaluesOnly } from './kernels/eigen.js';
import { Random } from './random.js';

/** out = H v for the n × n symmetric H; `v` and `out` have length n and must not be kept. */
export type HessianVectorProduct = (v: Float64Array, out: Float64Array) => void;

/** Sizes up to this use the dense Hessian (n products and a symmetric eigensolver). */
export const DENSE_HESSIAN_LIMIT = 2048;

export interface CurvatureOptions {
  /** 'auto' (default): dense up to DENSE_HESSIAN_LIMIT values, iterative above. */
  readonly method?: 'auto' | 'dense' | 'iterative';
  /** Relative accuracy of Lanczos's eigenvalues (default 1e-6). */
  readonly tolerance?: number;
  /** Seeds Lanczos's start vector and Hutchinson's probes. */
  readonly seed?: number | string;
}

export interface HessianEigs {
  /** The k largest eigenvalues, descending. */
  readonly values: Float64Array;
  readonly method: 'dense' | 'lanczos';
  /** Hessian-vector products used. */
  readonly products: number;
  /** Lanczos: the largest residual bound |β s| relative to its eigenvalue (0 for dense). */
  readonly relativeError: number;
}

export interface HessianTrace {
  readonly value: number;
  readonly method: 'dense' | 'hutchinson';
  readonly products: number;
  /** Hutchinson: the standard error of the estimate (0 for dense). */
  readonly standardError: number;
}

function useDense(n: number, options: CurvatureOptions): boolean {
  const method = options.method ?? 'auto';
  return method === 'dense' || (method === 'auto' && n <= DENSE_HESSIAN_LIMIT);
}

/** The dense n × n Hessian, column j = H e_j, symmetrized (products are symmetric only to rounding). */
export function denseHessian(hvp: HessianVectorProduct, n: number): Float64Array {
  const h = new Float64Array(n * n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    hvp(e, col);
    e[j] = 0;
    for (let i = 0; i < n; i++) h[i * n + j] = col[i]!;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (h[i * n + j]! + h[j * n + i]!);
      h[i * n + j] = s;
      h[j * n + i] = s;
    }
  }
  return h;
}

/** All eigenvalues of the symmetric n × n matrix `h`, ascending. */
export function symmetricEigenvalues(h: Float64Array, n: number): Float64Array {
  const values = new Float64Array(n);
  symmetricEigenvaluesOnly(h, 0, n, values);
  return values;
}

/** The k largest eigenvalues of H, descending: dense (exact to rounding) or Lanczos. */
export function hessianEigs(hvp: HessianVectorProduct, n: number, k: number, options: CurvatureOptions = {}): HessianEigs {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`hessian_eigs: k must be an integer in [1, ${n}], got ${k}`);
  if (useDense(n, options)) {
    const all = symmetricEigenvalues(denseHessian(hvp, n), n);
    return { values: all.reverse().slice(0, k), method: 'dense', products: n, relativeError: 0 };
  }
  return lanczos(hvp, n, k, options.tolerance ?? 1e-6, options.seed ?? 0);
}

/** The trace of H: exact from the dense Hessian's diagonal, or Hutchinson's estimate with its standard error. */
export function hessianTrace(hvp: HessianVectorProduct, n: number, options: CurvatureOptions = {}): HessianTrace {
  const out = new Float64Array(n);
  if (useDense(n, options)) {
    // the diagonal alone: H_jj = (H e_j)_j
    const e = new Float64Array(n);
    let trace = 0;
    for (let j = 0; j < n; j++) {
      e[j] = 1;
      hvp(e, out);
      e[j] = 0;
      trace += out[j]!;
    }
    return { value: trace, method: 'dense', products: n, standardError: 0 };
  }
  // E[zᵀHz] = tr H for Rademacher z; probes until the standard error is 1e-3 of the estimate (16 to 256)
  const rng = new Random(`${options.seed ?? 0}/hutchinson`);
  const z = new Float64Array(n);
  let count = 0;
  let mean = 0;
  let m2 = 0; // Welford's running sum of squared deviations
  while (count < 256) {
    for (let i = 0; i < n; i++) z[i] = rng.uniform() < 0.5 ? -1 : 1;
    hvp(z, out);
    let q = 0;
    for (let i = 0; i < n; i++) q += z[i]! * out[i]!;
    count++;
    const delta = q - mean;
    mean += delta / count;
    m2 += delta * (q - mean);
    const se = count > 1 ? Math.sqrt(m2 / (count - 1) / count) : Infinity;
    if (count >= 16 && se <= 1e-3 * Math.abs(mean)) break;
  }
  return { value: mean, method: 'hutchinson', products: count, standardError: Math.sqrt(m2 / Math.max(1, count - 1) / count) };
}

/**
 * Lanczos with full reorthogonalization from a seeded random start. After each step the Ritz
 * values of the tridiagonal T_j are computed; each is within |β_j s_ji| of an eigenvalue of H
 * (s_ji the last entry of its Ritz vector), and the iteration stops when that bound is within
 * `tolerance` of each of the k largest.
 */
function lanczos(hvp: HessianVectorProduct, n: number, k: number, tolerance: number, seed: number | string): HessianEigs {
  const maxSteps = Math.min(n, 400);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  const rng = new Random(`${seed}/lanczos`);
  let q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = rng.normal();
  scale(q, 1 / norm(q));
  const w = new Float64Array(n);
  let result: HessianEigs | undefined;
  for (let j = 0; j < maxSteps; j++) {
    basis.push(q);
    hvp(q, w);
    alpha.push(dotProduct(q, w));
    // full reorthogonalization, twice ("twice is enough"), against every basis vector
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dotProduct(b, w);
        for (let i = 0; i < n; i++) w[i] = w[i]! - c * b[i]!;
      }
    }
    const b = norm(w);
    beta.push(b);
    const m = alpha.length;
    if (m >= k) {
      const ritz = ritzValues(alpha, beta, m, k);
      const converged = ritz.bounds.every((r, i) => r <= tolerance * Math.abs(ritz.values[i]!));
      result = { values: ritz.values, method: 'lanczos', products: m, relativeError: Math.max(...ritz.bounds.map((r, i) => r / Math.abs(ritz.values[i]!))) };
      if (converged || b === 0) return result;
    }
    if (b === 0) break;
    q = new Float64Array(n);
    for (let i = 0; i < n; i++) q[i] = w[i]! / b;
  }
  if (result === undefined) throw new RangeError('hessian_eigs: Lanczos ran no step');
  return result;
}

/** The k largest Ritz values of the m × m tridiagonal (alpha, beta), descending, with their residual bounds. */
function ritzValues(alpha: number[], beta: number[], m: number, k: number): { values: Float64Array; bounds: number[] } {
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i]!;
    if (i + 1 < m) {
      t[i * m + i + 1] = beta[i]!;
      t[(i + 1) * m + i] = beta[i]!;
    }
  }
  const theta = new Float64Array(m);
  const s = new Float64Array(m * m);
  symmetricEigen(t, 0, m, theta, s);
  const values = new Float64Array(k);
  const bounds: number[] = [];
  for (let r = 0; r < k; r++) {
    const col = m - 1 - r;
    values[r] = theta[col]!;
    bounds.push(Math.abs(beta[m - 1]! * s[(m - 1) * m + col]!));
  }
  return { values, bounds };
}

function dotProduct(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dotProduct(a, a));
}

function scale(a: Float64Array, c: number): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! * c;
}
