// Fused, numerically stable softmax and log-softmax loops: a max pass, an exp-sum pass, a normalize pass.
import { fastExp } from './fast-exp.js';
import { selectedKernel } from './registry.js';
import type { Kernel } from '../primitive.js';
import { sizeOf, type Shape } from '../shape.js';

/**
 * The layout of a softmax over `axis` of `shape`: O outer blocks, each N along the axis times K
 * trailing elements (K = 1 when the axis is last, the common case).
 */
function layout(shape: Shape, axis: number): { O: number; N: number; K: number } {
  return { O: sizeOf(shape.slice(0, axis)), N: shape[axis]!, K: sizeOf(shape.slice(axis + 1)) };
}

/**
 * softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m) with m = max_j x_j, so no exp overflows;
 * log: log softmax(x)_i = x_i - m - log sum_j exp(x_j - m). A row of -inf gives NaN, as in numpy,
 * or 0s with `emptyAsZero` (softmax only: the gradient of logsumexp there).
 * `lse` (softmax over the last axis only): also store each row's logsumexp m + log sum there,
 * as the logsumexp kernel gives it (a row whose max is ±inf gives that max).
 */
export function softmaxKernel(shape: Shape, axis: number, log: boolean, lse?: Float64Array, emptyAsZero = false): Kernel {
  const { O, N, K } = layout(shape, axis);
  if (lse !== undefined && (log || K !== 1)) throw new Error('softmaxKernel: logsumexp is only given by softmax over the last axis');
  if (emptyAsZero && log) throw new Error('softmaxKernel: emptyAsZero is for softmax only');
  if (K === 1) {
    if (log) return (inputs, out) => logSoftmaxRowsJs(inputs[0]!, out, O, N);
    return (inputs, out) => {
      const x = inputs[0]!;
      // the native or WebAssembly SIMD kernel where one is selected (registry.ts); the JS loop is their reference
      if (!selectedKernel('softmax')(x, out, O, N, lse, emptyAsZero)) softmaxRowsJs(x, out, O, N, lse, emptyAsZero);
    };
  }
  // the axis is not last: K rows advance together, each pass reading memory contiguously
  const ms = new Float64Array(K);
  const ss = new Float64Array(K);
  return (inputs, out) => {
    const x = inputs[0]!;
    for (let o = 0; o < O; o++) {
      const base = o * N * K;
      ms.fill(-Infinity);
      ss.fill(0);
      for (let r = 0; r < N; r++) {
        const rb = base + r * K;
        for (let j = 0; j < K; j++) {
          const v = x[rb + j]!;
          if (v > ms[j]! || v !== v) ms[j] = v;
        }
      }
      for (let r = 0; r < N; r++) {
        const rb = base + r * K;
        for (let j = 0; j < K; j++) {
          const e = fastExp(x[rb + j]! - ms[j]!);
          if (!log) out[rb + j] = e;
          ss[j]! += e;
        }
      }
      // the normalizer per column: log: m + log s (subtracted); otherwise 1 / s (multiplied)
      for (let j = 0; j < K; j++) ss[j] = log ? ms[j]! + Math.log(ss[j]!) : 1 / ss[j]!;
      for (let r = 0; r < N; r++) {
        const rb = base + r * K;
        if (log) for (let j = 0; j < K; j++) out[rb + j] = x[rb + j]! - ss[j]!;
        else for (let j = 0; j < K; j++) out[rb + j] = emptyAsZero && ms[j] === -Infinity ? 0 : out[rb + j]! * ss[j]!;
      }
    }
  };
}

/** The max of x[base, end) (NaN if one is NaN). */
function rowMax(x: Float64Array, base: number, end: number): number {
  let m = -Infinity;
  for (let i = base; i < end; i++) {
    const v = x[i]!;
    if (v > m || v !== v) m = v;
  }
  return m;
}

/**
 * Softmax of `rows` rows of n values, x to out (may be the same array), in JS: the reference of the
 * native and WebAssembly kernels. Each row's logsumexp m + log s into lse when given (a row whose
 * max is ±inf gives that max); rows of -inf give NaN, or 0s with `emptyAsZero`.
 */
export function softmaxRowsJs(x: Float64Array, out: Float64Array, rows: number, n: number, lse: Float64Array | undefined, emptyAsZero: boolean): void {
  for (let o = 0; o < rows; o++) {
    const base = o * n;
    const end = base + n;
    const m = rowMax(x, base, end);
    let s = 0;
    for (let i = base; i < end; i++) {
      const e = fastExp(x[i]! - m);
      out[i] = e;
      s += e;
    }
    if (emptyAsZero && m === -Infinity) out.fill(0, base, end);
    else {
      const inv = 1 / s;
      for (let i = base; i < end; i++) out[i]! *= inv;
    }
    if (lse !== undefined) lse[o] = m === Infinity || m === -Infinity ? m : m + Math.log(s);
  }
}

/** log softmax of `rows` rows of n values: x_i - m - log sum_j exp(x_j - m). */
function logSoftmaxRowsJs(x: Float64Array, out: Float64Array, rows: number, n: number): void {
  for (let o = 0; o < rows; o++) {
    const base = o * n;
    const end = base + n;
    const m = rowMax(x, base, end);
    let s = 0;
    for (let i = base; i < end; i++) s += fastExp(x[i]! - m);
    const shift = m + Math.log(s);
    for (let i = base; i < end; i++) out[i] = x[i]! - shift;
  }
}
