// erf(x) in float64 by short polynomials, for generated loops (lib.erf): the series it replaces took
// up to 80 terms (~270 ns a value); this takes at most 15 multiply-adds.
//
// |x| < 1/2: the Maclaurin series erf x = 2/sqrt(pi) Σ_k (-1)^k x^(2k+1) / (k! (2k+1)) cut after
// k = 12 (the next term is below 2.3e-19 x, relative), in Horner form in x² — relative accuracy
// near 0 is kept. 1/2 <= |x| < 6: a Taylor polynomial about the centre c of the width-1/4 interval
// holding |x| (|t| = ||x| - c| <= 1/8), erf(c + t) = erf(c) + Σ_{m>=1} erf⁽ᵐ⁾(c) tᵐ / m!, with
// erf⁽ᵐ⁾(c) = 2/sqrt(pi) (-1)^(m-1) H_{m-1}(c) e^(-c²) (H the Hermite polynomials), each cut where
// the terms left are below 1e-19 (degree 9 to 14). The coefficients are made once, at load, from
// erf at the 22 centres (erfAtCentre) and the Hermite recurrence. |x| >= 6: ±1 (erfc 6 < 2.2e-17,
// under half an ulp of 1). Error: within 3 ulp of glibc's erf (itself within 1 ulp) on 2e5 points
// over [-7, 7] and 2000 log-spaced ones down to 1e-300, 6329 of them off by more than 1 ulp; the
// test (test/autodiff/kernels/fast-erf.test.ts) holds it within 4 ulp of an accurate reference by
// fast-check and a dense grid. erfSeries itself is off by up to 69 ulp near 2.5 (its alternating
// terms reach ~e^6). NaN gives NaN, ±Infinity ±1.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf to about 1e-15 relative, slowly (the reference): the Maclaurin series for |x| < 2.5 (up to 80
 * terms), the Lentz continued fraction of erfc beyond, ±1 past 6.
 */
export function erfSeries(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let k = 1; k < 80; k++) {
      term *= -x2 / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (ax > 6) return Math.sign(x);
  return Math.sign(x) * (1 - erfcFraction(ax));
}

/** erfc x for x >= 1 or so by the Lentz continued fraction: exp(-x²)/sqrt(pi) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))). */
function erfcFraction(ax: number): number {
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
  return Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
}

/**
 * erf at a centre c of the Taylor intervals (c < 6, c² exact), accurately: below CF_FROM by the series
 * of positive terms erf c = 2/sqrt(pi) e^(-c²) Σ_k 2^k c^(2k+1) / (1·3···(2k+1)) (no cancellation,
 * unlike the Maclaurin series, which loses ~9 bits near 2.5), from CF_FROM on as 1 - erfc c, erfc by
 * erfSeries's continued fraction (accurate there; the positive series's rounding grows with c).
 */
const CF_FROM = 1.5;
function erfAtCentre(c: number): number {
  if (c >= CF_FROM) return 1 - erfcFraction(c);
  let term = c;
  let sum = c;
  for (let k = 1; k < 400 && term > 1e-18 * sum; k++) {
    term *= (2 * c * c) / (2 * k + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-c * c) * sum;
}

/** Maclaurin coefficients in x²: erf x = x Σ_k SMALL[k] (x²)^k for |x| < 1/2. */
const SMALL = Array.from({ length: 13 }, (_, k) => {
  let factorial = 1;
  for (let i = 2; i <= k; i++) factorial *= i;
  return (TWO_OVER_SQRT_PI * (k % 2 === 0 ? 1 : -1)) / (factorial * (2 * k + 1));
});

const WIDTH = 0.25;
const FIRST = 0.5;
const INTERVALS = (6 - FIRST) / WIDTH; // 22
const MAX_DEGREE = 24;

/**
 * Per interval i (|x| in [FIRST + i WIDTH, FIRST + (i + 1) WIDTH)): its Taylor coefficients about
 * the centre, lowest first, in COEF[i · (MAX_DEGREE + 1) ...], and its degree in DEGREE[i].
 */
const COEF = new Float64Array(INTERVALS * (MAX_DEGREE + 1));
const DEGREE = new Int32Array(INTERVALS);
for (let i = 0; i < INTERVALS; i++) {
  const c = FIRST + (i + 0.5) * WIDTH;
  const at = i * (MAX_DEGREE + 1);
  COEF[at] = erfAtCentre(c);
  // u_n = H_n(c) / (n + 1)!: u_0 = 1, u_1 = c, u_(n+1) = (2c u_n - 2n u_(n-1) / (n + 1)) / (n + 2);
  // the coefficient of t^m is 2/sqrt(pi) e^(-c²) (-1)^(m-1) u_(m-1)
  const scale = TWO_OVER_SQRT_PI * Math.exp(-c * c);
  let before = 0;
  let u = 1;
  let degree = MAX_DEGREE;
  for (let m = 1; m <= MAX_DEGREE; m++) {
    const coef = scale * (m % 2 === 1 ? u : -u);
    COEF[at + m] = coef;
    // the terms from here on: below 1e-19 once this one is (they fall at least geometrically here)
    if (Math.abs(coef) * (WIDTH / 2) ** m < 1e-19 && m >= 2) {
      degree = m;
      break;
    }
    const n = m - 1;
    const next = (2 * c * u - (n === 0 ? 0 : (2 * n * before) / (n + 1))) / (n + 2);
    before = u;
    u = next;
  }
  DEGREE[i] = degree;
}

/** erf(x), within 2 ulp of erfSeries (see the header). */
export function fastErf(x: number): number {
  const ax = Math.abs(x);
  if (ax < FIRST) {
    const x2 = x * x;
    let p = SMALL[12]!;
    for (let k = 11; k >= 0; k--) p = p * x2 + SMALL[k]!;
    return x * p;
  }
  if (!(ax < 6)) return ax === ax ? (x > 0 ? 1 : -1) : x;
  const i = Math.floor((ax - FIRST) / WIDTH);
  const t = ax - (FIRST + (i + 0.5) * WIDTH);
  const at = i * (MAX_DEGREE + 1);
  let p = COEF[at + DEGREE[i]!]!;
  for (let m = DEGREE[i]! - 1; m >= 0; m--) p = p * t + COEF[at + m]!;
  return x > 0 ? p : -p;
}
