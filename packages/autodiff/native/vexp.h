// e^x a whole vector register at a time (the lanes inside (-708, 709)), for rows.c and softmax-affine.c.
//
// As in wasm/exp.wat: k = nearest(x / ln2), r = x - k ln2_hi - k ln2_lo (Cody-Waite), |r| <= ln2/2;
// e^r is its Taylor polynomial to degree 13 (truncation < r^14/14! < 4e-18 relative) in Estrin
// form; 2^k is built from its bits. Error under 2 ulp (test/autodiff/kernels/native.test.ts holds
// it under 6e-16 relative against Math.exp).
#ifndef DESCENT_VEXP_H
#define DESCENT_VEXP_H
#include "vec.h"

/* e^x for lanes in (-708, 709); other lanes are garbage (see exp_fixed). */
static inline vec exp_inside(vec x) {
  const vec round = (vec){0} + 6755399441055744.0; /* 1.5 · 2^52: adding it rounds to an integer */
  const vec t = x * 1.4426950408889634 + round;
  const vec k = t - round;
  const vec r = (x - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
  const vec r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const vec p01 = 1.0 + r, p23 = 0.5 + r * 0.16666666666666666;
  const vec p45 = 0.041666666666666664 + r * 0.008333333333333333;
  const vec p67 = 0.001388888888888889 + r * 0.0001984126984126984;
  const vec p89 = 2.48015873015873e-05 + r * 2.7557319223985893e-06;
  const vec p1011 = 2.755731922398589e-07 + r * 2.505210838544172e-08;
  const vec p1213 = 2.08767569878681e-09 + r * 1.6059043836821613e-10;
  const vec poly = (p01 + r2 * p23) + r4 * (p45 + r2 * p67) + r8 * ((p89 + r2 * p1011) + r4 * p1213);
  /* the low bits of t are (bits of 1.5 · 2^52) + k; shifted by 52, only k + 1023 is left */
  const ivec two_k = ((ivec)t + 1023) << 52;
  return poly * (vec)two_k;
}

#endif
