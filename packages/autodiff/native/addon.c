// The Node-API binding of the native kernels, on Float64Arrays:
//   gemm(m, n, k, flags, a, aOff, b, bOff, c, cOff)   flags: 1 transA, 2 transB, 4 accumulate
//   exp(x, dst, count)   arcClamped(x, out, count, mode, maskedSlope | null)   softmax(x, out, rows, n, lse | null, emptyAsZero)   logsumexp(x, out, rows, n)
//   softmaxAffine(a, b, out, pack, rows, n, k, flags)   pack = [bias | scale | lse | colsum | gta]
//   residualSums(x, m | null, rows, cols, rowSq | null, rowSum | null, colSq | null, colSum | null, scale)
// and `isa`, the vector instructions they were compiled for (and `blocking`, the product's cache
// blocks as JSON, where the CPU can run them). Every argument is checked: a bad call
// throws a TypeError or RangeError, it never reads or writes outside the arrays. Compiled without
// the kernels' instruction sets, so that on a CPU lacking one it declines (`missing`) instead of dying.
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include "native.h"

#define FLAG_TRANS_A 1
#define FLAG_TRANS_B 2
#define FLAG_ACCUMULATE 4

/* One Float64Array argument: its data and length in elements. */
typedef struct {
  double *data;
  size_t length;
} f64;

static int get_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok && *out >= 0;
}

static int get_f64(napi_env env, napi_value v, f64 *out) {
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, &out->length, (void **)&out->data, 0, 0) != napi_ok) return 0;
  return type == napi_float64_array;
}

static int is_null(napi_env env, napi_value v) {
  napi_valuetype type;
  return napi_typeof(env, v, &type) == napi_ok && (type == napi_null || type == napi_undefined);
}

/* Whether [a, a + an) and [b, b + bn) share memory (compared as addresses). */
static int overlaps(const double *a, size_t an, const double *b, size_t bn) {
  const uintptr_t a0 = (uintptr_t)a, a1 = (uintptr_t)(a + an), b0 = (uintptr_t)b, b1 = (uintptr_t)(b + bn);
  return an > 0 && bn > 0 && a0 < b1 && b0 < a1;
}

/* The arguments of a call, exactly `count` of them. */
static int args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *name) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, 0, 0) == napi_ok && argc == count) return 1;
  napi_throw_type_error(env, 0, name);
  return 0;
}

static napi_value fail(napi_env env, int range, const char *message) {
  if (range) napi_throw_range_error(env, 0, message);
  else napi_throw_type_error(env, 0, message);
  return 0;
}

static napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!args(env, info, 10, argv, "gemm expects 10 arguments")) return 0;
  int32_t m, n, k, flags, aOff, bOff, cOff;
  f64 a, b, c;
  if (!get_int(env, argv[0], &m) || !get_int(env, argv[1], &n) || !get_int(env, argv[2], &k) ||
      !get_int(env, argv[3], &flags) || !get_int(env, argv[5], &aOff) || !get_int(env, argv[7], &bOff) ||
      !get_int(env, argv[9], &cOff))
    return fail(env, 0, "gemm: sizes, flags and offsets must be integers >= 0");
  if (!get_f64(env, argv[4], &a) || !get_f64(env, argv[6], &b) || !get_f64(env, argv[8], &c))
    return fail(env, 0, "gemm: a, b and c must be Float64Arrays");
  const size_t aSize = (size_t)m * k, bSize = (size_t)k * n, cSize = (size_t)m * n;
  if (aOff + aSize > a.length || bOff + bSize > b.length || cOff + cSize > c.length)
    return fail(env, 1, "gemm: a matrix does not fit in its array");
  const double *aStart = a.data + aOff, *bStart = b.data + bOff;
  double *cStart = c.data + cOff;
  if (overlaps(cStart, cSize, aStart, aSize) || overlaps(cStart, cSize, bStart, bSize))
    return fail(env, 1, "gemm: c overlaps a or b");
  const int trans = flags & (FLAG_TRANS_A | FLAG_TRANS_B);
  if (trans == FLAG_TRANS_B && n <= SKINNY_MAX && k >= 64)
    descent_gemm_skinny_nt(m, n, k, aStart, bStart, cStart, flags & FLAG_ACCUMULATE);
  else if (trans == FLAG_TRANS_A && m <= SKINNY_MAX && n >= 64)
    descent_gemm_skinny_tn(m, n, k, aStart, bStart, cStart, flags & FLAG_ACCUMULATE);
  else if (descent_gemm(m, n, k, flags & FLAG_TRANS_A, flags & FLAG_TRANS_B, aStart, bStart, cStart, flags & FLAG_ACCUMULATE) != 0)
    napi_throw_error(env, 0, "gemm: out of memory for the packing scratch");
  return 0;
}

static napi_value exp_(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv, "exp expects 3 arguments")) return 0;
  f64 x, dst;
  int32_t count;
  if (!get_f64(env, argv[0], &x) || !get_f64(env, argv[1], &dst) || !get_int(env, argv[2], &count))
    return fail(env, 0, "exp: (x, dst, count) with Float64Arrays and an integer >= 0");
  if ((size_t)count > x.length || (size_t)count > dst.length) return fail(env, 1, "exp: count is past an array's end");
  if (x.data != dst.data && overlaps(x.data, count, dst.data, count)) return fail(env, 1, "exp: dst partly overlaps x");
  descent_exp(x.data, dst.data, count);
  return 0;
}

static napi_value arc_clamped(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!args(env, info, 5, argv, "arcClamped expects 5 arguments")) return 0;
  f64 c, out, sm = {0, 0};
  int32_t count, mode;
  if (!get_f64(env, argv[0], &c) || !get_f64(env, argv[1], &out) || !get_int(env, argv[2], &count))
    return fail(env, 0, "arcClamped: (x, out, count, mode, maskedSlope) with Float64Arrays and an integer >= 0");
  if (!get_int(env, argv[3], &mode) || mode > DESCENT_ARC_VALUE_FROM_MASKED)
    return fail(env, 0, "arcClamped: mode must be 0 (slope), 1 (value), 2 (masked slope) or 3 (value from the masked slope)");
  if (mode == DESCENT_ARC_VALUE_FROM_MASKED && !get_f64(env, argv[4], &sm))
    return fail(env, 0, "arcClamped: mode 3 reads the masked slope, a Float64Array");
  if (mode != DESCENT_ARC_VALUE_FROM_MASKED && !is_null(env, argv[4])) return fail(env, 0, "arcClamped: maskedSlope must be null except in mode 3");
  if ((size_t)count > c.length || (size_t)count > out.length || (sm.data && (size_t)count > sm.length))
    return fail(env, 1, "arcClamped: count is past an array's end");
  if (c.data != out.data && overlaps(c.data, count, out.data, count)) return fail(env, 1, "arcClamped: out partly overlaps x");
  if (sm.data && sm.data != out.data && overlaps(sm.data, count, out.data, count)) return fail(env, 1, "arcClamped: out partly overlaps maskedSlope");
  descent_arc_clamped(c.data, sm.data, out.data, count, mode);
  return 0;
}

/* The (x, out, rows, n) arguments shared by softmax and logsumexp; out holds outLength(rows, n). */
static int rows_args(napi_env env, napi_value *argv, f64 *x, f64 *out, int32_t *rows, int32_t *n, int per_row, const char *name) {
  if (!get_f64(env, argv[0], x) || !get_f64(env, argv[1], out) || !get_int(env, argv[2], rows) || !get_int(env, argv[3], n)) {
    fail(env, 0, name);
    return 0;
  }
  const size_t size = (size_t)*rows * *n;
  if (size > x->length || (per_row ? size : (size_t)*rows) > out->length) {
    fail(env, 1, "rows: rows × n values do not fit in the arrays");
    return 0;
  }
  return 1;
}

static napi_value softmax(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, 6, argv, "softmax expects 6 arguments")) return 0;
  f64 x, out, lse = {0, 0};
  int32_t rows, n;
  if (!rows_args(env, argv, &x, &out, &rows, &n, 1, "softmax: (x, out, rows, n, lse) with Float64Arrays and integers >= 0")) return 0;
  const int hasLse = !is_null(env, argv[4]);
  if (hasLse && !get_f64(env, argv[4], &lse)) return fail(env, 0, "softmax: lse must be a Float64Array or null");
  const size_t size = (size_t)rows * n;
  if (hasLse && lse.length < (size_t)rows) return fail(env, 1, "softmax: lse is shorter than rows");
  if (x.data != out.data && overlaps(x.data, size, out.data, size)) return fail(env, 1, "softmax: out partly overlaps x");
  if (hasLse && (overlaps(lse.data, rows, x.data, size) || overlaps(lse.data, rows, out.data, size)))
    return fail(env, 1, "softmax: lse overlaps x or out");
  bool emptyAsZero;
  if (napi_get_value_bool(env, argv[5], &emptyAsZero) != napi_ok) return fail(env, 0, "softmax: emptyAsZero must be a boolean");
  descent_softmax_rows(x.data, out.data, rows, n, hasLse ? lse.data : 0, emptyAsZero);
  return 0;
}

/* softmaxAffine(a, b, out, pack, rows, n, k, flags): softmax-affine.c's descent_softmax_affine, with
   the kernel's small arrays in one (four typed arrays a call instead of eight: each costs the call
   ~60 ns): pack = [bias n | scale rows | lse rows | colsum n | gta n·k]; flags: 1 B is [n, k]
   (transB), 2 scale, 4 lse, 8 colsum, 16 gta (the parts not flagged are not read or written). */
#define AFFINE_TRANS_B 1
#define AFFINE_SCALE 2
#define AFFINE_LSE 4
#define AFFINE_COLSUM 8
#define AFFINE_GTA 16
static napi_value softmax_affine(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, 8, argv, "softmaxAffine expects 8 arguments")) return 0;
  f64 a, b, out, pack;
  int32_t rows, n, k, flags;
  if (!get_f64(env, argv[0], &a) || !get_f64(env, argv[1], &b) || !get_f64(env, argv[2], &out) || !get_f64(env, argv[3], &pack) ||
      !get_int(env, argv[4], &rows) || !get_int(env, argv[5], &n) || !get_int(env, argv[6], &k) || !get_int(env, argv[7], &flags))
    return fail(env, 0, "softmaxAffine: (a, b, out, pack, rows, n, k, flags) with Float64Arrays and integers >= 0");
  const size_t aSize = (size_t)rows * k, bSize = (size_t)n * k, size = (size_t)rows * n;
  const size_t packSize = 2 * (size_t)n + 2 * (size_t)rows + bSize;
  if (bSize > AFFINE_MAX_WEIGHTS) return fail(env, 1, "softmaxAffine: n × k is more than 4096");
  if (aSize > a.length || bSize > b.length || size > out.length || packSize > pack.length)
    return fail(env, 1, "softmaxAffine: an array is shorter than its rows, n and k need");
  if (overlaps(out.data, size, a.data, aSize) || overlaps(out.data, size, b.data, bSize) || overlaps(out.data, size, pack.data, packSize) ||
      overlaps(pack.data, packSize, a.data, aSize) || overlaps(pack.data, packSize, b.data, bSize))
    return fail(env, 1, "softmaxAffine: out or pack overlaps another array");
  double *bias = pack.data, *scale = bias + n, *lse = scale + rows, *colsum = lse + rows, *gta = colsum + n;
  descent_softmax_affine(a.data, b.data, bias, flags & AFFINE_SCALE ? scale : 0, rows, n, k, flags & AFFINE_TRANS_B, out.data,
                         flags & AFFINE_LSE ? lse : 0, flags & AFFINE_COLSUM ? colsum : 0, flags & AFFINE_GTA ? gta : 0);
  return 0;
}

static napi_value logsumexp(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, 4, argv, "logsumexp expects 4 arguments")) return 0;
  f64 x, out;
  int32_t rows, n;
  if (!rows_args(env, argv, &x, &out, &rows, &n, 0, "logsumexp: (x, out, rows, n) with Float64Arrays and integers >= 0")) return 0;
  if (overlaps(out.data, rows, x.data, (size_t)rows * n)) return fail(env, 1, "logsumexp: out overlaps x");
  if (descent_logsumexp_rows(x.data, out.data, rows, n) != 0) napi_throw_error(env, 0, "logsumexp: out of memory for its scratch");
  return 0;
}

/* randomNormal / randomUniform(state, out, offset, count): state an Int32Array of the 4 generator words. */
static napi_value random_fill(napi_env env, napi_callback_info info, int normal) {
  napi_value argv[4];
  if (!args(env, info, 4, argv, "random fill expects 4 arguments")) return 0;
  napi_typedarray_type type;
  size_t words;
  void *state;
  f64 out;
  int32_t offset, count;
  if (napi_get_typedarray_info(env, argv[0], &type, &words, &state, 0, 0) != napi_ok || type != napi_int32_array || words != 4)
    return fail(env, 0, "random fill: state must be an Int32Array of 4 words");
  if (!get_f64(env, argv[1], &out) || !get_int(env, argv[2], &offset) || !get_int(env, argv[3], &count))
    return fail(env, 0, "random fill: (state, out, offset, count) with a Float64Array and integers >= 0");
  if ((size_t)offset + (size_t)count > out.length) return fail(env, 1, "random fill: offset + count is past the end of out");
  if (normal) descent_random_normal((uint32_t *)state, out.data + offset, count);
  else descent_random_uniform((uint32_t *)state, out.data + offset, count);
  return 0;
}

static napi_value random_normal(napi_env env, napi_callback_info info) { return random_fill(env, info, 1); }
static napi_value random_uniform(napi_env env, napi_callback_info info) { return random_fill(env, info, 0); }

static napi_value residual_sums(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!args(env, info, 9, argv, "residualSums expects 9 arguments")) return 0;
  f64 x, m = {0, 0}, scale, outs[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
  int32_t rows, cols;
  if (!get_f64(env, argv[0], &x) || !get_int(env, argv[2], &rows) || !get_int(env, argv[3], &cols) || !get_f64(env, argv[8], &scale))
    return fail(env, 0, "residualSums: (x, m, rows, cols, rowSq, rowSum, colSq, colSum, scale) with Float64Arrays (or null) and integers >= 0");
  if (!is_null(env, argv[1]) && !get_f64(env, argv[1], &m)) return fail(env, 0, "residualSums: m must be a Float64Array or null");
  for (int k = 0; k < 4; k++)
    if (!is_null(env, argv[4 + k]) && !get_f64(env, argv[4 + k], &outs[k])) return fail(env, 0, "residualSums: an output must be a Float64Array or null");
  const size_t size = (size_t)rows * cols, need[4] = {(size_t)rows, (size_t)rows, (size_t)cols, (size_t)cols};
  if (size > x.length || (m.data && (size_t)cols > m.length) || scale.length < 4) return fail(env, 1, "residualSums: x, m or scale is too short");
  for (int k = 0; k < 4; k++) {
    if (!outs[k].data) continue;
    if (outs[k].length < need[k]) return fail(env, 1, "residualSums: an output is too short");
    if (overlaps(outs[k].data, need[k], x.data, size) || (m.data && overlaps(outs[k].data, need[k], m.data, cols)))
      return fail(env, 1, "residualSums: an output overlaps x or m");
  }
  descent_residual_sums(x.data, m.data, rows, cols, outs[0].data, outs[1].data, outs[2].data, outs[3].data, scale.data);
  return 0;
}

/* The first instruction set the kernels were compiled to use that this CPU lacks, or null. An addon
   built on one machine and run on another (a cluster's nodes) must not die of an illegal instruction. */
static const char *missing_feature(void) {
#if defined(__x86_64__) || defined(__i386__)
  const int needs = descent_needs();
  __builtin_cpu_init();
  if ((needs & DESCENT_NEEDS_AVX) && !__builtin_cpu_supports("avx")) return "avx";
  if ((needs & DESCENT_NEEDS_AVX2) && !__builtin_cpu_supports("avx2")) return "avx2";
  if ((needs & DESCENT_NEEDS_FMA) && !__builtin_cpu_supports("fma")) return "fma";
  if ((needs & DESCENT_NEEDS_AVX512F) && !__builtin_cpu_supports("avx512f")) return "avx512f";
#endif
  return 0;
}

static int export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, 0, &fn) == napi_ok &&
         napi_set_named_property(env, exports, name, fn) == napi_ok;
}

static int export_string(napi_env env, napi_value exports, const char *name, const char *text) {
  napi_value value;
  return napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value) == napi_ok &&
         napi_set_named_property(env, exports, name, value) == napi_ok;
}

/* The kernels' scratch is per thread: freed when the env of this thread (the main one or a worker) ends. */
static void release_scratch(void *unused) {
  (void)unused;
  descent_release_gemm_scratch();
  descent_release_rows_scratch();
}

/* exports: { isa, blocking, gemm, exp, arcClamped, softmax, softmaxAffine, logsumexp, residualSums, randomNormal, randomUniform } on a CPU that can run the kernels, { isa, missing } otherwise. */
static napi_value init(napi_env env, napi_value exports) {
  const char *missing = missing_feature();
  if (napi_add_env_cleanup_hook(env, release_scratch, 0) != napi_ok) return 0;
  if (!export_string(env, exports, "isa", descent_isa())) return 0;
  if (missing) return export_string(env, exports, "missing", missing) ? exports : 0;
  if (!export_string(env, exports, "blocking", descent_gemm_blocking())) return 0;
  if (!export_function(env, exports, "gemm", gemm) || !export_function(env, exports, "exp", exp_) ||
      !export_function(env, exports, "arcClamped", arc_clamped) ||
      !export_function(env, exports, "softmax", softmax) || !export_function(env, exports, "softmaxAffine", softmax_affine) || !export_function(env, exports, "logsumexp", logsumexp) ||
      !export_function(env, exports, "residualSums", residual_sums) ||
      !export_function(env, exports, "randomNormal", random_normal) || !export_function(env, exports, "randomUniform", random_uniform))
    return 0;
  return exports;
}

NAPI_MODULE(descent_native, init)
