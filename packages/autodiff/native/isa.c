// What the native kernels were compiled for (this file is compiled with the kernels' flags), and
// the data cache sizes of the CPU they run on.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ---- The data caches of the CPU running the kernels (gemm.c sizes its blocks to them). ---- */

#if defined(__linux__)
/* One cache level of cpu0 from sysfs (index*: level, type, size like "48K"); 0 when absent. */
static long sysfs_cache(int level) {
  for (int index = 0; index < 8; index++) {
    char path[96], text[32];
    long got_level = 0, size = 0;
    int data = 0;
    const char *fields[] = {"level", "type", "size"};
    for (int f = 0; f < 3; f++) {
      snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/%s", index, fields[f]);
      FILE *file = fopen(path, "r");
      if (!file) return 0; /* no such index: no further ones either */
      const int ok = fgets(text, sizeof text, file) != 0;
      fclose(file);
      if (!ok) return 0;
      if (f == 0) got_level = strtol(text, 0, 10);
      else if (f == 1) data = strncmp(text, "Data", 4) == 0 || strncmp(text, "Unified", 7) == 0;
      else {
        char *end;
        size = strtol(text, &end, 10);
        if (*end == 'K') size <<= 10;
        else if (*end == 'M') size <<= 20;
      }
    }
    if (got_level == level && data && size > 0) return size;
  }
  return 0;
}
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
/* One cache level from cpuid's deterministic cache parameters: leaf 4 (Intel), 0x8000001D (AMD,
   with topology extensions); then AMD's older leaves 0x80000005 (L1d) and 0x80000006 (L2, L3). */
static long cpuid_cache(int level) {
  unsigned a, b, c, d;
  const unsigned leaves[] = {4, 0x8000001D};
  for (int l = 0; l < 2; l++) {
    const unsigned leaf = leaves[l];
    if (__get_cpuid_max(leaf & 0x80000000u, 0) < leaf) continue;
    for (unsigned sub = 0; sub < 16; sub++) {
      __cpuid_count(leaf, sub, a, b, c, d);
      const unsigned type = a & 31; /* 1 data, 2 instruction, 3 unified, 0 no more */
      if (type == 0) break;
      if (type == 2 || (int)((a >> 5) & 7) != level) continue;
      const long ways = ((b >> 22) & 0x3ff) + 1, parts = ((b >> 12) & 0x3ff) + 1, line = (b & 0xfff) + 1, sets = (long)c + 1;
      return ways * parts * line * sets;
    }
  }
  if (__get_cpuid_max(0x80000000u, 0) >= 0x80000006u) {
    if (level == 1) {
      __cpuid(0x80000005u, a, b, c, d);
      return (long)(c >> 24) << 10;
    }
    __cpuid(0x80000006u, a, b, c, d);
    if (level == 2) return (long)(c >> 16) << 10;
    if (level == 3) return (long)(d >> 18) << 19;
  }
  return 0;
}
#endif

void descent_cache_sizes(long sizes[3]) {
  /* typical of recent x86-64 cores, where the machine says nothing */
  static const long fallback[3] = {32L << 10, 512L << 10, 8L << 20};
  for (int level = 1; level <= 3; level++) {
    long size = 0;
#if defined(__linux__)
    size = sysfs_cache(level);
#endif
#if defined(__x86_64__) || defined(__i386__)
    if (size <= 0) size = cpuid_cache(level);
#endif
    sizes[level - 1] = size > 0 ? size : fallback[level - 1];
  }
}
