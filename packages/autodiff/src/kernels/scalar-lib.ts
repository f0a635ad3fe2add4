// Scalar helpers that generated elementwise loops may call as `lib.name(...)`.
import { fastAcos } from './fast-acos.js';
import { fastErf } from './fast-erf.js';
import { fastExp } from './fast-exp.js';

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** 1 / (1 + e^-x) without overflow. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * The arc-cosine kernel of a cosine c in [-1, 1]: h(c) = sqrt(1 - c²) + (π − acos c)·c, so that
 * relu_kernel(a, b) = |a||b| h(cos θ) / 2π (the arcKernel primitive, and reluKernel's own loop).
 */
function arcKernel(c: number): number {
  return Math.sqrt(1 - c * c) + (Math.PI - fastAcos(c)) * c;
}

/** sign with sign(0) = 0 and NaN kept. */
function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN;
}

export const scalarLib = { erf: fastErf, softplus, sigmoid, sign, exp: fastExp, acos: fastAcos, arcKernel } as const;
export type ScalarLib = typeof scalarLib;
