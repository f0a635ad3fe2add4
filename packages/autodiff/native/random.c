/* The bulk generator natively: xoshiro128** words, 53-bit uniforms and ziggurat normals, the same
   bits as the JS reference (src/random/bulk-js.ts, which documents the order the words are used in).
   Only + - * / and integer operations; exp and log are the polynomials of src/random/exact-math.ts
   in the same order. build-native.mjs compiles this file with -ffp-contract=off: a fused a·b + c
   rounds once where JS rounds twice. */
#include <math.h>
#include <stdint.h>
#include "native.h"
#include "ziggurat.h"

#if defined(__clang__)
#pragma clang fp contract(off)
#endif

static const double INV_LN2 = 1.4426950408889634;
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double SQRT1_2 = 0.7071067811865476;
static const double TWO_20 = 1048576.0;
static const double TWO_21 = 2097152.0;
static const double TWO_M53 = 1.1102230246251565e-16;

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static inline uint32_t next_word(uint32_t *s) {
  const uint32_t result = rotl(s[1] * 5u, 7) * 9u;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

static inline double next_uniform(uint32_t *s) {
  const uint32_t a = next_word(s);
  const uint32_t b = next_word(s) >> 11;
  return ((double)a * TWO_21 + (double)b) * TWO_M53;
}

/* exact-math.ts expNonPositive. */
static double exp_non_positive(double y) {
  if (y < -745) return 0;
  const double k = floor(y * INV_LN2 + 0.5);
  const double t = y - k * LN2_HI - k * LN2_LO;
  double p = 1.6059043836821613e-10;
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
  for (double j = 0; j > k; j--) p *= 0.5;
  for (double j = 0; j < k; j++) p *= 2;
  return p;
}

/* exact-math.ts logUnit. */
static double log_unit(double u) {
  double m = u;
  double e = 0;
  while (m < SQRT1_2) {
    m *= 2;
    e--;
  }
  const double f = m - 1;
  const double s = f / (2 + f);
  const double z = s * s;
  double p = 0.08695652173913043;
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

/* bulk-js.ts zigguratSlow: the magnitude, or NAN when the draw is rejected. */
__attribute__((noinline)) static double ziggurat_slow(uint32_t *s, unsigned layer, double x) {
  if (layer == 0) {
    double t, y;
    do {
      t = -log_unit(1 - next_uniform(s)) / ZIGGURAT_R;
      y = -log_unit(1 - next_uniform(s));
    } while (y + y < t * t);
    return ZIGGURAT_R + t;
  }
  const double f = ZIGGURAT_F[layer];
  return f + next_uniform(s) * (ZIGGURAT_F[layer - 1] - f) < exp_non_positive(-0.5 * x * x) ? x : NAN;
}

/* One xoshiro128** step on the state held in four locals (kept in registers: an array whose address
   is taken would put every step through memory). */
#define XOSHIRO_STEP(result)                          \
  do {                                                \
    (result) = rotl(s1 * 5u, 7) * 9u;                 \
    const uint32_t t_ = s1 << 9;                      \
    s2 ^= s0;                                         \
    s3 ^= s1;                                         \
    s1 ^= s2;                                         \
    s0 ^= s3;                                         \
    s2 ^= t_;                                         \
    s3 = rotl(s3, 11);                                \
  } while (0)

void descent_random_normal(uint32_t *state, double *out, size_t count) {
  uint32_t s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];
  for (size_t i = 0; i < count; i++) {
    for (;;) {
      uint32_t a, b;
      XOSHIRO_STEP(a);
      XOSHIRO_STEP(b);
      const unsigned layer = a & 255u;
      const double h = (double)b * TWO_20 + (double)(a >> 12);
      double x = h * ZIGGURAT_W[layer];
      if (__builtin_expect(h >= ZIGGURAT_K[layer], 0)) {
        uint32_t s[4] = {s0, s1, s2, s3};
        x = ziggurat_slow(s, layer, x);
        s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
        if (x != x) continue;
      }
      /* the sign by a product with ±1 (exact: a sign flip), not a branch that mispredicts half the time */
      out[i] = x * (double)(1 - (int)((a >> 7) & 2u));
      break;
    }
  }
  state[0] = s0, state[1] = s1, state[2] = s2, state[3] = s3;
}

void descent_random_uniform(uint32_t *state, double *out, size_t count) {
  uint32_t s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];
  for (size_t i = 0; i < count; i++) {
    uint32_t a, b;
    XOSHIRO_STEP(a);
    XOSHIRO_STEP(b);
    out[i] = ((double)a * TWO_21 + (double)(b >> 11)) * TWO_M53;
  }
  state[0] = s0, state[1] = s1, state[2] = s2, state[3] = s3;
}
