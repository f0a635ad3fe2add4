// exp(x) in float64 by table-driven range reduction and a short polynomial, inlined into generated
// loops, where Math.exp is a call out of JIT code (its speed: docs/performance.md).
//
// x = (32 m + j) ln2/32 + r with |r| <= ln2/64, so e^x = 2^m · 2^(j/32) · e^r. ln2/32 is split
// in two parts (Cody–Waite: the high part has 32 significant bits, so k · hi is exact) and r is
// exact to ~1 ulp; e^r is its Taylor polynomial to degree 6 (truncation < r^7/7! < 3.5e-18
// relative), evaluated in Estrin form (a short dependency chain). 2^(j/32) comes from a
// 32-entry table (rounded, 0.5 ulp) and 2^m from an exact one. Error bound: under 6e-16
// relative (~3 ulp) against Math.exp over (-708, 709), checked on 2e6 points by the fastExp test
// (test/autodiff/optimize/passes.test.ts). Outside (-708, 709) (subnormal
// results, overflow), for NaN and ±Infinity it returns Math.exp(x) itself.
const INV_LN2_32 = 32 / Math.LN2;
const LN2_32_HI = 6.93147180369123816490e-01 / 32; // fdlibm's ln2_hi: low 21 bits zero
const LN2_32_LO = 1.90821492927058770002e-10 / 32;
const ROUND = 6755399441055744; // 1.5 · 2^52: adding it rounds a double to an integer
const TABLE = new Float64Array(32); // 2^(j/32)
for (let j = 0; j < 32; j++) TABLE[j] = 2 ** (j / 32);
const POW2 = new Float64Array(2 * 1024 + 1); // 2^m for m in [-1024, 1024]
for (let m = -1024; m <= 1024; m++) POW2[m + 1024] = 2 ** m;

export function fastExp(x: number): number {
  if (!(x > -708 && x < 709)) return Math.exp(x);
  const kf = x * INV_LN2_32 + ROUND - ROUND;
  const k = kf | 0;
  const r = x - kf * LN2_32_HI - kf * LN2_32_LO;
  const r2 = r * r;
  const p = 1 + r + r2 * (0.5 + r * (1 / 6) + r2 * (1 / 24 + r * (1 / 120) + r2 * (1 / 720)));
  return p * TABLE[k & 31]! * POW2[(k >> 5) + 1024]!;
}
