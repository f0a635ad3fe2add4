// The arc-cosine kernel's slope π − acos c, or its value sqrt(1 − c²) + (π − acos c)·c, of clamped
// cosines c = min(max(x, −1), 1) over an array, a vector at a time: what the generated clamp,
// arcSlope and value loops compute, in one pass. Also the slope times the clamp's derivative masks
// [x >= −1]·[max(x, −1) <= 1] (0 outside [−1, 1]: the factor a gradient through the clamp takes),
// and the value read off that masked slope without a second acos.
// The same rational approximation, operations and order as kernels/fast-acos.ts (fdlibm's
// reduction: asin t = t + t·R(t²) on |t| <= 1/2, R = z P(z)/Q(z)), computed for every lane on
// both sides of |c| = 1/2 and selected without branches. Compiled without contraction into FMA,
// so each result is bit-identical to the JS loop's (Math.PI - fastAcos(c)).
#pragma GCC optimize("fp-contract=off")
#include <immintrin.h>
#include <string.h>
#include "native.h"
#include "vec.h"

#define PIO2_HI 1.5707963267948966
#define PIO2_LO 6.123233995736766e-17
#define P0 1.66666666666666657415e-1
#define P1 -3.25565818622400915405e-1
#define P2 2.01212532134862925881e-1
#define P3 -4.00555345006794114027e-2
#define P4 7.91534994289814532176e-4
#define P5 3.47933107596021167570e-5
#define Q1 -2.40339491173441421878
#define Q2 2.02094576023350569471
#define Q3 -6.88283971605453293030e-1
#define Q4 7.70381505559019352791e-2

static inline vec vsqrt(vec x) {
#if VW == 8
  return (vec)_mm512_sqrt_pd((__m512d)x);
#elif VW == 4
  return (vec)_mm256_sqrt_pd((__m256d)x);
#else
  return (vec)_mm_sqrt_pd((__m128d)x);
#endif
}

/* a where mask (all ones) else b */
static inline vec pick(ivec mask, vec a, vec b) {
  return (vec)(((ivec)a & mask) | ((ivec)b & ~mask));
}

static inline vec ratio(vec z) {
  const vec p = z * (P0 + z * (P1 + z * (P2 + z * (P3 + z * (P4 + z * P5)))));
  const vec q = 1.0 + z * (Q1 + z * (Q2 + z * (Q3 + z * Q4)));
  return p / q;
}

/* the clamp as the generated maximum and minimum compute it: (x >= -1 ? x : -1), then
   (m <= 1 ? m : 1), so NaN becomes -1 as there */
static inline vec clamp11(vec x) {
  x = pick(x >= -1.0, x, (vec){0} - 1.0);
  return pick(x <= 1.0, x, (vec){0} + 1.0);
}

/* π − acos x per lane (x in [-1, 1]), as fast-acos.ts computes acos */
static inline vec slope(vec x) {
  const ivec inner = (x <= 0.5) & (x >= -0.5);
  const ivec negative = x < 0.0;
  const vec ax = pick(negative, -x, x);
  const vec z = pick(inner, x * x, (1.0 - ax) * 0.5); /* (1 + x)·0.5 for x < 0: the same value */
  const vec r = ratio(z);
  const vec s = vsqrt(pick(inner, (vec){0} + 0.0, z));
  const vec small = PIO2_HI - (x - (PIO2_LO - x * r));
  const vec below = 2 * PIO2_HI - 2 * (s + (s * r - PIO2_LO));
  const vec above = 2 * (s + s * r);
  const vec acos = pick(inner, small, pick(negative, below, above));
  return (2 * PIO2_HI) - acos;
}

/* the clamp's derivative is 1 here: x >= -1 and max(x, -1) <= 1, as the generated ge and le test them */
static inline ivec inside11(vec x) {
  return (x >= -1.0) & (pick(x >= -1.0, x, (vec){0} - 1.0) <= 1.0);
}

/* one vector of the mode's result (see native.h); sm: the masked slopes of the same lanes (mode 3) */
static inline vec arc(vec x, vec sm, int mode) {
  const vec c = clamp11(x);
  if (mode == DESCENT_ARC_VALUE_FROM_MASKED) {
    /* outside [-1, 1] the clamped cosine is ±1, whose slope is exactly π (c = 1) or 0 (c = -1, or NaN) */
    const vec s = pick(inside11(x), sm, pick(c > 0.0, (vec){0} + 2 * PIO2_HI, (vec){0}));
    return vsqrt(1.0 - c * c) + s * c;
  }
  const vec s = slope(c);
  if (mode == DESCENT_ARC_VALUE) return vsqrt(1.0 - c * c) + s * c;
  if (mode == DESCENT_ARC_SLOPE_MASKED) return pick(inside11(x), s, (vec){0});
  return s;
}

/* the loop for one (constant) mode, so that each is compiled without the others' branches */
static inline void arc_loop(const double *x, const double *sm, double *out, size_t count, int mode) {
  size_t i = 0;
  for (; i + VW <= count; i += VW) {
    const vec m = mode == DESCENT_ARC_VALUE_FROM_MASKED ? *(const vec_u *)(sm + i) : (vec){0};
    *(vec_u *)(out + i) = arc(*(const vec_u *)(x + i), m, mode);
  }
  if (i == count) return;
  vec tail = (vec){0}, tail_sm = (vec){0};
  memcpy(&tail, x + i, (count - i) * sizeof(double));
  if (mode == DESCENT_ARC_VALUE_FROM_MASKED) memcpy(&tail_sm, sm + i, (count - i) * sizeof(double));
  tail = arc(tail, tail_sm, mode);
  memcpy(out + i, &tail, (count - i) * sizeof(double));
}

void descent_arc_clamped(const double *x, const double *masked_slope, double *out, size_t count, int mode) {
  switch (mode) {
    case DESCENT_ARC_VALUE: arc_loop(x, 0, out, count, DESCENT_ARC_VALUE); break;
    case DESCENT_ARC_SLOPE_MASKED: arc_loop(x, 0, out, count, DESCENT_ARC_SLOPE_MASKED); break;
    case DESCENT_ARC_VALUE_FROM_MASKED: arc_loop(x, masked_slope, out, count, DESCENT_ARC_VALUE_FROM_MASKED); break;
    default: arc_loop(x, 0, out, count, DESCENT_ARC_SLOPE); break;
  }
}
