// The native kernels' C interface (gemm.c, rows.c, random.c, arc.c, isa.c), called by the Node-API binding (addon.c).
#ifndef DESCENT_NATIVE_H
#define DESCENT_NATIVE_H
#include <stddef.h>
#include <stdint.h>

/* C = op(A)·op(B) (or C += op(A)·op(B) when accumulate), row-major, op(A) [m, k], op(B) [k, n]:
   A stored [m, k] or [k, m] (transA), B stored [k, n] or [n, k] (transB). C must not overlap A or B.
   Returns 0, or -1 when the packing scratch could not be allocated. */
int descent_gemm(int m, int n, int k, int transA, int transB,
                 const double *a, const double *b, double *c, int accumulate);

/* dst[i] = exp(x[i]) for i < count (dst == x allowed). */
void descent_exp(const double *x, double *dst, size_t count);

/* Softmax of each of `rows` rows of n values, x to out (out == x allowed); with lse (not null),
   each row's logsumexp there too. A row whose max is ±inf gets that max as its logsumexp. A row of
   -inf gives NaN, or 0s with empty_as_zero. */
void descent_softmax_rows(const double *x, double *out, size_t rows, size_t n, double *lse, int empty_as_zero);

/* Softmax over the rows of the affine logits z = A·B + bias (softmax-affine.c): A [rows, k] row-major,
   B [n, k] (trans_b) or [k, n], bias [n], the product summed in the reference loop's order then the
   bias added; with scale (not null) each softmax row r is then multiplied by scale[r]; with lse
   (not null) each row's logsumexp there too. And, of the output g, the sums a gradient reads:
   colsum[j] = sum_r g[r, j] and gta [n, k] = gᵀ·A (each when not null). n·k <= AFFINE_MAX_WEIGHTS.
   Outputs must not overlap the inputs or each other. */
#define AFFINE_MAX_WEIGHTS 4096
void descent_softmax_affine(const double *a, const double *b, const double *bias, const double *scale, size_t rows,
                            size_t n, size_t k, int trans_b, double *out, double *lse, double *colsum, double *gta);

/* What softmax-affine.c shares with rows.c: the softmax of rows in place, each row then times
   weight[r] (when given), each row's logsumexp into lse (when given); and dst[i] = log(x[i]), i < count
   (about 1 ulp; non-positive, subnormal and non-finite x by the C library's log). Blocks of at most
   DESCENT_ROWS_BLOCK values; values within ±DESCENT_ROWS_SAFE are exponentiated without a shift. */
void descent_softmax_rows_weighted(double *x, size_t rows, size_t n, double *lse, const double *weight);
void descent_log(const double *x, double *dst, size_t count);
#define DESCENT_ROWS_BLOCK 4096
#define DESCENT_ROWS_SAFE 300.0

/* out[r] = log sum_i exp(x[r·n + i]) for r < rows, stably (max first). Returns 0, or -1 when
   its scratch could not be allocated. */
int descent_logsumexp_rows(const double *x, double *out, size_t rows, size_t n);

/* For c = min(max(x[i], -1), 1), i < count (out == x allowed), by mode (arc.c):
   DESCENT_ARC_SLOPE              out[i] = s = π − acos c (the arc-cosine kernel's slope)
   DESCENT_ARC_VALUE              out[i] = sqrt(1 − c·c) + s·c (its value)
   DESCENT_ARC_SLOPE_MASKED       out[i] = s where x[i] >= -1 and max(x[i], -1) <= 1, else 0 (the slope
                                  times the clamp's derivative: 0 outside [-1, 1] and at NaN)
   DESCENT_ARC_VALUE_FROM_MASKED  the value, with s read from masked_slope[i] (DESCENT_ARC_SLOPE_MASKED's
                                  output for the same x) where it is not masked: no acos
   Bit-identical to the generated clamp and loops with kernels/fast-acos.ts (NaN clamps to -1, as
   there); masked_slope is read only by DESCENT_ARC_VALUE_FROM_MASKED (else may be null). */
#define DESCENT_ARC_SLOPE 0
#define DESCENT_ARC_VALUE 1
#define DESCENT_ARC_SLOPE_MASKED 2
#define DESCENT_ARC_VALUE_FROM_MASKED 3
void descent_arc_clamped(const double *x, const double *masked_slope, double *out, size_t count, int mode);

/* The bulk generator (random.c): `count` standard normals, or uniforms in [0, 1), into out, from
   and advancing the xoshiro128** state (4 words); the same bits as src/random/bulk-js.ts. */
void descent_random_normal(uint32_t *state, double *out, size_t count);
void descent_random_uniform(uint32_t *state, double *out, size_t count);
/* One pass over x [rows, cols] with t = m[j] - x[i, j] (t = -x[i, j] when m is null): each non-null
   output gets its sum times its scale: row_sq[i] = scale[0] Σ_j t², row_sum[i] = scale[1] Σ_j t,
   col_sq[j] = scale[2] Σ_i t², col_sum[j] = scale[3] Σ_i t. Outputs must not overlap x or m. */
void descent_residual_sums(const double *x, const double *m, size_t rows, size_t cols, double *row_sq,
                           double *row_sum, double *col_sq, double *col_sum, const double *scale);

/* Products with a side of at most SKINNY_MAX rows, one pass over the other operand (skinny.c):
   C [m, n] (+)= A [m, k]·B [n, k]ᵀ with n <= SKINNY_MAX, and C [m, n] (+)= A [k, m]ᵀ·B [k, n] with m <= SKINNY_MAX. */
#define SKINNY_MAX 8
void descent_gemm_skinny_nt(int m, int n, int k, const double *a, const double *b, double *c, int accumulate);
void descent_gemm_skinny_tn(int m, int n, int k, const double *a, const double *b, double *c, int accumulate);

/* Frees the calling thread's scratch (the binding calls both when a Node env, a worker, ends). */
void descent_release_gemm_scratch(void);
void descent_release_rows_scratch(void);

/* The vector instructions the kernels were compiled for: "avx512", "avx" or "generic". */
const char *descent_isa(void);

/* The x86 features the compiler was allowed to use in the kernels (DESCENT_NEEDS_* bits): the
   binding, compiled without them, checks that the CPU running it has each before it offers any. */
#define DESCENT_NEEDS_AVX 1
#define DESCENT_NEEDS_AVX2 2
#define DESCENT_NEEDS_FMA 4
#define DESCENT_NEEDS_AVX512F 8
int descent_needs(void);

/* The sizes in bytes of the L1 data, L2 and L3 caches of the CPU running this: from sysfs (Linux),
   else cpuid (leaf 4 on Intel, 0x8000001D or 0x80000005/6 on AMD), else typical values. */
void descent_cache_sizes(long sizes[3]);

/* The caches and the block sizes the product uses on this CPU, as JSON: l1d, l2, l3 (bytes), the
   register tile mr × nr, the blocks mc, kc, nc, and the largest op(A) (directA elements) and k
   (directK) read without packing. */
const char *descent_gemm_blocking(void);

#endif
