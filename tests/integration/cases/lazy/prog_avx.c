/* lazy_fp_args, the caller built with -mavx (called only on a CPU with AVX). */
#include "fp.h"

void call_lazy_avx(int ifunc, double out[4]) {
  fp_m256d x = {1.5, -2.25, 3.125, 1024.015625};
  fp_m256d y = {2.0, 4.5, -0.5, 3.0};
  fp_m256d r = ifunc ? lazy_avx_ifunc(x, y) : lazy_avx(x, y);
  for (int i = 0; i < 4; ++i) out[i] = r[i];
}
