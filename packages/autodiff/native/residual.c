// One pass over a matrix for the sums of a residual t = m[j] - x[i, j] and of its square, by row
// and by column (optimize/residual.ts: a loss's reduction and its gradient's column sums together).
#include "native.h"
#include "vec.h"

static inline double lanes_sum(vec v) {
  double s = 0;
  for (int k = 0; k < VW; k++) s += v[k];
  return s;
}

/* The pass for one combination of outputs (the flags are constants in each call below, so the
   compiler makes one loop per combination, with no test inside it and no unused sum). */
static inline __attribute__((always_inline)) void residual_pass(
    const double *x, const double *m, size_t rows, size_t cols, double *row_sq, double *row_sum,
    double *col_sq, double *col_sum, const double *scale, const int has_m, const int rsq, const int rsum,
    const int csq, const int csum) {
  const vec zero = {0};
  for (size_t j = 0; j < cols; j++) {
    if (csq) col_sq[j] = 0;
    if (csum) col_sum[j] = 0;
  }
  for (size_t i = 0; i < rows; i++) {
    const double *xr = x + i * cols;
    vec sq = zero, sum = zero;
    size_t j = 0;
    for (; j + VW <= cols; j += VW) {
      const vec t = (has_m ? *(const vec_u *)(m + j) : zero) - *(const vec_u *)(xr + j);
      if (rsq) sq += t * t;
      if (rsum) sum += t;
      if (csum) *(vec_u *)(col_sum + j) += t;
      if (csq) *(vec_u *)(col_sq + j) += t * t;
    }
    double sq1 = rsq ? lanes_sum(sq) : 0, sum1 = rsum ? lanes_sum(sum) : 0;
    for (; j < cols; j++) {
      const double t = (has_m ? m[j] : 0.0) - xr[j];
      if (rsq) sq1 += t * t;
      if (rsum) sum1 += t;
      if (csum) col_sum[j] += t;
      if (csq) col_sq[j] += t * t;
    }
    if (rsq) row_sq[i] = scale[0] * sq1;
    if (rsum) row_sum[i] = scale[1] * sum1;
  }
  for (size_t j = 0; j < cols; j++) {
    if (csq) col_sq[j] *= scale[2];
    if (csum) col_sum[j] *= scale[3];
  }
}

#define PASS(HM, A, B, C, D) \
  residual_pass(x, m, rows, cols, row_sq, row_sum, col_sq, col_sum, scale, HM, A, B, C, D)
#define PASSES(HM) \
  switch ((row_sq != 0) | (row_sum != 0) << 1 | (col_sq != 0) << 2 | (col_sum != 0) << 3) { \
    case 1: PASS(HM, 1, 0, 0, 0); break; case 2: PASS(HM, 0, 1, 0, 0); break; \
    case 3: PASS(HM, 1, 1, 0, 0); break; case 4: PASS(HM, 0, 0, 1, 0); break; \
    case 5: PASS(HM, 1, 0, 1, 0); break; case 6: PASS(HM, 0, 1, 1, 0); break; \
    case 7: PASS(HM, 1, 1, 1, 0); break; case 8: PASS(HM, 0, 0, 0, 1); break; \
    case 9: PASS(HM, 1, 0, 0, 1); break; case 10: PASS(HM, 0, 1, 0, 1); break; \
    case 11: PASS(HM, 1, 1, 0, 1); break; case 12: PASS(HM, 0, 0, 1, 1); break; \
    case 13: PASS(HM, 1, 0, 1, 1); break; case 14: PASS(HM, 0, 1, 1, 1); break; \
    case 15: PASS(HM, 1, 1, 1, 1); break; default: break; \
  }

void descent_residual_sums(const double *x, const double *m, size_t rows, size_t cols, double *row_sq,
                           double *row_sum, double *col_sq, double *col_sum, const double *scale) {
  if (m) {
    PASSES(1)
  } else {
    PASSES(0)
  }
}
