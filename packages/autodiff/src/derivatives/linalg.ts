// Derivative rules of the linear-algebra primitives (matmul, norm, det, inv), the factorizations and the ReLU kernel.
import type { RulesOf } from '../derivative.js';
import { add, angle, arcSlope, div, ge, gt, le, maximum, minimum, mul, neg, norm, reshape, sin, sqrt, sub, sumToShape, swapAxes, where } from '../ops.js';
import { decompPrimitives } from '../primitives/decomp.js';
import { linalgPrimitives } from '../primitives/linalg.js';
import type { specialPrimitives } from '../primitives/special.js';
import { apply, constant, type Tensor } from '../tensor.js';
import { expandReduced } from './reduce.js';

/** A matmul node op(a)·op(b) (rank >= 2 inputs): the rules use transpose flags instead of copies. */
function mm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  return apply(linalgPrimitives.matmul, [a, b], { transA, transB });
}

/** The n × n matrix with `value(i, j)` at (i, j), as a constant. */
function constMatrix(n: number, value: (i: number, j: number) => number): Tensor {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = value(i, j);
  return constant(data, [n, n]);
}

/** Reverses the last axis of x [..., n]: a product with the exchange matrix (no derivative code needed). */
function flipLast(x: Tensor): Tensor {
  const n = x.shape[x.rank - 1]!;
  const row = reshape(x, [...x.shape.slice(0, -1), 1, n]);
  return reshape(mm(row, constMatrix(n, (i, j) => (i + j === n - 1 ? 1 : 0))), x.shape);
}

/** x [..., n] as the row [..., 1, n], so that M * row scales the columns of M. */
function asRow(x: Tensor): Tensor {
  return reshape(x, [...x.shape.slice(0, -1), 1, x.shape[x.rank - 1]!]);
}

export const linalgRules: RulesOf<typeof linalgPrimitives> = {
  /**
   * With C = op(A)·op(B) and cotangent G: d op(A) = G·op(B)ᵀ and d op(B) = op(A)ᵀ·G; each is
   * written as one matmul whose flags absorb the transposes (no transpose copies). Broadcast batch
   * axes are summed away here, since the gradient then has neither the input's nor the output's shape.
   */
  matmul: (g, _out, [a, b], { transA, transB }) => {
    // A stored as op(A) gets G·op(B)ᵀ; stored transposed it gets (G·op(B)ᵀ)ᵀ = op(B)·Gᵀ
    const da = transA ? mm(b!, g, transB, true) : mm(g, b!, false, !transB);
    // B stored as op(B) gets op(A)ᵀ·G; stored transposed it gets Gᵀ·op(A)
    const db = transB ? mm(g, a!, true, transA) : mm(a!, g, !transA, false);
    return [sumToShape(da, a!.shape, 'matmul'), sumToShape(db, b!.shape, 'matmul')];
  },
  /**
   * d|x| = x / |x|, written as g·x / where(|x| > 0, |x|, 1): at x = 0 the numerator is 0, so the
   * gradient there is 0, not NaN.
   */
  norm: (g, out, [x], { axes }) => {
    const safe = where(gt(out, 0), out, 1);
    return [mul(x!, expandReduced(div(g, safe), x!, axes))];
  },
  // d det(A) = det(A)·inv(A)ᵀ, read straight from inv with its transpose flag
  det: (g, out, [a]) => {
    const invT = apply(linalgPrimitives.inv, [a!], { transpose: true });
    const scale = reshape(mul(g, out), [...out.shape, 1, 1]);
    return [mul(scale, invT)];
  },
  // with Y = inv(A): dY = -Y·dA·Y, so dA = -Yᵀ·G·Yᵀ; for Y = inv(A)ᵀ it is dA = -Y·Gᵀ·Y
  inv: (g, y, _inputs, { transpose }) => [
    neg(transpose ? mm(mm(y, g, false, true), y, false, false) : mm(mm(y, g, true, false), y, false, true)),
  ],
};

export const decompRules: RulesOf<typeof decompPrimitives> = {
  // X = A⁻¹B: dB = A⁻ᵀG and dA = −dB·Xᵀ; for X = A⁻ᵀB: dB = A⁻¹G and dA = −X·dBᵀ
  solve: (g, x, [a], { transpose }) => {
    const db = apply(decompPrimitives.solve, [a!, g], { transpose: !transpose });
    return [neg(transpose ? mm(x, db, false, true) : mm(db, x, false, true)), db];
  },
  // d logdet = inv(A)ᵀ
  logdet: (g, out, [a]) => [mul(reshape(g, [...out.shape, 1, 1]), apply(linalgPrimitives.inv, [a!], { transpose: true }))],
  /**
   * With V the eigenvectors, dλ_j = v_jᵀ dS v_j, so dS = V diag(ḡ) Vᵀ (exact where the eigenvalues
   * are distinct); V comes from the eigvecsh primitive, whose own rule gives the second derivative.
   */
  eigvalsh: (g, _out, [s]) => {
    const v = apply(decompPrimitives.eigvecsh, [s!], undefined);
    return [mm(mul(v, asRow(g)), v, false, true)];
  },
  /**
   * With F_ij = 1/(λ_j − λ_i) off the diagonal and 0 on it, dV = V (F ∘ VᵀdA V) for symmetric
   * dA, so the rule is dS = sym(V (F ∘ VᵀV̄) Vᵀ).
   */
  eigvecsh: (g, v, [s]) => {
    const n = v.shape[v.rank - 1]!;
    const lambda = apply(decompPrimitives.eigvalsh, [s!], undefined);
    const gaps = sub(asRow(lambda), reshape(lambda, [...lambda.shape, 1])); // λ_j − λ_i
    // 1/(λ_j − λ_i) off the diagonal; the diagonal's gap is replaced by 1 and then masked to 0
    const f = div(constMatrix(n, (i, j) => (i === j ? 0 : 1)), add(gaps, constMatrix(n, (i, j) => (i === j ? 1 : 0))));
    const full = mm(mm(v, mul(f, mm(v, g, true, false))), v, false, true);
    return [mul(0.5, add(full, swapAxes(full, -1, -2)))];
  },
  /**
   * With A = U Σ Vᵀ the rule is dA = U diag(ḡ) Vᵀ, written as A W diag(ḡ/σ) Wᵀ with W the
   * eigenvectors of AᵀA (or W diag(ḡ/σ) Wᵀ A with those of AAᵀ when m < n), so it is
   * differentiable again; a zero singular value contributes nothing (its direction is not unique).
   */
  svdvals: (g, sigma, [a]) => {
    const tall = a!.shape[a!.rank - 2]! >= a!.shape[a!.rank - 1]!;
    const ascending = flipLast(sigma);
    const positive = gt(ascending, 0);
    const scale = asRow(where(positive, div(flipLast(g), where(positive, ascending, 1)), 0));
    if (tall) {
      const w = apply(decompPrimitives.eigvecsh, [mm(a!, a!, true, false)], undefined);
      return [mm(mm(a!, mul(w, scale)), w, false, true)];
    }
    const u = apply(decompPrimitives.eigvecsh, [mm(a!, a!, false, true)], undefined);
    return [mm(mm(mul(u, scale), u, false, true), a!)];
  },
};

const TWO_PI = 2 * Math.PI;

/** The gradient at x of f(clamp(x, -1, 1)), given f's at c: masked as the maximum and minimum rules mask it. */
function throughClamp(x: Tensor, atC: (c: Tensor) => Tensor): Tensor {
  const m = maximum(x, -1);
  const c = minimum(m, 1);
  return mul(mul(atC(c), le(m, 1)), ge(x, -1));
}

export const specialRules: RulesOf<typeof specialPrimitives> = {
  /**
   * ∂/∂a = (1/2π) ((π − θ) b + sin θ · |b| a/|a|),   ∂/∂b symmetric.
   * (J(θ) = sin θ + (π − θ) cos θ has J' = −(π − θ) sin θ, and the 1/sin θ of dθ cancels it.)
   * At a = 0 the a/|a| term is taken as 0 and θ as π/2, so the gradient there is b/4: finite.
   * The rule is written with ops (norm, angle, sin) so it can be differentiated again; that second
   * derivative goes through acos and is only finite away from a ∥ b.
   */
  reluKernel: (g, _out, [a, b]) => {
    const na = norm(a!, -1, { keepDims: true });
    const nb = norm(b!, -1, { keepDims: true });
    const theta = reshape(angle(a!, b!), [...g.shape, 1]);
    const gk = reshape(div(g, TWO_PI), [...g.shape, 1]);
    const rest = sub(Math.PI, theta);
    const s = sin(theta);
    // unit vectors, 0 for a zero vector (a / 1 = 0 there)
    const unit = (x: Tensor, n: Tensor): Tensor => div(x, where(gt(n, 0), n, 1));
    const da = mul(gk, add(mul(rest, b!), mul(mul(s, nb), unit(a!, na))));
    const db = mul(gk, add(mul(rest, a!), mul(mul(s, na), unit(b!, nb))));
    return [sumToShape(da, a!.shape, 'reluKernel'), sumToShape(db, b!.shape, 'reluKernel')];
  },
  // d(π − acos c) = 1 / sqrt(1 - c²) at c = clamp(x, -1, 1), through the clamp's masks as the
  // maximum and minimum rules give them (1 inside [-1, 1], 0 outside: NaN there, as the composed rules give)
  arcSlopeClamped: (g, _out, [x]) => [throughClamp(x!, (c) => div(g, sqrt(sub(1, mul(c, c)))))],
  // h'(c) = π − acos c
  arcKernelClamped: (g, _out, [x]) => [throughClamp(x!, (c) => mul(g, arcSlope(c)))],
  // the masks are constant where they are differentiable: the slope's rule
  arcSlopeMasked: (g, _out, [x]) => [throughClamp(x!, (c) => div(g, sqrt(sub(1, mul(c, c)))))],
  // sqrt(1 − c²) + s·c as a function of both (inside [-1, 1]; constant outside):
  // ∂/∂x = −c/sqrt(1 − c²) + s, ∂/∂s = c (with s = arcSlopeMasked(x) the total is π − acos c)
  arcKernelFromMasked: (g, _out, [x, s]) => [
    throughClamp(x!, (c) => mul(g, add(neg(div(c, sqrt(sub(1, mul(c, c))))), s!))),
    throughClamp(x!, (c) => mul(g, c)),
  ],
};
