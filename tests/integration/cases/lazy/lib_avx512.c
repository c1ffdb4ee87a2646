/* libfpargs.so, the part built with -mavx512f: two 512-bit vectors in %zmm0
 * and %zmm1 (bits 256-511 are lost by a trampoline that saves only %ymm). */
#include "fp.h"

static fp_m512d avx512(const char *name, fp_m512d x, fp_m512d y) {
  double lanes[8];
  for (int i = 0; i < 8; ++i) lanes[i] = x[i];
  put_lanes("libfpargs: ", name, " received x", lanes, 8);
  for (int i = 0; i < 8; ++i) lanes[i] = y[i];
  put_lanes("libfpargs: ", name, " received y", lanes, 8);
  return x * y + x;
}

fp_m512d lazy_avx512(fp_m512d x, fp_m512d y) { return avx512("lazy_avx512", x, y); }

/* What lazy_avx512_ifunc's resolver (lib_fp.c) returns. */
__attribute__((visibility("hidden"))) fp_m512d lazy_avx512_for_ifunc(fp_m512d x, fp_m512d y) {
  return avx512("lazy_avx512_ifunc", x, y);
}
