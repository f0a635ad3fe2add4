// The score-matching population loss L(μ) = E_{x ~ N(0, I)} |Σ_i w_i(x) μ_i|², w = softmax_i(x·μ_i − |μ_i|²/2),
// computed by quadrature from logged means, independently of descent (which trains on batches).
//
// Late in an M = 6 run the far means sit near (7.5, 0, 0) and the near one at the truth, so the
// integrand switches sharply across the plane x·u = const, u the direction between them (width
// ~1/7). Gauss–Hermite on the original axes cannot resolve that edge (the model file says so);
// here the axes are rotated so that u is the first one, which gets a fine trapezoid rule against
// the N(0, 1) density (exponentially accurate for smooth integrands, and the edge is resolved at
// step h), and the two transverse axes get Gauss–Hermite nodes (the integrand is smooth across).

/** Gauss–Hermite nodes and weights for N(0, 1): Σ w_k f(x_k) ≈ E f(X). Newton on the orthonormal recurrence. */
export function gaussHermite(n) {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const m = (n + 1) >> 1;
  let z = 0;
  for (let i = 0; i < m; i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** -0.16667;
    else if (i === 1) z -= (1.14 * n ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0];
    else if (i === 3) z = 1.91 * z - 0.91 * x[1];
    else z = 2 * z - x[i - 2];
    let pp = 1;
    for (let it = 0; it < 100; it++) {
      // orthonormal Hermite polynomials for the weight e^{−z²}
      let p1 = Math.PI ** -0.25;
      let p2 = 0;
      for (let j = 0; j < n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / (j + 1)) * p2 - Math.sqrt(j / (j + 1)) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-14 * Math.max(1, Math.abs(z))) break;
    }
    x[i] = z;
    x[n - 1 - i] = -z;
    w[i] = 2 / (pp * pp);
    w[n - 1 - i] = w[i];
  }
  // e^{−z²} → N(0, 1): x = √2 z, weights / √π
  return { x: Array.from(x, (v) => Math.SQRT2 * v), w: Array.from(w, (v) => v / Math.sqrt(Math.PI)) };
}

const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
const norm = (a) => Math.sqrt(dot(a, a));

/** An orthonormal basis of R^3 whose first vector is along `u` (e₁ if u is ~0). */
function basis(u) {
  const n0 = norm(u);
  const e1 = n0 > 1e-12 ? u.map((v) => v / n0) : [1, 0, 0];
  const pick = Math.abs(e1[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const p = dot(pick, e1);
  const e2raw = pick.map((v, i) => v - p * e1[i]);
  const e2 = e2raw.map((v) => v / norm(e2raw));
  const e3 = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
  return [e1, e2, e3];
}

/** L(μ) for means μ (n × 3); see populationStats. */
export function populationLoss(mu, grid = {}) {
  return populationStats(mu, grid).loss;
}

/**
 * L(μ) for means μ (n × 3), and `far`, the expected total responsibility E[Σ_i w_i(x)] of the
 * means farther than 0.5 from the truth (the share of the data the unconverged means explain):
 * trapezoid with step `h` over [−10, 10] along the axis between the nearest and the farthest
 * mean, `k` Gauss–Hermite nodes on each transverse axis.
 */
export function populationStats(mu, { h = 0.02, k = 10 } = {}) {
  const norms = mu.map(norm);
  const far = norms.indexOf(Math.max(...norms));
  const near = norms.indexOf(Math.min(...norms));
  const [e1, e2, e3] = basis(mu[far].map((v, i) => v - mu[near][i]));
  const a = mu.map((m) => dot(m, e1));
  const b = mu.map((m) => dot(m, e2));
  const c = mu.map((m) => dot(m, e3));
  const half = mu.map((m) => 0.5 * dot(m, m));
  const isFar = norms.map((v) => v >= 0.5);
  const gh = gaussHermite(k);
  const n = mu.length;
  const l = new Float64Array(n);
  let total = 0;
  let farTotal = 0;
  const steps = Math.round(20 / h);
  for (let s = 0; s <= steps; s++) {
    const t = -10 + s * h;
    const wt = ((s === 0 || s === steps ? 0.5 : 1) * h * Math.exp(-0.5 * t * t)) / Math.sqrt(2 * Math.PI);
    for (let p = 0; p < k; p++) {
      for (let q = 0; q < k; q++) {
        const y = gh.x[p];
        const z = gh.x[q];
        let top = -Infinity;
        for (let i = 0; i < n; i++) {
          l[i] = t * a[i] + y * b[i] + z * c[i] - half[i];
          if (l[i] > top) top = l[i];
        }
        let sum = 0;
        let va = 0;
        let vb = 0;
        let vc = 0;
        let farSum = 0;
        for (let i = 0; i < n; i++) {
          const e = Math.exp(l[i] - top);
          sum += e;
          va += e * a[i];
          vb += e * b[i];
          vc += e * c[i];
          if (isFar[i]) farSum += e;
        }
        const wq = wt * gh.w[p] * gh.w[q];
        total += wq * ((va * va + vb * vb + vc * vc) / (sum * sum));
        farTotal += wq * (farSum / sum);
      }
    }
  }
  return { loss: total, far: farTotal };
}
