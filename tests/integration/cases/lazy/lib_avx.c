/* libfpargs.so, the part built with -mavx: two 256-bit vectors in %ymm0 and
 * %ymm1; their upper halves are what a lazy-binding trampoline that saves
 * only %xmm registers would lose. */
#include "fp.h"

static fp_m256d avx(const char *name, fp_m256d x, fp_m256d y) {
  double lanes[4];
  for (int i = 0; i < 4; ++i) lanes[i] = x[i];
  put_lanes("libfpargs: ", name, " received x", lanes, 4);
  for (int i = 0; i < 4; ++i) lanes[i] = y[i];
  put_lanes("libfpargs: ", name, " received y", lanes, 4);
  return x * y + x;
}

fp_m256d lazy_avx(fp_m256d x, fp_m256d y) { return avx("lazy_avx", x, y); }

/* What lazy_avx_ifunc's resolver (lib_fp.c) returns. */
__attribute__((visibility("hidden"))) fp_m256d lazy_avx_for_ifunc(fp_m256d x, fp_m256d y) {
  return avx("lazy_avx_ifunc", x, y);
}
