// The native matrix product: BLIS-style blocking, packed panels and an MR × NR register tile of
// GCC vectors, compiled for the machine it runs on (FMA and AVX-512 where it has them). One thread.
//
// Loops, outside in: column blocks of NC, k chunks of KC (op(B) packed once per chunk), row blocks
// of MC (op(A) packed per block), then NR-wide panels of the packed B (one stays in L1) and MR-tall
// panels of the packed A. Panels are zero-padded, so the micro-kernel always computes a whole tile
// and only edge tiles go through a small buffer. The blocks are sized to the caches of the CPU
// running it (descent_cache_sizes, isa.c): a KC × NR panel of B in part of L1, an MC × KC block of
// A in half of L2, a KC × NC block of B in half of (at most 32 MiB of) L3.
// Products whose op(A) fits in about two L2s (k at most half an L2 of B panel) skip packing A: the
// tile reads op(A) and the rows of B where they are, and only B's last, partial panel (or every
// panel of a transposed B) is packed. Packing costs a large share of the work there, and the
// hardware prefetchers keep MR rows of A streaming from L2.
// Each C element is a sum over k ascending within a chunk (fused multiply-adds where the target
// has them), chunks added in order: deterministic on a given machine, not bit-identical to the JS
// and WebAssembly kernels (which never fuse).
#include <stdio.h>
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
#ifndef L1_SHARE
#define L1_SHARE 0.75 /* of L1 for the KC × NR panel of B (the rest: the streaming A panel and C) */
#endif
#ifndef DIRECT_A_L2
#define DIRECT_A_L2 2.0 /* op(A) of at most this many L2s is read in place, not packed */
#endif

/* The block sizes, set once per process from the cache sizes (every thread computes the same), and
   the largest op(A) (elements) and k that the unpacked path takes. */
static int MC, KC, NC;
static long direct_a, direct_k;
static int blocking_ready = 0;

static void set_blocking(void) {
  if (__atomic_load_n(&blocking_ready, __ATOMIC_ACQUIRE)) return;
  long cache[3];
  descent_cache_sizes(cache);
  const long l3 = cache[2] < (32L << 20) ? cache[2] : (32L << 20); /* shared, and some VMs report any size */
  long kc = (long)(cache[0] * L1_SHARE) / (NR * (long)sizeof(double));
  kc = kc < 64 ? 64 : kc > 1024 ? 1024 : kc & ~7L;
  long mc = cache[1] / 2 / (kc * (long)sizeof(double));
  mc = mc < MR ? MR : mc > 4096 ? 4096 : mc - mc % MR;
  long nc = l3 / 2 / (kc * (long)sizeof(double));
  nc = nc < NR ? NR : nc > 4096 ? 4096 - 4096 % NR : nc - nc % NR;
  __atomic_store_n(&KC, (int)kc, __ATOMIC_RELAXED);
  __atomic_store_n(&MC, (int)mc, __ATOMIC_RELAXED);
  __atomic_store_n(&NC, (int)nc, __ATOMIC_RELAXED);
  __atomic_store_n(&direct_a, (long)(cache[1] * DIRECT_A_L2) / (long)sizeof(double), __ATOMIC_RELAXED);
  __atomic_store_n(&direct_k, cache[1] / 2 / (NR * (long)sizeof(double)), __ATOMIC_RELAXED);
  __atomic_store_n(&blocking_ready, 1, __ATOMIC_RELEASE);
}

const char *descent_gemm_blocking(void) {
  static char text[256];
  set_blocking();
  long cache[3];
  descent_cache_sizes(cache);
  snprintf(text, sizeof text, "{\"l1d\":%ld,\"l2\":%ld,\"l3\":%ld,\"mr\":%d,\"nr\":%d,\"mc\":%d,\"kc\":%d,\"nc\":%d,\"directA\":%ld,\"directK\":%ld}",
           cache[0], cache[1], cache[2], MR, NR, MC, KC, NC, direct_a, direct_k);
  return text;
}

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
   length kc: element (r, p) of the A panel at pa[r · ars + p · aps], the first nv vectors of row p
   of the B panel at pb + p · bps. Packed panels: ars = 1, aps = MR, bps = NR, zero-padded. Unpacked
   A (`direct`): rows past `rows` read row 0 again (their sums are discarded), so that no read
   leaves A. nv is a constant at each call site: the last panel of a C whose width is not a
   multiple of NR takes the narrowest tile that covers it (50 columns: 24 + 24 + 8, not 24 × 3). */
static inline __attribute__((always_inline)) void tile(int nv, int kc, const double *pa, size_t ars, size_t aps, int direct,
                                                       const double *pb, size_t bps, double *c, size_t ldc, int rows, int cols, int add) {
  vec acc[MR][NV];
  const double *ar[MR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++) ar[r] = pa + (direct && r >= rows ? 0 : (size_t)r * ars);
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) acc[r][v] = (vec){0};
  for (int p = 0; p < kc; p++) {
    const vec_u *bp = (const vec_u *)(pb + (size_t)p * bps);
    vec bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) bv[v] = bp[v];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      const double av = ar[r][(size_t)p * aps];
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
    if (cols > 2 * VW) tile(3, kc, a, 1, MR, 0, pb, NR, ct, ldc, rows, cols, add);
    else if (cols > VW) tile(2, kc, a, 1, MR, 0, pb, NR, ct, ldc, rows, cols, add);
    else tile(1, kc, a, 1, MR, 0, pb, NR, ct, ldc, rows, cols, add);
  }
}

/* The tiles of one NR-wide panel of C from op(A) where it is (row i, step p at a[i · ars + p · aps])
   and a B panel of rows bps apart. */
static void panel_direct(int k, const double *a, size_t ars, size_t aps, int m, const double *pb, size_t bps, double *c, size_t ldc, int cols, int add) {
  for (int ip = 0; ip < m; ip += MR) {
    const int rows = m - ip < MR ? m - ip : MR;
    const double *at = a + (size_t)ip * ars;
    double *ct = c + (size_t)ip * ldc;
    if (cols > 2 * VW) tile(3, k, at, ars, aps, 1, pb, bps, ct, ldc, rows, cols, add);
    else if (cols > VW) tile(2, k, at, ars, aps, 1, pb, bps, ct, ldc, rows, cols, add);
    else tile(1, k, at, ars, aps, 1, pb, bps, ct, ldc, rows, cols, add);
  }
}

/* A symmetric product (Xᵀ·X or X·Xᵀ of one X, written, not accumulated) computes only the tiles
   holding elements on or above the diagonal, then copies the upper triangle onto the lower: each
   C[i][j] is the same sum of the same products in the same order as C[j][i], so the copy is
   bit-identical to computing it. The tiles to compute in a panel whose columns end at col_end,
   of a block of `rows` rows starting at row row0: those starting above col_end. */
static inline int upper_rows(int row0, int rows, int col_end) {
  const int need = col_end - row0;
  if (need <= 0) return 0;
  const int whole = (need + MR - 1) / MR * MR;
  return whole < rows ? whole : rows;
}

/* C[i][j] = C[j][i] for i > j, in 16 × 16 blocks so that the column reads stay in cache. */
static void mirror_upper(int n, double *c) {
  enum { B = 16 };
  for (int i0 = 0; i0 < n; i0 += B) {
    const int i1 = i0 + B < n ? i0 + B : n;
    for (int j0 = 0; j0 <= i0; j0 += B) {
      const int j1 = j0 + B < n ? j0 + B : n;
      for (int i = i0; i < i1; i++) {
        const int jend = j1 < i ? j1 : i;
        for (int j = j0; j < jend; j++) c[(size_t)i * n + j] = c[(size_t)j * n + i];
      }
    }
  }
}

/* C = op(A)·op(B) without packing A: each NR-wide panel of B read in place (rows of B not
   transposed, all NR columns inside B), or packed alone first (a transposed B, the last partial
   panel), then every MR-row tile of C across it (the panel stays in L1 or L2). A packed panel
   (k × NR) must fit in packed_b: k <= (NC + NR) / NR · KC. */
static void gemm_direct(int m, int n, int k, int transA, int transB, const double *a, const double *b, double *c, int accumulate, int upper) {
  const size_t ars = transA ? 1 : (size_t)k, aps = transA ? (size_t)m : 1;
  for (int jp = 0; jp < n; jp += NR) {
    const int cols = n - jp < NR ? n - jp : NR;
    const int rows = upper ? upper_rows(0, m, jp + cols) : m;
    if (!transB && cols == NR) {
      panel_direct(k, a, ars, aps, rows, b + jp, (size_t)n, c + jp, (size_t)n, cols, accumulate);
    } else {
      pack_b(b, k, n, transB, 0, k, jp, cols, packed_b);
      panel_direct(k, a, ars, aps, rows, packed_b, NR, c + jp, (size_t)n, cols, accumulate);
    }
  }
}

/* Small outputs (m <= SMALL_M rows, n <= 2 VW columns, B not transposed), as Pᵀ X with a long k:
   C = Σ_p op(A)[:, p] ⊗ B[p, :], the whole of C in registers, one pass over A and B, no packing
   (packing and padding to the register tile cost 5-10x the work there). Row p of B is read as
   NV2 whole vectors, the lanes past n reading into the next row (discarded); the last rows, where
   that would pass the end of B, go through a zero-padded copy. */
#define SMALL_M (VW == 8 ? 12 : 6)
static inline __attribute__((always_inline)) void gemm_small_fixed(int m, int nv, int n, int k, int transA, const double *a, const double *b,
                                                                   double *c, int accumulate) {
  vec acc[SMALL_M][2];
  for (int i = 0; i < SMALL_M; i++) acc[i][0] = acc[i][1] = (vec){0};
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

/* gemm_small with m and the vectors per row of B constants (one copy each): C's accumulators then
   stay in registers instead of memory (Pᵀ X of [400, 5] and [400, 2]: 1.84 -> see docs/performance.md). */
#define SMALL_CASE(M)                                                     \
  case M:                                                                 \
    if (nv == 1) gemm_small_fixed(M, 1, n, k, transA, a, b, c, accumulate); \
    else gemm_small_fixed(M, 2, n, k, transA, a, b, c, accumulate);       \
    return;
static void gemm_small(int m, int n, int k, int transA, const double *a, const double *b, double *c, int accumulate) {
  const int nv = n <= VW ? 1 : 2;
  switch (m) {
    SMALL_CASE(1) SMALL_CASE(2) SMALL_CASE(3) SMALL_CASE(4) SMALL_CASE(5) SMALL_CASE(6)
#if VW == 8
    SMALL_CASE(7) SMALL_CASE(8) SMALL_CASE(9) SMALL_CASE(10) SMALL_CASE(11) SMALL_CASE(12)
#endif
    default: gemm_small_fixed(m, nv, n, k, transA, a, b, c, accumulate);
  }
}

int descent_gemm(int m, int n, int k, int transA, int transB,
                 const double *a, const double *b, double *c, int accumulate) {
  if (m == 0 || n == 0) return 0; /* an empty C: nothing to write (and no row of B to size loads by) */
  if (!transB && m <= SMALL_M && n <= 2 * VW && k > 0) {
    gemm_small(m, n, k, transA, a, b, c, accumulate);
    return 0;
  }
  set_blocking();
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
  const int upper = !accumulate && a == b && transA != transB && m == n;
  if ((long)m * k <= direct_a && k <= direct_k && k <= (NC + NR) / NR * KC) {
    gemm_direct(m, n, k, transA, transB, a, b, c, accumulate, upper);
    if (upper) mirror_upper(n, c);
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
        if (upper && i0 >= j0 + nc) break; /* this row block and the next lie below the diagonal */
        pack_a(a, m, k, transA, i0, mc, p0, kc, packed_a);
        for (int jp = 0; jp < nc; jp += NR) {
          const int cols = nc - jp < NR ? nc - jp : NR;
          const int rows = upper ? upper_rows(i0, mc, j0 + jp + cols) : mc;
          if (rows > 0) panel(kc, packed_a, rows, packed_b + (size_t)jp * kc, c + (size_t)i0 * n + j0 + jp, (size_t)n, cols, add);
        }
      }
    }
  }
  if (upper) mirror_upper(n, c);
  return 0;
}
