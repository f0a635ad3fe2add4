// acos(x) in float64 by rational approximation, inlined into generated loops, where Math.acos is a
// call out of JIT code (the arc-cosine kernel's loops are made of it; its speed: docs/performance.md).
//
// The classic reduction (as in fdlibm): asin(t) = t + t·R(t²) on |t| <= 1/2 with R(z) = z P(z)/Q(z),
// a rational minimax fit of (asin √z − √z)/√z to about 2^-58 relative. Then
//   |x| <= 1/2:  acos x = π/2 − asin x                   (π/2 in two parts, the small one first)
//   x > 1/2:     acos x = 2 asin √((1 − x)/2)            (1 − x is exact there)
//   x < −1/2:    acos x = π − 2 asin √((1 + x)/2)
// Error bound: under 2 ulp against Math.acos on [−1, 1], checked on 2e6 points by
// test/autodiff/kernels/fast-acos.test.ts. NaN or |x| > 1 give NaN (the square root of a negative, or NaN).
const PIO2_HI = 1.5707963267948966; // π/2 rounded
const PIO2_LO = 6.123233995736766e-17; // π/2 − PIO2_HI
const P0 = 1.66666666666666657415e-1;
const P1 = -3.25565818622400915405e-1;
const P2 = 2.01212532134862925881e-1;
const P3 = -4.00555345006794114027e-2;
const P4 = 7.91534994289814532176e-4;
const P5 = 3.47933107596021167570e-5;
const Q1 = -2.40339491173441421878;
const Q2 = 2.02094576023350569471;
const Q3 = -6.88283971605453293030e-1;
const Q4 = 7.70381505559019352791e-2;

/** R(z) = z P(z) / Q(z), so that asin t = t + t R(t²) for |t| <= 1/2. */
function ratio(z: number): number {
  const p = z * (P0 + z * (P1 + z * (P2 + z * (P3 + z * (P4 + z * P5)))));
  const q = 1 + z * (Q1 + z * (Q2 + z * (Q3 + z * Q4)));
  return p / q;
}

export function fastAcos(x: number): number {
  if (x <= 0.5 && x >= -0.5) return PIO2_HI - (x - (PIO2_LO - x * ratio(x * x)));
  if (x < 0) {
    const z = (1 + x) * 0.5;
    const s = Math.sqrt(z);
    return 2 * PIO2_HI - 2 * (s + (s * ratio(z) - PIO2_LO));
  }
  const z = (1 - x) * 0.5; // NaN lands here and stays NaN
  const s = Math.sqrt(z);
  return 2 * (s + s * ratio(z));
}
