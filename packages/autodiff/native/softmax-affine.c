// Softmax over the rows of affine logits z = A·B + bias (kernels/softmax-affine.ts), a block of rows
// at a time: the logits and their exps in one vector pass, then the row sums, scaling (by 1/sum and
// row weights) and logs, then the column sums and gᵀ·A a gradient reads, while the block is in L1.
//
// The output is row-major [rows, n] with n small (a few mixture components or classes), so a vector
// of VW consecutive outputs spans several rows. Its lanes follow a pattern that repeats every
// P = n / gcd(n, VW) vectors: lane l of vector t of the pattern is row (t·VW + l) / n, column
// (t·VW + l) % n. Per pattern vector the kernel keeps the column's weights B[j, p] and bias per
// lane, and per lane the offset of A[row, p] in a window of 2 VW values of A starting at the
// vector's first row; the logits of the vector are then k two-register permutes and FMAs, taken
// straight to exp without storing them. Rows are independent, summed in the reference order
// (p = 0, 1, ... then the bias), as the scalar path does.
#include <string.h>
#include "native.h"
#include "vec.h"
#include "vexp.h"

/* Largest n and k of the vector path (its patterns live on the stack). */
#define PATTERN_N 16
#define PATTERN_K 8

/* The logits of `rows` rows one at a time: z[r, j] = (sum_p a[r, p] bn[j, p]) + bias[j]. */
static void scalar_logits(const double *a, const double *bn, const double *bias, size_t rows, size_t n, size_t k, double *z) {
  for (size_t r = 0; r < rows; r++) {
    const double *ar = a + r * k;
    for (size_t j = 0; j < n; j++) {
      const double *bj = bn + j * k;
      double s = 0;
      for (size_t p = 0; p < k; p++) s += ar[p] * bj[p];
      z[r * n + j] = s + bias[j];
    }
  }
}

static size_t gcd(size_t a, size_t b) {
  while (b) {
    const size_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* The lane pattern of [rows, n] outputs: per pattern vector t, the first row, the weights and bias
   of each lane's column, and the index into the window of A of each lane's A[row, p]. */
typedef struct {
  size_t vectors;  /* P */
  size_t rows;     /* rows per pattern: P·VW / n */
  size_t first[PATTERN_N];
  vec weight[PATTERN_N][PATTERN_K];
  vec bias[PATTERN_N];
  ivec index[PATTERN_N][PATTERN_K];
  ivec row[PATTERN_N]; /* each lane's row less the vector's first row */
} pattern;

/* Whether the vector path applies: a lane's row is within 2 VW / k rows of its vector's first row. */
static int pattern_fits(size_t n, size_t k) {
  if (n < 2 || n > PATTERN_N || k == 0 || k > PATTERN_K) return 0;
  const size_t span = (VW - 1) / n + 2; /* rows a vector of VW outputs can touch */
  return span * k <= 2 * VW;
}

static void make_pattern(pattern *pt, const double *bn, const double *bias, size_t n, size_t k) {
  pt->vectors = n / gcd(n, VW);
  pt->rows = pt->vectors * VW / n;
  for (size_t t = 0; t < pt->vectors; t++) {
    const size_t first = t * VW / n;
    pt->first[t] = first;
    for (int l = 0; l < VW; l++) {
      const size_t f = t * VW + l, row = f / n, j = f % n;
      pt->bias[t][l] = bias[j];
      pt->row[t][l] = (int64_t)(row - first);
      for (size_t p = 0; p < k; p++) {
        pt->weight[t][p][l] = bn[j * k + p];
        pt->index[t][p][l] = (int64_t)((row - first) * k + p);
      }
    }
  }
}

/* The exps of one block's logits into z, a vector at a time where A's window stays inside the
   block's rows, the rest (and a block with a logit outside [-SAFE, SAFE]) left to the caller:
   returns the number of outputs done, or 0 when a logit fell outside (the caller redoes the block). */
static size_t vector_exps(const pattern *pt, const double *a, size_t rows, size_t n, size_t k, double *z) {
  const size_t total = rows * n;
  const vec lo = (vec){0} - DESCENT_ROWS_SAFE, hi = (vec){0} + DESCENT_ROWS_SAFE;
  ivec bad = (ivec){0};
  size_t f = 0, base = 0; /* base: the first row of the current pattern */
  for (;;) {
    for (size_t t = 0; t < pt->vectors; t++, f += VW) {
      const size_t first = base + pt->first[t];
      if (f + VW > total || (first * k + 2 * VW) > rows * k) goto done;
      const double *w = a + first * k;
      const vec w0 = *(const vec_u *)w, w1 = *(const vec_u *)(w + VW);
      vec acc = (vec){0};
      for (size_t p = 0; p < k; p++) acc += __builtin_shuffle(w0, w1, pt->index[t][p]) * pt->weight[t][p];
      const vec x = acc + pt->bias[t];
      bad |= ~((x >= lo) & (x <= hi));
      *(vec_u *)(z + f) = exp_inside(x);
    }
    base += pt->rows;
  }
done:
  for (int l = 0; l < VW; l++)
    if (bad[l]) return 0;
  return f;
}

/* The rest of the softmax of a block of exps e: each row's sum s (in the order of rows.c's, j = 0,
   1, ...), lse = log s, and e·(1/s), then ·weight[r], a vector of outputs at a time with each lane's
   1/s and weight permuted from a vector of rows (the same roundings as rows.c's row loop). */
static inline __attribute__((always_inline)) void normalize(const pattern *pt, double *e, size_t rows, size_t n, double *lse,
                                                             const double *weight) {
  double sums[DESCENT_ROWS_BLOCK], inv[DESCENT_ROWS_BLOCK];
  for (size_t r = 0; r < rows; r++) {
    const double *er = e + r * n;
    double s = 0;
    for (size_t j = 0; j < n; j++) s += er[j];
    sums[r] = s;
  }
  size_t r = 0;
  for (; r + VW <= rows; r += VW) *(vec_u *)(inv + r) = 1.0 / *(const vec_u *)(sums + r);
  for (; r < rows; r++) inv[r] = 1 / sums[r];
  if (lse) descent_log(sums, lse, rows);
  const size_t total = rows * n;
  size_t f = 0, base = 0;
  for (;;) {
    for (size_t t = 0; t < pt->vectors; t++, f += VW) {
      const size_t first = base + pt->first[t];
      if (f + VW > total || first + VW > rows) goto tail;
      const vec v = *(vec_u *)(e + f) * __builtin_shuffle(*(const vec_u *)(inv + first), pt->row[t]);
      *(vec_u *)(e + f) = weight ? v * __builtin_shuffle(*(const vec_u *)(weight + first), pt->row[t]) : v;
    }
    base += pt->rows;
  }
tail:
  for (; f < total; f++) {
    const size_t row = f / n;
    const double v = e[f] * inv[row];
    e[f] = weight ? v * weight[row] : v;
  }
}

/* normalize with n a constant in each copy (the row sums unrolled: a loop of n entered per row
   cost a quarter of the kernel) */
#define NORMALIZE_CASE(N) case N: normalize(pt, e, rows, N, lse, weight); return;
static void normalize_any(const pattern *pt, double *e, size_t rows, size_t n, double *lse, const double *weight) {
  switch (n) {
    NORMALIZE_CASE(2) NORMALIZE_CASE(3) NORMALIZE_CASE(4) NORMALIZE_CASE(5) NORMALIZE_CASE(6) NORMALIZE_CASE(7) NORMALIZE_CASE(8)
    NORMALIZE_CASE(9) NORMALIZE_CASE(10) NORMALIZE_CASE(11) NORMALIZE_CASE(12) NORMALIZE_CASE(13) NORMALIZE_CASE(14) NORMALIZE_CASE(15)
    NORMALIZE_CASE(16)
    default: normalize(pt, e, rows, n, lse, weight);
  }
}

/* One block of rows: the vector path where it applies and every logit is within [-SAFE, SAFE], the
   rest of the outputs by scalar logits and descent_exp (their range checked too); otherwise the
   logits one at a time and rows.c's softmax with its stable path. */
static void affine_block(const pattern *pt, const double *a, const double *bn, const double *bias, const double *scale, size_t rows,
                         size_t n, size_t k, double *z, double *lse) {
  if (pt) {
    const size_t done = vector_exps(pt, a, rows, n, k, z);
    const size_t row0 = done / n; /* the first row not wholly done: its outputs from its start */
    if (done > 0) {
      const size_t from = row0 * n, total = rows * n;
      scalar_logits(a + row0 * k, bn, bias, rows - row0, n, k, z + from);
      int inside = 1;
      for (size_t i = from; i < total; i++) inside &= z[i] >= -DESCENT_ROWS_SAFE && z[i] <= DESCENT_ROWS_SAFE;
      if (inside) {
        descent_exp(z + from, z + from, total - from);
        normalize_any(pt, z, rows, n, lse, scale);
        return;
      }
    }
  }
  scalar_logits(a, bn, bias, rows, n, k, z);
  descent_softmax_rows_weighted(z, rows, n, lse, scale);
}

/* The sums over the rows of a block of outputs g [rows, n] that a gradient reads: colsum[j] +=
   sum_r g[r, j] and gta[j, p] += sum_r g[r, j] a[r, p] (each when not null), a vector of outputs at a
   time with A's values permuted as the logits read them, whole patterns at a time (`vectors` and k
   constants in the copies below, so that the accumulators stay in registers: indexed at run time
   they lived on the stack and the pass cost half the kernel); what is left one value at a time. */
static inline __attribute__((always_inline)) void accumulate_fixed(const pattern *pt, size_t vectors, size_t k, const double *a,
                                                                   const double *g, size_t rows, size_t n, double *colsum, double *gta) {
  const size_t total = rows * n;
  vec sums[PATTERN_N], products[PATTERN_N][PATTERN_K];
  for (size_t t = 0; t < vectors; t++) {
    sums[t] = (vec){0};
    for (size_t p = 0; p < k; p++) products[t][p] = (vec){0};
  }
  /* whole patterns whose every window of A stays inside the block's rows */
  size_t f = 0, base = 0;
  const size_t span = vectors * VW;
  while (f + span <= total && (base + pt->rows + 1) * k + 2 * VW <= rows * k + k) {
    for (size_t t = 0; t < vectors; t++) {
      const vec v = *(const vec_u *)(g + f + t * VW);
      sums[t] += v;
      if (!gta) continue;
      const double *w = a + (base + pt->first[t]) * k;
      const vec w0 = *(const vec_u *)w, w1 = *(const vec_u *)(w + VW);
      for (size_t p = 0; p < k; p++) products[t][p] += v * __builtin_shuffle(w0, w1, pt->index[t][p]);
    }
    f += span;
    base += pt->rows;
  }
  /* lane l of pattern vector t holds column (t·VW + l) % n */
  for (size_t t = 0; t < vectors; t++)
    for (int l = 0; l < VW; l++) {
      const size_t j = (t * VW + l) % n;
      if (colsum) colsum[j] += sums[t][l];
      if (gta)
        for (size_t p = 0; p < k; p++) gta[j * k + p] += products[t][p][l];
    }
  for (; f < total; f++) {
    const size_t r = f / n, j = f % n;
    if (colsum) colsum[j] += g[f];
    if (gta)
      for (size_t p = 0; p < k; p++) gta[j * k + p] += g[f] * a[r * k + p];
  }
}

#define ACCUMULATE_CASE(P, K) \
  if (pt->vectors == P && k == K) return accumulate_fixed(pt, P, K, a, g, rows, n, colsum, gta);
static void accumulate(const pattern *pt, const double *a, const double *g, size_t rows, size_t n, size_t k, double *colsum, double *gta) {
  if (!pt) {
    for (size_t f = 0; f < rows * n; f++) {
      const size_t r = f / n, j = f % n;
      if (colsum) colsum[j] += g[f];
      if (gta)
        for (size_t p = 0; p < k; p++) gta[j * k + p] += g[f] * a[r * k + p];
    }
    return;
  }
  /* a pattern of 1, 3 or 5 vectors: n = 2, 4, 8; 3, 6; 5, 10 (VW = 8), with 1 to 3 inputs */
  ACCUMULATE_CASE(1, 1) ACCUMULATE_CASE(1, 2) ACCUMULATE_CASE(1, 3) ACCUMULATE_CASE(3, 1) ACCUMULATE_CASE(3, 2)
  ACCUMULATE_CASE(3, 3) ACCUMULATE_CASE(5, 1) ACCUMULATE_CASE(5, 2) ACCUMULATE_CASE(5, 3)
  accumulate_fixed(pt, pt->vectors, k, a, g, rows, n, colsum, gta);
}

void descent_softmax_affine(const double *a, const double *b, const double *bias, const double *scale, size_t rows,
                            size_t n, size_t k, int trans_b, double *out, double *lse, double *colsum, double *gta) {
  if (colsum) memset(colsum, 0, n * sizeof(double));
  if (gta) memset(gta, 0, n * k * sizeof(double));
  if (n == 0 || rows == 0) return;
  /* B as [n, k]: row j holds the weights of logit j */
  double bn[AFFINE_MAX_WEIGHTS];
  for (size_t j = 0; j < n; j++)
    for (size_t p = 0; p < k; p++) bn[j * k + p] = trans_b ? b[j * k + p] : b[p * n + j];
  pattern pt;
  const int vectorised = pattern_fits(n, k);
  if (vectorised) make_pattern(&pt, bn, bias, n, k);
  const size_t per = n >= DESCENT_ROWS_BLOCK ? 1 : DESCENT_ROWS_BLOCK / n;
  for (size_t r0 = 0; r0 < rows; r0 += per) {
    const size_t count = rows - r0 < per ? rows - r0 : per;
    affine_block(vectorised ? &pt : 0, a + r0 * k, bn, bias, scale ? scale + r0 : 0, count, n, k, out + r0 * n, lse ? lse + r0 : 0);
    if (colsum || gta) accumulate(vectorised ? &pt : 0, a + r0 * k, out + r0 * n, count, n, k, colsum, gta);
  }
}
