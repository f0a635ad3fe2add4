// Products with one side of at most 8 rows, in one pass over the long operand (no packing):
// C = A·Bᵀ with B [n, k], n <= 8 (a batch against a few weight rows) and C = Aᵀ·B with A [k, m],
// m <= 8 (a few gradient columns against the batch). Blocked gemm packs the long operand first,
// which for these shapes costs as much as the product itself.
#include "native.h"
#include "vec.h"

/* C [m, n] (+)= A [m, k] · B [n, k]ᵀ, n <= SKINNY_MAX. */
void descent_gemm_skinny_nt(int m, int n, int k, const double *a, const double *b, double *c, int accumulate) {
  for (int i = 0; i < m; i++) {
    const double *ar = a + (size_t)i * k;
    vec acc[SKINNY_MAX];
    for (int r = 0; r < n; r++) acc[r] = (vec){0};
    int p = 0;
    for (; p + VW <= k; p += VW) {
      const vec x = *(const vec_u *)(ar + p);
      for (int r = 0; r < n; r++) acc[r] += x * *(const vec_u *)(b + (size_t)r * k + p);
    }
    for (int r = 0; r < n; r++) {
      double s = 0;
      for (int l = 0; l < VW; l++) s += acc[r][l];
      const double *br = b + (size_t)r * k;
      for (int q = p; q < k; q++) s += ar[q] * br[q];
      c[(size_t)i * n + r] = accumulate ? c[(size_t)i * n + r] + s : s;
    }
  }
}

/* C [m, n] (+)= A [k, m]ᵀ · B [k, n], m <= SKINNY_MAX: C's m rows stay in cache while B streams by. */
void descent_gemm_skinny_tn(int m, int n, int k, const double *a, const double *b, double *c, int accumulate) {
  if (!accumulate)
    for (size_t q = 0; q < (size_t)m * n; q++) c[q] = 0;
  for (int i = 0; i < k; i++) {
    const double *br = b + (size_t)i * n;
    const double *ar = a + (size_t)i * m;
    for (int r = 0; r < m; r++) {
      const double s = ar[r];
      double *cr = c + (size_t)r * n;
      int q = 0;
      for (; q + VW <= n; q += VW) *(vec_u *)(cr + q) += s * *(const vec_u *)(br + q);
      for (; q < n; q++) cr[q] += s * br[q];
    }
  }
}
