/* lazy_fp_args_avx512, the caller built with -mavx512f (called only on a CPU
 * with AVX-512F). */
#include "fp.h"

void call_lazy_avx512(int ifunc, double out[8]) {
  fp_m512d x = {1.5, -2.25, 3.125, 1024.015625, 5.75, -6.5, 7.0625, 8.25};
  fp_m512d y = {2.0, 4.5, -0.5, 3.0, 0.25, 1.5, -2.0, 10.0};
  fp_m512d r = ifunc ? lazy_avx512_ifunc(x, y) : lazy_avx512(x, y);
  for (int i = 0; i < 8; ++i) out[i] = r[i];
}
