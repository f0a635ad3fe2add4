// The vector types the native kernels are written in (GCC vector extensions): as wide as the
// target's registers, so one source compiles to AVX-512, AVX2 or SSE2 code.
#ifndef DESCENT_VEC_H
#define DESCENT_VEC_H
#include <stdint.h>

#if defined(__AVX512F__)
#define VW 8 /* doubles per vector register */
#define ISA "avx512"
#elif defined(__AVX__)
#define VW 4
#define ISA "avx"
#else
#define VW 2
#define ISA "generic"
#endif

typedef double vec __attribute__((vector_size(VW * 8)));
typedef int64_t ivec __attribute__((vector_size(VW * 8)));
/* the same vector read and written at any 8-byte alignment (rows of C, packed panels) */
typedef double vec_u __attribute__((vector_size(VW * 8), aligned(8)));

#endif
