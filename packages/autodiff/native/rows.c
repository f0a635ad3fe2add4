// exp, softmax over rows and logsumexp over rows, natively and a whole vector register at a time.
//
// exp(x) as in wasm/exp.wat: k = nearest(x / ln2), r = x - k ln2_hi - k ln2_lo (Cody-Waite),
// |r| <= ln2/2; e^r is its Taylor polynomial to degree 13 (truncation < r^14/14! < 4e-18
// relative) in Estrin form; 2^k is built from its bits. Lanes outside (-708, 709) or NaN are
// redone one at a time by the C library's exp (0 below -746), so they equal it. Error inside:
// under 2 ulp (test/autodiff/kernels/native.test.ts holds it under 6e-16 relative).
//
// Rows are done in blocks of about BLOCK values (L1/L2-resident) in flat passes: exp over the whole
// block as one vector loop (rows of 10 would otherwise leave most of a register idle), then each
// row's sum and scale, and a vector log of the sums for logsumexp. A block whose values all lie in
// [-SAFE, SAFE] takes exp(x) directly; any other first finds each row's max and writes x - max.
// Every per-row loop is short and rows are independent, so the core overlaps them. softmax-affine.c
// uses the softmax with row weights (its stable path) and the vector log; the exp is in vexp.h.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "native.h"
#include "vec.h"
#include "vexp.h"

#define BLOCK DESCENT_ROWS_BLOCK

/* e^x for every lane: lanes outside (-708, 709), NaN included, from the C library. */
static inline vec exp_fixed(vec x) {
  vec y = exp_inside(x);
  const ivec inside = (x > -708.0) & (x < 709.0);
  int all = 1;
  for (int i = 0; i < VW; i++) all &= inside[i] != 0;
  if (!all) {
    for (int i = 0; i < VW; i++) {
      if (inside[i]) continue;
      y[i] = x[i] < -746.0 ? 0.0 : exp(x[i]);
    }
  }
  return y;
}

/* log(s) for lanes holding normal positive doubles (other lanes: see log_fixed). s = 2^k · a with
   a in [sqrt(1/2), sqrt(2)); log a = 2 atanh(f) = 2 (f + f^3/3 + f^5/5 + ...), f = (a - 1)/(a + 1),
   |f| <= 0.1716, so 12 odd terms leave a truncation under f^25/25 < 1e-20 relative; k ln2 is added
   with ln2 split in two (Cody-Waite), the small part first. Error: about 1 ulp. */
static inline vec log_inside(vec s) {
  const ivec bits = (ivec)s;
  /* a: the mantissa with the exponent of 1, moved to [sqrt(1/2), sqrt(2)) */
  ivec k = ((bits >> 52) & 0x7ff) - 1023;
  vec a = (vec)((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
  const ivec high = a > 1.4142135623730951;
  a = (vec)(((ivec)(a * 0.5) & high) | ((ivec)a & ~high));
  k = k - high; /* high lanes are -1 (true) */
  const vec kf = __builtin_convertvector(k, vec);
  const vec f = (a - 1.0) / (a + 1.0);
  const vec f2 = f * f, f4 = f2 * f2, f8 = f4 * f4;
  /* sum of f^(2j) / (2j + 1) for j < 12, in Estrin form */
  const vec q01 = 1.0 + f2 * (1.0 / 3), q23 = 1.0 / 5 + f2 * (1.0 / 7), q45 = 1.0 / 9 + f2 * (1.0 / 11);
  const vec q67 = 1.0 / 13 + f2 * (1.0 / 15), q89 = 1.0 / 17 + f2 * (1.0 / 19), q1011 = 1.0 / 21 + f2 * (1.0 / 23);
  const vec q = (q01 + f4 * q23) + f8 * ((q45 + f4 * q67) + f8 * (q89 + f4 * q1011));
  return kf * 0.6931471803691238 + (kf * 1.9082149292705877e-10 + 2.0 * f * q);
}

/* log(s) for every lane: lanes that are not normal positive doubles from the C library. */
static inline vec log_fixed(vec s) {
  const ivec normal = (s >= 2.2250738585072014e-308) & (s <= 1.7976931348623157e308);
  vec y = log_inside(s);
  for (int i = 0; i < VW; i++) if (!normal[i]) y[i] = log(s[i]);
  return y;
}

/* Whether every value of x[0, count) lies in [lo, hi] (no NaN): one cheap pass, so that a chunk
   can take a loop without fix-ups (lane checks inside the exp loop cost ~30%). */
static int all_within(const double *x, size_t count, double lo, double hi) {
  ivec bad = (ivec){0};
  size_t i = 0;
  for (; i + VW <= count; i += VW) {
    const vec v = *(const vec_u *)(x + i);
    bad |= ~((v >= lo) & (v <= hi));
  }
  int any = 0;
  for (int l = 0; l < VW; l++) any |= bad[l] != 0;
  for (; i < count; i++) any |= !(x[i] >= lo && x[i] <= hi);
  return !any;
}

/* dst[i] = exp(x[i]) in chunks of CHUNK; a partial last vector goes through a padded copy (no
   read past the end). */
#define CHUNK 1024
void descent_exp(const double *x, double *dst, size_t count) {
  for (size_t c0 = 0; c0 < count; c0 += CHUNK) {
    const size_t end = count - c0 < CHUNK ? count : c0 + CHUNK;
    size_t i = c0;
    if (all_within(x + c0, end - c0, -707.0, 708.0)) {
      for (; i + VW <= end; i += VW) *(vec_u *)(dst + i) = exp_inside(*(const vec_u *)(x + i));
    } else {
      for (; i + VW <= end; i += VW) *(vec_u *)(dst + i) = exp_fixed(*(const vec_u *)(x + i));
    }
    if (i == end) continue;
    vec tail = (vec){0};
    memcpy(&tail, x + i, (end - i) * sizeof(double));
    tail = exp_fixed(tail);
    memcpy(dst + i, &tail, (end - i) * sizeof(double));
  }
}

/* dst[i] = log(x[i]) for i < count, a vector at a time (padded copy for the last one). */
void descent_log(const double *x, double *dst, size_t count) {
  size_t i = 0;
  for (; i + VW <= count; i += VW) *(vec_u *)(dst + i) = log_fixed(*(const vec_u *)(x + i));
  if (i == count) return;
  vec tail = (vec){0} + 1.0;
  memcpy(&tail, x + i, (count - i) * sizeof(double));
  tail = log_fixed(tail);
  memcpy(dst + i, &tail, (count - i) * sizeof(double));
}

/* The max of each row (NaN if the row has one), as the JS reduction finds it; without branches
   (a data-dependent branch per value mispredicted on most rows). */
static inline __attribute__((always_inline)) void row_max(const double *x, size_t rows, size_t n, double *m) {
  for (size_t r = 0; r < rows; r++) {
    const double *row = x + r * n;
    double v = -INFINITY;
    int nan = 0;
    for (size_t i = 0; i < n; i++) {
      const double e = row[i];
      v = e > v ? e : v;
      nan |= e != e;
    }
    m[r] = nan ? NAN : v;
  }
}

/* The sum of each row of exps into sums; softmax (scale): each row scaled by 1 / its sum, and then
   by weight[r] when weight is given (two roundings: (e · (1/s)) · w, as a plan's mul of the softmax
   by row weights gives it). */
static inline __attribute__((always_inline)) void sum_rows(double *e, size_t rows, size_t n, int scale, double *sums, const double *weight) {
  for (size_t r = 0; r < rows; r++) {
    double *o = e + r * n;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += o[i];
    sums[r] = s;
    if (!scale) continue;
    const double inv = 1 / s;
    if (weight) {
      const double w = weight[r];
      for (size_t i = 0; i < n; i++) o[i] = (o[i] * inv) * w;
    } else {
      for (size_t i = 0; i < n; i++) o[i] *= inv;
    }
  }
}

/* Values in [-SAFE, SAFE] need no shift by their row's max: e^x neither overflows nor leaves the
   normal range, and a sum of BLOCK of them stays finite. (Shift-free, each exp is correct to its
   own ulp; exp(x - m) would add the rounding of x - m.) Rows of one value keep the shift, which
   makes their softmax exactly 1 and their logsumexp exactly x, as the JS kernels give them. */
#define SAFE DESCENT_ROWS_SAFE

/* One block of rows, with n a constant when the caller's switch made it one. */
static inline __attribute__((always_inline)) void block(const double *x, double *out, size_t rows, size_t n, int scale, double *lse, int empty_as_zero, const double *weight) {
  double m[BLOCK], sums[BLOCK];
  if (n > 1 && all_within(x, rows * n, -SAFE, SAFE)) {
    /* out = e^x, sums, then lse = log(sum) */
    size_t i = 0;
    const size_t size = rows * n;
    for (; i + VW <= size; i += VW) *(vec_u *)(out + i) = exp_inside(*(const vec_u *)(x + i));
    if (i < size) descent_exp(x + i, out + i, size - i);
    sum_rows(out, rows, n, scale, sums, weight);
    if (lse) descent_log(sums, lse, rows);
    return;
  }
  /* the stable path: m = each row's max, out = e^(x - m), lse = m + log(sum) */
  row_max(x, rows, n, m);
  for (size_t r = 0; r < rows; r++) {
    const double *row = x + r * n;
    double *o = out + r * n;
    const double mr = m[r];
    for (size_t i = 0; i < n; i++) o[i] = row[i] - mr;
  }
  descent_exp(out, out, rows * n);
  sum_rows(out, rows, n, scale, sums, weight);
  /* softmax with empty_as_zero: a row of -inf (max -inf) gives 0s instead of NaN */
  if (empty_as_zero)
    for (size_t r = 0; r < rows; r++)
      if (m[r] == -INFINITY) memset(out + r * n, 0, n * sizeof(double));
  if (!lse) return;
  descent_log(sums, lse, rows);
  /* a row whose max is ±inf gives that max, as the JS reduction does */
  for (size_t r = 0; r < rows; r++) lse[r] = m[r] == INFINITY || m[r] == -INFINITY ? m[r] : m[r] + lse[r];
}

/* Rows of up to 16 values get a copy of `block` with n fixed (its loops unrolled): rows of 10 took
   twice as long through the general loops. */
#define SHORT_ROWS(N) case N: block(x, out, rows, N, scale, lse, empty_as_zero, weight); return;
static void block_any(const double *x, double *out, size_t rows, size_t n, int scale, double *lse, int empty_as_zero, const double *weight) {
  switch (n) {
    SHORT_ROWS(1) SHORT_ROWS(2) SHORT_ROWS(3) SHORT_ROWS(4) SHORT_ROWS(5) SHORT_ROWS(6) SHORT_ROWS(7) SHORT_ROWS(8)
    SHORT_ROWS(9) SHORT_ROWS(10) SHORT_ROWS(11) SHORT_ROWS(12) SHORT_ROWS(13) SHORT_ROWS(14) SHORT_ROWS(15) SHORT_ROWS(16)
    default: block(x, out, rows, n, scale, lse, empty_as_zero, weight);
  }
}

void descent_softmax_rows(const double *x, double *out, size_t rows, size_t n, double *lse, int empty_as_zero) {
  const size_t per = n == 0 || n >= BLOCK ? 1 : BLOCK / n;
  for (size_t r0 = 0; r0 < rows; r0 += per) {
    const size_t count = rows - r0 < per ? rows - r0 : per;
    block_any(x + r0 * n, out + r0 * n, count, n, 1, lse ? lse + r0 : 0, empty_as_zero, 0);
  }
}

/* scratch for the exps of one block of logsumexp rows, grown once to the longest block seen; one
   per thread (worker threads), freed by descent_release_rows_scratch when the thread's Node env ends */
static _Thread_local double *scratch = 0;
static _Thread_local size_t scratch_size = 0;

void descent_release_rows_scratch(void) {
  free(scratch);
  scratch = 0;
  scratch_size = 0;
}

int descent_logsumexp_rows(const double *x, double *out, size_t rows, size_t n) {
  const size_t per = n == 0 || n >= BLOCK ? 1 : BLOCK / n;
  const size_t need = per * n;
  if (need > scratch_size) {
    double *grown = realloc(scratch, need * sizeof(double));
    if (!grown) return -1;
    scratch = grown;
    scratch_size = need;
  }
  for (size_t r0 = 0; r0 < rows; r0 += per) {
    const size_t count = rows - r0 < per ? rows - r0 : per;
    /* the exps go to the scratch; only the sums are kept */
    block_any(x + r0 * n, scratch, count, n, 0, out + r0, 0, 0);
  }
  return 0;
}

/* Softmax of `rows` rows of n values in place, each row then times weight[r] (when given), each
   row's logsumexp into lse (when given): for kernels that compute the rows first (softmax-affine.c). */
void descent_softmax_rows_weighted(double *x, size_t rows, size_t n, double *lse, const double *weight) {
  const size_t per = n == 0 || n >= BLOCK ? 1 : BLOCK / n;
  for (size_t r0 = 0; r0 < rows; r0 += per) {
    const size_t count = rows - r0 < per ? rows - r0 : per;
    block_any(x + r0 * n, x + r0 * n, count, n, 1, lse ? lse + r0 : 0, 0, weight ? weight + r0 : 0);
  }
}
