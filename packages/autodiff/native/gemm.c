// The native matrix product: BLIS-style blocking, packed panels and an MR × NR register tile of
// GCC vectors, compiled for the machine it runs on (FMA and AVX-512 where it has them). One thread.
//
// Loops, outside in: column blocks of NC, k chunks of KC (op(B) packed once per chunk), row blocks
// of MC (op(A) packed per block), then NR-wide panels of the packed B (one stays in L1) and MR-tall
// panels of the packed A. Panels are zero-padded, so the micro-kernel always computes a whole tile
// and only edge tiles go through a small buffer. Each C element is a sum over k ascending within a
// chunk (fused multiply-adds where the target has them), chunks added in order: deterministic on a
// given machine, not bit-identical to the JS and WebAssembly kernels (which never fuse).
#include <stdlib.h>
#include <string.h>
#include "native.h"

#include "vec.h"

#if VW == 8
#define MR 8 /* rows of the register tile: 8 × 3 = 24 of the 32 vector registers */
#else
#define MR 4 /* 4 × 3 = 12 of 16 */
#endif
#define NV 3          /* vectors per tile row */
#define NR (NV * VW)  /* columns of the register tile */
#define KC 256        /* k chunk: an MR × KC panel of A and a KC × NR panel of B stay in L1/L2 */
#define MC 96         /* rows of A packed at a time (MC × KC doubles = 192 KiB, in L2) */
#define NC 2048       /* columns of B packed at a time (NC × KC doubles = 4 MiB, in L3) */

/* Packing scratch, one per thread (worker threads of a sweep run products at the same time),
   allocated on first use and freed by descent_release_gemm_scratch when the thread's Node env ends. */
static _Thread_local double *packed_a = 0;
static _Thread_local double *packed_b = 0;

void descent_release_gemm_scratch(void) {
  free(packed_a);
  free(packed_b);
  packed_a = packed_b = 0;
}

/* `lines` lines of length kc into panels of `width` lines stored k by k, zero-padded:
   out[panel · width · kc + p · width + l] = element p of line (panel · width + l), which is
   src[line · sl + p · sp]. The rows of op(A) (width MR) and the columns of op(B) (width NR) are
   both packed so; when a line's elements are spaced (sp > 1) and lines are neighbours (sl = 1),
   the copy runs p outside so that memory is read in order. */
static inline __attribute__((always_inline)) void pack(const double *src, size_t sl, size_t sp, int lines, int kc, int width, double *out) {
  for (int l0 = 0; l0 < lines; l0 += width) {
    const int count = lines - l0 < width ? lines - l0 : width;
    double *o = out + (size_t)l0 * kc;
    const double *first = src + (size_t)l0 * sl;
    if (sl == 1) {
      for (int p = 0; p < kc; p++) {
        const double *s = first + (size_t)p * sp;
        int l = 0;
        for (; l < count; l++) o[p * width + l] = s[l];
        for (; l < width; l++) o[p * width + l] = 0;
      }
    } else {
      for (int l = 0; l < count; l++) {
        const double *s = first + (size_t)l * sl;
        for (int p = 0; p < kc; p++) o[p * width + l] = s[(size_t)p * sp];
      }
      for (int l = count; l < width; l++)
        for (int p = 0; p < kc; p++) o[p * width + l] = 0;
    }
  }
}

/* Rows [i0, i0 + mc) and columns [p0, p0 + kc) of op(A) into MR-row panels. */
static void pack_a(const double *a, int m, int k, int transA, int i0, int mc, int p0, int kc, double *out) {
  const size_t sAi = transA ? 1 : (size_t)k, sAp = transA ? (size_t)m : 1;
  pack(a + (size_t)i0 * sAi + (size_t)p0 * sAp, sAi, sAp, mc, kc, MR, out);
}

/* Rows [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into NR-column panels. */
static void pack_b(const double *b, int k, int n, int transB, int p0, int kc, int j0, int nc, double *out) {
  const size_t sBp = transB ? 1 : (size_t)n, sBj = transB ? (size_t)k : 1;
  pack(b + (size_t)p0 * sBp + (size_t)j0 * sBj, sBj, sBp, nc, kc, NR, out);
}

/* One MR × (nv · VW) tile of C (`rows` × `cols` of it exist) from an A panel and a B panel of
   length kc (rows of NR packed values, of which the first nv vectors are read). nv is a constant
   at each call site: the last panel of a C whose width is not a multiple of NR takes the
   narrowest tile that covers it (50 columns: 24 + 24 + 8, not 24 + 24 + 24). */
static inline __attribute__((always_inline)) void tile(int nv, int kc, const double *pa, const double *pb, double *c, size_t ldc, int rows, int cols, int add) {
  vec acc[MR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) acc[r][v] = (vec){0};
  for (int p = 0; p < kc; p++) {
    const vec_u *bp = (const vec_u *)(pb + (size_t)p * NR);
    vec bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) bv[v] = bp[v];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      const double av = pa[(size_t)p * MR + r];
#pragma GCC unroll 4
      for (int v = 0; v < nv; v++) acc[r][v] += av * bv[v];
    }
  }
  if (rows == MR && cols == nv * VW) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      vec_u *cr = (vec_u *)(c + (size_t)r * ldc);
#pragma GCC unroll 4
      for (int v = 0; v < nv; v++) cr[v] = add ? cr[v] + acc[r][v] : acc[r][v];
    }
    return;
  }
  double edge[MR * NR];
  for (int r = 0; r < MR; r++) memcpy(edge + r * NR, acc[r], (size_t)nv * sizeof(vec));
  for (int r = 0; r < rows; r++) {
    double *cr = c + (size_t)r * ldc;
    if (add) for (int q = 0; q < cols; q++) cr[q] += edge[r * NR + q];
    else for (int q = 0; q < cols; q++) cr[q] = edge[r * NR + q];
  }
}

/* The tiles of one NR-wide panel of C: the narrowest tile that covers its `cols` columns. */
static void panel(int kc, const double *pa, int mc, const double *pb, double *c, size_t ldc, int cols, int add) {
  for (int ip = 0; ip < mc; ip += MR) {
    const int rows = mc - ip < MR ? mc - ip : MR;
    const double *a = pa + (size_t)ip * kc;
    double *ct = c + (size_t)ip * ldc;
    if (cols > 2 * VW) tile(3, kc, a, pb, ct, ldc, rows, cols, add);
    else if (cols > VW) tile(2, kc, a, pb, ct, ldc, rows, cols, add);
    else tile(1, kc, a, pb, ct, ldc, rows, cols, add);
  }
}

/* Small outputs (m <= SMALL_M rows, n <= 2 VW columns, B not transposed), as Pᵀ X with a long k:
   C = Σ_p op(A)[:, p] ⊗ B[p, :], the whole of C in registers, one pass over A and B, no packing
   (packing and padding to the register tile cost 5-10x the work there). Row p of B is read as
   NV2 whole vectors, the lanes past n reading into the next row (discarded); the last rows, where
   that would pass the end of B, go through a zero-padded copy. */
#define SMALL_M (VW == 8 ? 12 : 6)
static void gemm_small(int m, int n, int k, int transA, const double *a, const double *b, double *c, int accumulate) {
  vec acc[SMALL_M][2];
  for (int i = 0; i < SMALL_M; i++) acc[i][0] = acc[i][1] = (vec){0};
  const int nv = n <= VW ? 1 : 2;
  const size_t sAi = transA ? 1 : (size_t)k, sAp = transA ? (size_t)m : 1;
  /* rows whose vector loads stay inside B: p·n + nv·VW <= k·n */
  const long span = (long)nv * VW;
  long safe = ((long)k * n - span) / n + 1;
  if ((long)k * n < span) safe = 0;
  if (safe > k) safe = k;
  double padded[2 * VW];
  for (int p = 0; p < k; p++) {
    const double *row = b + (size_t)p * n;
    if (p >= safe) {
      memset(padded, 0, sizeof padded);
      memcpy(padded, row, (size_t)n * sizeof(double));
      row = padded;
    }
    const vec b0 = *(const vec_u *)row;
    const vec b1 = nv == 2 ? *(const vec_u *)(row + VW) : (vec){0};
    const double *ap = a + (size_t)p * sAp;
    for (int i = 0; i < m; i++) {
      const double av = ap[(size_t)i * sAi];
      acc[i][0] += av * b0;
      if (nv == 2) acc[i][1] += av * b1;
    }
  }
  for (int i = 0; i < m; i++) {
    double out[2 * VW];
    memcpy(out, acc[i], sizeof out);
    double *ci = c + (size_t)i * n;
    if (accumulate) for (int j = 0; j < n; j++) ci[j] += out[j];
    else for (int j = 0; j < n; j++) ci[j] = out[j];
  }
}

int descent_gemm(int m, int n, int k, int transA, int transB,
                 const double *a, const double *b, double *c, int accumulate) {
  if (m == 0 || n == 0) return 0; /* an empty C: nothing to write (and no row of B to size loads by) */
  if (!transB && m <= SMALL_M && n <= 2 * VW && k > 0) {
    gemm_small(m, n, k, transA, a, b, c, accumulate);
    return 0;
  }
  if (!packed_a) {
    packed_a = aligned_alloc(64, sizeof(double) * (MC + MR) * KC);
    packed_b = aligned_alloc(64, sizeof(double) * (NC + NR) * KC);
    if (!packed_a || !packed_b) {
      free(packed_a);
      free(packed_b);
      packed_a = packed_b = 0;
      return -1;
    }
  }
  if (k == 0) {
    if (!accumulate) memset(c, 0, sizeof(double) * (size_t)m * n);
    return 0;
  }
  for (int j0 = 0; j0 < n; j0 += NC) {
    const int nc = n - j0 < NC ? n - j0 : NC;
    for (int p0 = 0; p0 < k; p0 += KC) {
      const int kc = k - p0 < KC ? k - p0 : KC;
      const int add = accumulate || p0 > 0;
      pack_b(b, k, n, transB, p0, kc, j0, nc, packed_b);
      for (int i0 = 0; i0 < m; i0 += MC) {
        const int mc = m - i0 < MC ? m - i0 : MC;
        pack_a(a, m, k, transA, i0, mc, p0, kc, packed_a);
        for (int jp = 0; jp < nc; jp += NR) {
          const int cols = nc - jp < NR ? nc - jp : NR;
          panel(kc, packed_a, mc, packed_b + (size_t)jp * kc, c + (size_t)i0 * n + j0 + jp, (size_t)n, cols, add);
        }
      }
    }
  }
  return 0;
}
