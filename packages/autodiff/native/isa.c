// What the native kernels were compiled for (this file is compiled with the kernels' flags).
#include "native.h"
#include "vec.h"

const char *descent_isa(void) { return ISA; }

int descent_needs(void) {
  int needs = 0;
#ifdef __AVX__
  needs |= DESCENT_NEEDS_AVX;
#endif
#ifdef __AVX2__
  needs |= DESCENT_NEEDS_AVX2;
#endif
#ifdef __FMA__
  needs |= DESCENT_NEEDS_FMA;
#endif
#ifdef __AVX512F__
  needs |= DESCENT_NEEDS_AVX512F;
#endif
  return needs;
}
