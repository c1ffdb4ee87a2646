/* Shared by the lazy_fp_args objects: the library's floating-point and
 * vector functions, a CPU-feature check, and an exact printer for the values
 * they pass around.
 *
 * Every value is a multiple of 1/64 well below 2^53, so each arithmetic
 * result is exact and put_fixed prints it exactly (at most six decimals). */
#ifndef LAZY_FP_H
#define LAZY_FP_H

#include "rt.h"

/* The same types as <immintrin.h>'s __m256d and __m512d (passed in %ymm and
 * %zmm registers when the object is built with -mavx / -mavx512f); spelled
 * out so that no libc header is needed. */
typedef double fp_m256d __attribute__((vector_size(32), may_alias));
typedef double fp_m512d __attribute__((vector_size(64), may_alias));

/* libfpargs.so. Each function comes twice: plain, and as an IFUNC (name
 * ending in _ifunc) whose resolver overwrites every vector register the CPU
 * has (lib_fp.c, clobber_vector_registers). A loader calls the resolver
 * while it binds the slot, inside its lazy-binding trampoline, so the
 * arguments arrive intact only if the trampoline saved and restored the
 * whole vector state around the binding.
 *
 * lib_fp.c, no vector extensions: prints what it received and returns
 * sum(i * a_i), i = 1..8, which depends on every argument and its position. */
double lazy_fp8(double a1, double a2, double a3, double a4, double a5, double a6,
                double a7, double a8);
double lazy_fp8_ifunc(double a1, double a2, double a3, double a4, double a5, double a6,
                      double a7, double a8);
#ifdef __AVX__
/* lib_avx.c (-mavx): prints both vectors, returns x * y + x lane by lane. */
fp_m256d lazy_avx(fp_m256d x, fp_m256d y);
fp_m256d lazy_avx_ifunc(fp_m256d x, fp_m256d y);
#endif
#ifdef __AVX512F__
/* lib_avx512.c (-mavx512f): prints both vectors, returns x * y + x. */
fp_m512d lazy_avx512(fp_m512d x, fp_m512d y);
fp_m512d lazy_avx512_ifunc(fp_m512d x, fp_m512d y);
#endif

/* The program's callers in their own objects, built with -mavx / -mavx512f;
 * prog_fp.c calls them only when have_avx() / have_avx512f(). OUT receives
 * the returned lanes; IFUNC nonzero calls the _ifunc function. */
void call_lazy_avx(int ifunc, double out[4]);
void call_lazy_avx512(int ifunc, double out[8]);

/* --- CPU features: cpuid and xgetbv, as libc's __builtin_cpu_supports would
 * answer but without libc. Built without vector extensions wherever used. -- */
static inline void fp_cpuid(unsigned leaf, unsigned subleaf, unsigned r[4]) {
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                   : "a"(leaf), "c"(subleaf));
}

/* XCR0: which register state the kernel saves (bit 1 SSE, 2 AVX, 5-7 AVX-512). */
static inline unsigned long fp_xcr0(void) {
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((unsigned long)hi << 32) | lo;
}

static inline int have_avx(void) {
  unsigned r[4];
  fp_cpuid(1, 0, r);
  int osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1;
  return osxsave && avx && (fp_xcr0() & 0x6) == 0x6;
}

static inline int have_avx512f(void) {
  unsigned r[4];
  if (!have_avx()) return 0;
  fp_cpuid(0, 0, r);
  if (r[0] < 7) return 0;
  fp_cpuid(7, 0, r);
  return ((r[1] >> 16) & 1) && (fp_xcr0() & 0xe6) == 0xe6;
}

/* --- Printing --------------------------------------------------------------- */
/* V (a multiple of 1/64) in decimal, with no trailing zeros after the point;
 * "nan" or "(out of range)" for what an argument overwritten may hold. */
static inline void put_fixed(double v) {
  if (v != v) {
    rt_puts("nan");
    return;
  }
  if (v >= 0x1p53 || v <= -0x1p53) {
    rt_puts("(out of range)");
    return;
  }
  if (v < 0) {
    rt_puts("-");
    v = -v;
  }
  unsigned long whole = (unsigned long)v;
  double frac = v - (double)whole;
  rt_put_dec((long)whole);
  rt_puts(".");
  char digits[8];
  int n = 0;
  do {
    frac *= 10;
    int d = (int)frac;
    digits[n++] = (char)('0' + d);
    frac -= d;
  } while (frac != 0 && n < 6);
  digits[n] = 0;
  rt_puts(digits);
}

/* "PREFIX NAME SUFFIX=v0 v1 ... v(N-1)\n" */
static inline void put_lanes(const char *prefix, const char *name, const char *suffix,
                             const double *v, int n) {
  rt_puts(prefix);
  rt_puts(name);
  rt_puts(suffix);
  rt_puts("=");
  for (int i = 0; i < n; ++i) {
    if (i > 0) rt_puts(" ");
    put_fixed(v[i]);
  }
  rt_puts("\n");
}

#endif
