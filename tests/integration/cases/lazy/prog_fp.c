/* lazy_fp_args (no argument) and lazy_fp_args_avx512 (argument "avx512"):
 * the program's first call of a libfpargs.so function goes through a lazy
 * PLT slot, so the loader's lazy-binding trampoline runs between caller and
 * callee with the arguments in registers. Asserts the slot is unbound before
 * the first call and bound after it, and that every argument arrives intact
 * and the result comes back intact, for each function plain and as an IFUNC
 * whose resolver, run by the loader inside its trampoline while it binds the
 * slot, overwrites every vector register (fp.h):
 *   lazy_fp_args         eight doubles (%xmm0-%xmm7), then, on a CPU with
 *                        AVX, two 256-bit vectors (%ymm0, %ymm1)
 *   lazy_fp_args_avx512  on a CPU with AVX-512F, two 512-bit vectors
 *                        (%zmm0, %zmm1)
 * Without the extension the vector part prints "<ext>: skipped" instead of
 * its lines (cpuid and xgetbv decide: fp.h). The expected files were
 * recorded on a CPU with AVX and AVX-512F: elsewhere the case fails in all
 * three modes, glibc's included, which says the expectation does not apply,
 * not that a loader is wrong. */
#include "fp.h"

/* --- The program's own PLT slots ----------------------------------------------- */
/* Found from the program's dynamic section: the R_X86_64_JUMP_SLOT entry of
 * DT_JMPREL whose symbol is NAME gives the slot's offset. A slot not yet
 * bound still holds the address of its PLT entry, inside the program; a bound
 * one holds the function's address, in the library. */
typedef struct { long tag; unsigned long val; } dyn_entry;
typedef struct { unsigned long offset, info; long addend; } rela_entry;
typedef struct {
  unsigned name;
  unsigned char info, other;
  unsigned short shndx;
  unsigned long value, size;
} sym_entry;
extern const dyn_entry _DYNAMIC[] __attribute__((visibility("hidden")));
extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern const char _end[] __attribute__((visibility("hidden")));
enum { kDtPltRelSz = 2, kDtStrTab = 5, kDtSymTab = 6, kDtJmpRel = 23 };

/* Some loaders (glibc's) rewrite d_ptr entries to run-time addresses in
 * place, others leave link-time ones: a PIE is linked at 0, so a value
 * below the load address is still a link-time one. */
static unsigned long dynamic_value(long tag, int is_pointer) {
  unsigned long base = (unsigned long)__ehdr_start;
  for (const dyn_entry *d = _DYNAMIC; d->tag != 0; ++d)
    if (d->tag == tag) return is_pointer && d->val < base ? d->val + base : d->val;
  return 0;
}

static unsigned long *plt_slot(const char *name) {
  const rela_entry *rela = (const rela_entry *)dynamic_value(kDtJmpRel, 1);
  unsigned long count = dynamic_value(kDtPltRelSz, 0) / sizeof *rela;
  const sym_entry *symtab = (const sym_entry *)dynamic_value(kDtSymTab, 1);
  const char *strtab = (const char *)dynamic_value(kDtStrTab, 1);
  for (unsigned long i = 0; i < count; ++i)
    if ((unsigned)rela[i].info == 7 /* R_X86_64_JUMP_SLOT */ &&
        rt_streq(strtab + symtab[rela[i].info >> 32].name, name))
      return (unsigned long *)((unsigned long)__ehdr_start + rela[i].offset);
  return 0;
}

static void report_slot(const char *name, const char *when) {
  unsigned long *slot = plt_slot(name);
  rt_puts(name);
  rt_puts("'s PLT slot ");
  rt_puts(when);
  rt_puts("=");
  if (slot == 0) {
    rt_line("(no such slot)");
    return;
  }
  int in_program = *slot >= (unsigned long)__ehdr_start && *slot < (unsigned long)_end;
  rt_line(in_program ? "unbound (points into the program)" : "bound (points out of the program)");
}

/* --- The calls --------------------------------------------------------------------- */
static const double fp8_args[8] = {1.5, -2.25, 3.125, 4.0625, 5.5, -6.75, 7.875, 1024.015625};

static void doubles(int ifunc) {
  const char *name = ifunc ? "lazy_fp8_ifunc" : "lazy_fp8";
  const double *a = fp8_args;
  report_slot(name, "before the first call");
  double r = ifunc ? lazy_fp8_ifunc(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
                   : lazy_fp8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  report_slot(name, "after it");
  put_lanes("prog: ", name, " returned", &r, 1);
}

static void avx(int ifunc) {
  const char *name = ifunc ? "lazy_avx_ifunc" : "lazy_avx";
  double r[4];
  report_slot(name, "before the first call");
  call_lazy_avx(ifunc, r);
  report_slot(name, "after it");
  put_lanes("prog: ", name, " returned", r, 4);
}

#ifndef LAZY_NO_AVX512
static void avx512(int ifunc) {
  const char *name = ifunc ? "lazy_avx512_ifunc" : "lazy_avx512";
  double r[8];
  report_slot(name, "before the first call");
  call_lazy_avx512(ifunc, r);
  report_slot(name, "after it");
  put_lanes("prog: ", name, " returned", r, 8);
}
#endif

int main(int argc, char **argv) {
  if (argc > 1 && rt_streq(argv[1], "avx512")) {
#ifdef LAZY_NO_AVX512
    /* Not reached: meson.build registers lazy_fp_args_avx512 only when the
     * compiler takes -mavx512f, and builds this program without it otherwise. */
    rt_line("avx512f: not built");
#else
    if (!have_avx512f()) {
      rt_line("avx512f: skipped");
      return 0;
    }
    avx512(0);
    avx512(1);
#endif
    return 0;
  }
  doubles(0);
  doubles(1);
  if (!have_avx()) {
    rt_line("avx: skipped");
    return 0;
  }
  avx(0);
  avx(1);
  return 0;
}
