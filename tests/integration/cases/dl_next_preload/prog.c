/* dl_next_preload: RTLD_NEXT along an LD_PRELOAD chain. Five preloaded
 * libraries (libdl_nextpre_1.so .. _5, in that order) each define value(),
 * which adds its number to twice the result of the next definition after
 * its own object (dlsym(RTLD_NEXT)); the program's dependency
 * libdl_nextpre_base.so ends the chain. Asserts: the call from the program
 * reaches the first preloaded library, each library the next one in
 * preload order and the last one the base library:
 * 1 + 2 * (2 + 2 * (3 + 2 * (4 + 2 * (5 + 2 * 100)))) = 3329. The glibc
 * personality's side (libc's dlsym walks the preload's l_loader to the
 * program) is the compat case dl_semantics. */
#include "dl.h"

long value(void);

int main(void) {
  rt_line("value() from the program:");
  rt_kv_dec("value", value());
  return 0;
}
