// Symmetric eigendecomposition (Householder tridiagonalization + implicit QL) and singular values
// (one-sided Jacobi): the kernels of eigvalsh, eigvecsh, svdvals and the dense Hessian spectrum.

/** Scratch reused across calls (one kernel runs at a time per thread); grows, never shrinks. */
const scratch = { v: new Float64Array(0), e: new Float64Array(0), u: new Float64Array(0), s: new Float64Array(0) };

function grow(key: keyof typeof scratch, size: number): Float64Array {
  if (scratch[key].length < size) scratch[key] = new Float64Array(size);
  return scratch[key];
}

/**
 * Eigenvalues (ascending, into `values`) and, when `vectors` is given, orthonormal eigenvectors
 * (column j of the row-major n × n `vectors` belongs to values[j]) of the symmetric part
 * (A + Aᵀ)/2 of the n × n matrix at a[off..].
 *
 * The classic tred2/tql2 pair (Wilkinson & Reinsch, Handbook for Automatic Computation II, as in
 * EISPACK and JAMA): orthogonal similarity to tridiagonal form, then QL iterations with implicit
 * Wilkinson shifts. Backward stable: each eigenvalue is exact for a matrix within a few ulps of
 * the input's norm. Each eigenvector's largest entry is made positive, so the vectors are a
 * continuous function of A wherever the eigenvalues are distinct (the derivative rules need that).
 */
export function symmetricEigen(a: Float64Array, off: number, n: number, values: Float64Array, vectors?: Float64Array): void {
  if (!allFinite(a, off, n * n)) {
    // a diverged input: NaN out, as elementwise kernels would give, instead of iterating forever
    values.fill(NaN, 0, n);
    vectors?.fill(NaN, 0, n * n);
    return;
  }
  const V = vectors ?? grow('v', n * n);
  const e = grow('e', n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) V[i * n + j] = 0.5 * (a[off + i * n + j]! + a[off + j * n + i]!);
  tridiagonalize(V, n, values, e);
  tridiagonalQL(V, n, values, e);
  sortAscending(V, n, values);
  if (vectors) for (let j = 0; j < n; j++) fixSign(V, n, j);
}

function allFinite(a: Float64Array, off: number, count: number): boolean {
  for (let i = off; i < off + count; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/** Householder reduction of the symmetric V to tridiagonal form: diagonal d, subdiagonal e[1..]; V becomes the transform. */
function tridiagonalize(V: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j]!;
  for (let i = n - 1; i > 0; i--) {
    // scale to avoid under/overflow
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j]!;
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // apply the similarity transformation to the remaining columns
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        V[j * n + i] = f;
        g = e[j]! + V[j * n + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j]! * d[k]!;
          e[k] = e[k]! + V[k * n + j]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) V[k * n + j] = V[k * n + j]! - (f * e[k]! + g * d[k]!);
        d[j] = V[(i - 1) * n + j]!;
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // accumulate the transformations
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i]!;
    V[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1]! * V[k * n + j]!;
        for (let k = 0; k <= i; k++) V[k * n + j] = V[k * n + j]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j]!;
    V[(n - 1) * n + j] = 0;
  }
  if (n > 0) V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), accumulating rotations into V; d ends as the eigenvalues. */
function tridiagonalQL(V: Float64Array | undefined, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    // find a small subdiagonal element
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      for (let iter = 0; ; iter++) {
        if (iter > 60 * n) throw new Error('symmetric eigensolver: the QL iteration did not converge');
        // compute the implicit shift
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        // implicit QL transformation
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (V) for (let k = 0; k < n; k++) {
            const vk1 = V[k * n + i + 1]!;
            const vk = V[k * n + i]!;
            V[k * n + i + 1] = s * vk + c * vk1;
            V[k * n + i] = c * vk - s * vk1;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]!) > eps * tst1)) break;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/**
 * Eigenvalues only, ascending, of the symmetric n × n matrix at a[off..] (its lower triangle is
 * read), in O(n³) with row-contiguous access: Householder tridiagonalization A ← (I − βvvᵀ) A
 * (I − βvvᵀ) applied as the symmetric rank-2 update A −= v wᵀ + w vᵀ with w = p − (βpᵀv/2) v,
 * p = βAv (Golub & Van Loan, algorithm 8.3.1), then QL without accumulating vectors. The path
 * for dense Hessians: several times faster than the vector-accumulating one at n in the thousands.
 */
export function symmetricEigenvaluesOnly(a: Float64Array, off: number, n: number, values: Float64Array): void {
  if (!allFinite(a, off, n * n)) {
    values.fill(NaN, 0, n);
    return;
  }
  const A = grow('v', n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = a[off + i * n + j]!;
  const e = grow('e', n);
  const v = grow('u', 2 * n);
  const p = v.subarray(n, 2 * n);
  for (let k = 0; k < n - 2; k++) {
    // x = A[k+1.., k] (the lower triangle's column k, read from row i at column k)
    let sigma = 0;
    for (let i = k + 2; i < n; i++) sigma += A[i * n + k]! * A[i * n + k]!;
    const x0 = A[(k + 1) * n + k]!;
    values[k] = A[k * n + k]!;
    if (sigma === 0) {
      e[k + 1] = x0;
      continue;
    }
    const mu = Math.sqrt(x0 * x0 + sigma);
    const v0 = x0 <= 0 ? x0 - mu : -sigma / (x0 + mu);
    const beta = (2 * v0 * v0) / (sigma + v0 * v0);
    e[k + 1] = x0 <= 0 ? mu : -mu;
    v[k + 1] = 1;
    for (let i = k + 2; i < n; i++) v[i] = A[i * n + k]! / v0;
    // p = β A v over the trailing block, from its lower triangle
    for (let i = k + 1; i < n; i++) p[i] = 0;
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      let s = 0;
      const vi = v[i]!;
      for (let j = k + 1; j < i; j++) {
        const aij = A[row + j]!;
        s += aij * v[j]!;
        p[j] = p[j]! + aij * vi;
      }
      p[i] = p[i]! + s + A[row + i]! * vi;
    }
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      p[i] = beta * p[i]!;
      pv += p[i]! * v[i]!;
    }
    const c = (beta * pv) / 2;
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - c * v[i]!; // p is now w
    for (let i = k + 1; i < n; i++) {
      const row = i * n;
      const vi = v[i]!;
      const wi = p[i]!;
      for (let j = k + 1; j <= i; j++) A[row + j] = A[row + j]! - vi * p[j]! - wi * v[j]!;
    }
  }
  if (n >= 2) {
    values[n - 2] = A[(n - 2) * n + n - 2]!;
    e[n - 1] = A[(n - 1) * n + n - 2]!;
  }
  if (n >= 1) values[n - 1] = A[(n - 1) * n + n - 1]!;
  e[0] = 0;
  tridiagonalQL(undefined, n, values, e);
  values.subarray(0, n).sort();
}

/** Selection sort of the eigenvalues, ascending, moving the eigenvector columns with them. */
function sortAscending(V: Float64Array, n: number, d: Float64Array): void {
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      for (let r = 0; r < n; r++) {
        const t = V[r * n + i]!;
        V[r * n + i] = V[r * n + k]!;
        V[r * n + k] = t;
      }
    }
  }
}

/** Flips column j of V so that its entry of largest magnitude (the first of equals) is positive. */
function fixSign(V: Float64Array, n: number, j: number): void {
  let best = 0;
  for (let r = 1; r < n; r++) if (Math.abs(V[r * n + j]!) > Math.abs(V[best * n + j]!)) best = r;
  if (V[best * n + j]! < 0) for (let r = 0; r < n; r++) V[r * n + j] = -V[r * n + j]!;
}

/**
 * Singular values, descending, of the m × n matrix at a[off..] into out[oOff..oOff + min(m, n)):
 * one-sided Jacobi (Hestenes) on the columns of A (or of Aᵀ when m < n), which computes small
 * singular values to high relative accuracy, unlike the eigenvalues of AᵀA.
 */
export function singularValues(a: Float64Array, off: number, m: number, n: number, out: Float64Array, oOff: number): void {
  if (!allFinite(a, off, m * n)) {
    out.fill(NaN, oOff, oOff + Math.min(m, n));
    return;
  }
  const tall = m >= n;
  const rows = tall ? m : n;
  const cols = tall ? n : m;
  // column-major copy: column j is u[j * rows .. (j + 1) * rows)
  const u = grow('u', rows * cols);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const v = a[off + i * n + j]!;
      if (tall) u[j * rows + i] = v;
      else u[i * rows + j] = v;
    }
  }
  const tol = Number.EPSILON * rows;
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < rows; i++) {
          const up = u[p * rows + i]!;
          const uq = u[q * rows + i]!;
          alpha += up * up;
          beta += uq * uq;
          gamma += up * uq;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // the rotation that makes columns p and q orthogonal
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.hypot(1, zeta));
        const c = 1 / Math.hypot(1, t);
        const s = c * t;
        for (let i = 0; i < rows; i++) {
          const up = u[p * rows + i]!;
          const uq = u[q * rows + i]!;
          u[p * rows + i] = c * up - s * uq;
          u[q * rows + i] = s * up + c * uq;
        }
      }
    }
    if (!rotated) break;
  }
  const sv = grow('s', cols).subarray(0, cols);
  for (let j = 0; j < cols; j++) {
    let ss = 0;
    for (let i = 0; i < rows; i++) ss += u[j * rows + i]! * u[j * rows + i]!;
    sv[j] = Math.sqrt(ss);
  }
  sv.sort();
  for (let j = 0; j < cols; j++) out[oOff + j] = sv[cols - 1 - j]!;
}
