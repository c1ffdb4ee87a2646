/* libfpargs.so, the part built without vector extensions: eight double
 * arguments, all in registers (%xmm0-%xmm7), and the resolvers of all the
 * library's IFUNCs (here, so that they run on any CPU: the wider registers
 * are written by explicit instructions, each after its cpuid check). */
#include "fp.h"

static double fp8(const char *name, double a1, double a2, double a3, double a4, double a5,
                  double a6, double a7, double a8) {
  double seen[8] = {a1, a2, a3, a4, a5, a6, a7, a8};
  put_lanes("libfpargs: ", name, " received", seen, 8);
  return 1 * a1 + 2 * a2 + 3 * a3 + 4 * a4 + 5 * a5 + 6 * a6 + 7 * a7 + 8 * a8;
}

double lazy_fp8(double a1, double a2, double a3, double a4, double a5, double a6,
                double a7, double a8) {
  return fp8("lazy_fp8", a1, a2, a3, a4, a5, a6, a7, a8);
}

static double fp8_for_ifunc(double a1, double a2, double a3, double a4, double a5,
                            double a6, double a7, double a8) {
  return fp8("lazy_fp8_ifunc", a1, a2, a3, a4, a5, a6, a7, a8);
}

/* Sets every bit of %xmm0-%xmm15, and of %ymm0-%ymm15 and %zmm0-%zmm15 where
 * the CPU has them (all ones: a NaN in every lane). Legal in a resolver:
 * all vector registers are call-clobbered. */
#define FP_REGS_0_15(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) \
  X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define FP_SSE(n) "pcmpeqd %%xmm" #n ", %%xmm" #n "\n\t"
#define FP_AVX(n) "vpcmpeqd %%ymm" #n ", %%ymm" #n ", %%ymm" #n "\n\t"
#define FP_AVX512(n) "vpternlogd $0xff, %%zmm" #n ", %%zmm" #n ", %%zmm" #n "\n\t"
#define FP_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

__attribute__((noinline)) static void clobber_vector_registers(void) {
  __asm__ volatile(FP_REGS_0_15(FP_SSE) ::: FP_CLOBBERS);
  if (have_avx()) __asm__ volatile(FP_REGS_0_15(FP_AVX) ::: FP_CLOBBERS);
  if (have_avx512f()) __asm__ volatile(FP_REGS_0_15(FP_AVX512) ::: FP_CLOBBERS);
}

typedef double (*fp8_fn)(double, double, double, double, double, double, double, double);
static fp8_fn resolve_fp8(void) {
  clobber_vector_registers();
  return fp8_for_ifunc;
}
double lazy_fp8_ifunc(double a1, double a2, double a3, double a4, double a5, double a6,
                      double a7, double a8) __attribute__((ifunc("resolve_fp8")));

/* The implementations in lib_avx.c and lib_avx512.c (only called on CPUs
 * with the extension; an IFUNC whose object was not built returns 0). */
void lazy_avx_for_ifunc(void) __attribute__((weak, visibility("hidden")));
void lazy_avx512_for_ifunc(void) __attribute__((weak, visibility("hidden")));

typedef void (*any_fn)(void);
static any_fn resolve_avx(void) {
  clobber_vector_registers();
  return lazy_avx_for_ifunc;
}
static any_fn resolve_avx512(void) {
  clobber_vector_registers();
  return lazy_avx512_for_ifunc;
}
void lazy_avx_ifunc(void) __attribute__((ifunc("resolve_avx")));
void lazy_avx512_ifunc(void) __attribute__((ifunc("resolve_avx512")));
