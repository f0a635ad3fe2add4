// Dense factorization kernels: determinant by LU with partial pivoting, inverse by Gauss–Jordan.

/** Scratch reused across calls (JS runs one kernel at a time); grows once. */
let work = new Float64Array(0);

function scratch(size: number): Float64Array {
  if (work.length < size) work = new Float64Array(size);
  return work;
}

/**
 * The row of rows [col, n) of m (row stride `stride`) whose entry in column col is largest in
 * magnitude, the first of equals: partial pivoting, which bounds the elimination multipliers by 1.
 */
function pivotRow(m: Float64Array, stride: number, col: number, n: number): number {
  let piv = col;
  let best = Math.abs(m[col * stride + col]!);
  for (let r = col + 1; r < n; r++) {
    const v = Math.abs(m[r * stride + col]!);
    if (v > best) {
      best = v;
      piv = r;
    }
  }
  return piv;
}

/** Swaps rows i and j of m (row stride `stride`) over columns [from, to). */
function swapRows(m: Float64Array, stride: number, i: number, j: number, from: number, to: number): void {
  for (let q = from; q < to; q++) {
    const t = m[i * stride + q]!;
    m[i * stride + q] = m[j * stride + q]!;
    m[j * stride + q] = t;
  }
}

/**
 * det of the n × n matrix at a[off..]: LU with partial pivoting (PA = LU, det = ±∏ U_ii, the sign
 * flipping at each row swap). An exactly singular matrix gives 0.
 */
export function determinant(a: Float64Array, off: number, n: number): number {
  if (n === 0) return 1;
  const lu = scratch(n * n);
  for (let i = 0; i < n * n; i++) lu[i] = a[off + i]!;
  let det = 1;
  for (let col = 0; col < n; col++) {
    const piv = pivotRow(lu, n, col, n);
    if (lu[piv * n + col] === 0) return 0;
    if (piv !== col) {
      swapRows(lu, n, col, piv, col, n);
      det = -det;
    }
    const d = lu[col * n + col]!;
    det *= d;
    for (let r = col + 1; r < n; r++) {
      const f = lu[r * n + col]! / d;
      if (f === 0) continue;
      for (let q = col + 1; q < n; q++) lu[r * n + q] = lu[r * n + q]! - f * lu[col * n + q]!;
    }
  }
  return det;
}

/**
 * Writes inv(A) (or inv(A)ᵀ when `transpose`) of the n × n matrix at a[aOff..] to out[oOff..]:
 * Gauss–Jordan elimination with partial pivoting on [A | I]. A singular matrix gives NaN everywhere.
 */
export function inverse(a: Float64Array, aOff: number, out: Float64Array, oOff: number, n: number, transpose: boolean): void {
  const w = 2 * n;
  const m = scratch(n * w);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      m[i * w + j] = a[aOff + i * n + j]!;
      m[i * w + n + j] = i === j ? 1 : 0;
    }
  }
  for (let col = 0; col < n; col++) {
    const piv = pivotRow(m, w, col, n);
    if (m[piv * w + col] === 0) {
      for (let i = 0; i < n * n; i++) out[oOff + i] = NaN;
      return;
    }
    if (piv !== col) swapRows(m, w, col, piv, 0, w);
    // scale the pivot row to 1, then clear the column in every other row
    const d = 1 / m[col * w + col]!;
    for (let q = 0; q < w; q++) m[col * w + q] = m[col * w + q]! * d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r * w + col]!;
      if (f === 0) continue;
      for (let q = 0; q < w; q++) m[r * w + q] = m[r * w + q]! - f * m[col * w + q]!;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = m[i * w + n + j]!;
      if (transpose) out[oOff + j * n + i] = v;
      else out[oOff + i * n + j] = v;
    }
  }
}

/**
 * log |det A| of the n × n matrix at a[off..] by LU with partial pivoting: Σ log |U_ii|, which
 * neither overflows nor underflows where det itself would. An exactly singular matrix gives -∞.
 */
export function logAbsDeterminant(a: Float64Array, off: number, n: number): number {
  const lu = scratch(n * n);
  for (let i = 0; i < n * n; i++) lu[i] = a[off + i]!;
  let sum = 0;
  for (let col = 0; col < n; col++) {
    const piv = pivotRow(lu, n, col, n);
    if (lu[piv * n + col] === 0) return -Infinity;
    if (piv !== col) swapRows(lu, n, col, piv, col, n);
    const d = lu[col * n + col]!;
    sum += Math.log(Math.abs(d));
    for (let r = col + 1; r < n; r++) {
      const f = lu[r * n + col]! / d;
      if (f === 0) continue;
      for (let q = col + 1; q < n; q++) lu[r * n + q] = lu[r * n + q]! - f * lu[col * n + q]!;
    }
  }
  return sum;
}

/**
 * Solves A X = B (or Aᵀ X = B when `transpose`) for the n × n matrix at a[aOff..] and the n × k
 * matrix at b[bOff..], writing X to out[oOff..]: Gaussian elimination with partial pivoting on
 * [A | B], then back substitution. A singular A gives NaN everywhere.
 */
export function solveLinear(
  a: Float64Array, aOff: number, b: Float64Array, bOff: number, out: Float64Array, oOff: number,
  n: number, k: number, transpose: boolean,
): void {
  const w = n + k;
  const m = scratch(n * w);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * w + j] = transpose ? a[aOff + j * n + i]! : a[aOff + i * n + j]!;
    for (let j = 0; j < k; j++) m[i * w + n + j] = b[bOff + i * k + j]!;
  }
  for (let col = 0; col < n; col++) {
    const piv = pivotRow(m, w, col, n);
    if (m[piv * w + col] === 0) {
      for (let i = 0; i < n * k; i++) out[oOff + i] = NaN;
      return;
    }
    if (piv !== col) swapRows(m, w, col, piv, col, w);
    const d = m[col * w + col]!;
    for (let r = col + 1; r < n; r++) {
      const f = m[r * w + col]! / d;
      if (f === 0) continue;
      for (let q = col + 1; q < w; q++) m[r * w + q] = m[r * w + q]! - f * m[col * w + q]!;
    }
  }
  for (let j = 0; j < k; j++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = m[i * w + n + j]!;
      for (let q = i + 1; q < n; q++) s -= m[i * w + q]! * out[oOff + q * k + j]!;
      out[oOff + i * k + j] = s / m[i * w + i]!;
    }
  }
}
