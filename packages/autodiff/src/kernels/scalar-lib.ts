// Scalar helpers that generated elementwise loops may call as `lib.name(...)`.
import { fastAcos } from './fast-acos.js';
import { fastExp } from './fast-exp.js';

/** erf to about 1e-15 relative: series near 0, continued fraction (via erfc) further out. */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: erf x = 2/sqrt(pi) * sum_k (-1)^k x^(2k+1) / (k! (2k+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let k = 1; k < 80; k++) {
      term *= -x2 / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc by the Lentz continued fraction: erfc x = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let k = 1; k < 200; k++) {
    const a = k / 2;
    d = ax + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = ax + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
  return Math.sign(x) * (1 - erfc);
}

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

export const scalarLib = { erf, softplus, sigmoid, sign, exp: fastExp, acos: fastAcos, arcKernel } as const;
export type ScalarLib = typeof scalarLib;
