/* dl_execstack: the program's stack is not executable (-z noexecstack);
 * dlopen of a library that needs an executable stack (PT_GNU_STACK with
 * PF_X) makes it so (glibc: _dl_make_stacks_executable, the main stack's
 * pages from __libc_stack_end down, PROT_GROWSDOWN): code run on the stack
 * afterwards returns, also in a frame deeper than any before. */
#include "dl.h"
#include "stack_code.h"

static int deeper(int depth) {
  volatile char pad[4096];
  pad[0] = 0;
  int result = depth == 0 ? run_on_stack() : deeper(depth - 1);
  return result + pad[0];  /* not a tail call: each level keeps its frame */
}

int main(void) {
  void *h = dl_open_report("dlopen libdl_execstack.so", "libdl_execstack.so", RTLD_NOW);
  if (h == 0) return 1;
  int (*fn)(void) = (int (*)(void))dlsym(h, "dl_execstack_value");
  rt_kv_dec("dl_execstack_value()", fn != 0 ? fn() : -1);
  rt_kv_dec("code on the stack returned", run_on_stack());
  rt_kv_dec("code 64 KiB deeper on the stack returned", deeper(16));
  return 0;
}
