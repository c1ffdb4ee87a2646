/* fini_order: the program needs libfinia.so and libfinib.so, both of which
 * need libfinic.so, and the stand-in libc.so.6. Its start code calls the
 * %rdx function after main, as libc's exit does (rt_start_fini.o). Asserts the loader's fini
 * function runs every object's finalisers, the program's included: objects in
 * the reverse order of their initialisation (the program first), and within an
 * object DT_FINI_ARRAY from last to first entry, then DT_FINI.
 * Oracle: glibc 2.36's ld.so, made to work by the stand-in libc.so.6 (see
 * cases/fakelibc/libc.c: without a libc, its _dl_fini asserts). */
#include "rt.h"

typedef void (*fn)(void);

static void fini_entry_0(void) { rt_line("prog: DT_FINI_ARRAY[0]"); }
static void fini_entry_1(void) { rt_line("prog: DT_FINI_ARRAY[1]"); }
__attribute__((section(".fini_array"), used)) static fn fini_array[] = {fini_entry_0, fini_entry_1};

extern int finia_symbol, finib_symbol;

int main(void) {
  rt_line("prog: main returns");
  return finia_symbol + finib_symbol;
}
