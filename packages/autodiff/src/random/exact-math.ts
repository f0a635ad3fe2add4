// exp and log from + - * / only, so that the ziggurat's rare slow path gives the same bits in JS, in
// WebAssembly (which calls these) and in C (native/random.c, the same polynomials in the same order,
// compiled without FMA contraction): libm and V8 may differ in the last bit, these may not.
// Accuracy: within a few units in the last place on the ranges the ziggurat uses.

const INV_LN2 = 1.4426950408889634;
/** ln 2 split so that k · LN2_HI is exact for |k| < 2^20 (fdlibm's split). */
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const SQRT1_2 = 0.7071067811865476;

/**
 * e^y for y <= 0 (0 below -745). y = k ln2 + t with |t| <= ln2 / 2; e^t by its Taylor series to t^13
 * (the next term is below 4e-18 relative); then k halvings, each exact above the subnormals.
 */
export function expNonPositive(y: number): number {
  if (y < -745) return 0;
  const k = Math.floor(y * INV_LN2 + 0.5);
  const t = y - k * LN2_HI - k * LN2_LO;
  let p = 1.6059043836821613e-10;
  p = p * t + 2.08767569878681e-9;
  p = p * t + 2.505210838544172e-8;
  p = p * t + 2.755731922398589e-7;
  p = p * t + 0.0000027557319223985893;
  p = p * t + 0.0000248015873015873;
  p = p * t + 0.0001984126984126984;
  p = p * t + 0.001388888888888889;
  p = p * t + 0.008333333333333333;
  p = p * t + 0.041666666666666664;
  p = p * t + 0.16666666666666666;
  p = p * t + 0.5;
  p = p * t + 1;
  p = p * t + 1;
  for (let j = 0; j > k; j--) p *= 0.5;
  for (let j = 0; j < k; j++) p *= 2;
  return p;
}

/**
 * ln u for u in (0, 1]. u = m 2^e with m in [1/√2, √2) (exact doublings); ln m = 2 atanh(s) with
 * s = (m - 1) / (m + 1), |s| <= 0.1716, by its series to s^23 (the next term is below 1e-18 relative).
 */
export function logUnit(u: number): number {
  let m = u;
  let e = 0;
  while (m < SQRT1_2) {
    m *= 2;
    e--;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  let p = 0.08695652173913043;
  p = p * z + 0.09523809523809523;
  p = p * z + 0.10526315789473684;
  p = p * z + 0.11764705882352941;
  p = p * z + 0.13333333333333333;
  p = p * z + 0.15384615384615385;
  p = p * z + 0.18181818181818182;
  p = p * z + 0.2222222222222222;
  p = p * z + 0.2857142857142857;
  p = p * z + 0.4;
  p = p * z + 0.6666666666666666;
  p = p * z + 2;
  return e * LN2_HI + (e * LN2_LO + s * p);
}
