/* ifunc_nonpie: IFUNCs with an ET_EXEC program (no PIC, -rdynamic). The
 * library's exported IFUNC lib_ifunc is called from the program (its PLT
 * slot, R_X86_64_JUMP_SLOT, bound to what the resolver returns) and from the
 * library; its address taken in the non-PIC program is the program's PLT
 * entry (the canonical address, given as the value of the program's
 * undefined lib_ifunc in .dynsym), so the library's GOT entry for lib_ifunc
 * (R_X86_64_GLOB_DAT) must resolve to that same address and not to the
 * resolver's result. The program's own IFUNC prog_ifunc (R_X86_64_IRELATIVE
 * in the program, exported with its PLT entry as canonical address) is
 * called from both and its address compared likewise. Asserts each call runs
 * the implementation its resolver picked and the addresses agree. */
#include "rt.h"

typedef int (*compute_fn)(int);

int lib_ifunc(int x);
int lib_calls_lib_ifunc(int x);
int lib_calls_prog_ifunc(int x);
compute_fn lib_ifunc_address_in_lib(void);
compute_fn prog_ifunc_address_in_lib(void);

static int prog_impl_add(int x) { return x + 7; }
static int prog_impl_sub(int x) { return x - 7; }
static volatile int prog_selector = 1;

static compute_fn resolve_prog_ifunc(void) { return prog_selector == 1 ? prog_impl_sub : prog_impl_add; }
int prog_ifunc(int x) __attribute__((ifunc("resolve_prog_ifunc")));

int main(void) {
  compute_fn lib_in_prog = lib_ifunc, lib_in_lib = lib_ifunc_address_in_lib();
  compute_fn prog_in_prog = prog_ifunc, prog_in_lib = prog_ifunc_address_in_lib();
  rt_kv_dec("lib_ifunc(3) called from the program", lib_ifunc(3));
  rt_kv_dec("lib_ifunc(3) called from the library", lib_calls_lib_ifunc(3));
  rt_kv_dec("prog_ifunc(3) called from the program", prog_ifunc(3));
  rt_kv_dec("prog_ifunc(3) called from the library", lib_calls_prog_ifunc(3));
  rt_kv_bool("&lib_ifunc: program and library agree", lib_in_prog == lib_in_lib);
  rt_kv_bool("&prog_ifunc: program and library agree", prog_in_prog == prog_in_lib);
  rt_kv_dec("lib_ifunc(4) through the program's pointer", lib_in_prog(4));
  rt_kv_dec("lib_ifunc(4) through the library's pointer", lib_in_lib(4));
  rt_kv_dec("prog_ifunc(4) through the program's pointer", prog_in_prog(4));
  rt_kv_dec("prog_ifunc(4) through the library's pointer", prog_in_lib(4));
  return 0;
}
