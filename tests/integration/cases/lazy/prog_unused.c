/* lazy_vs_now, lazy_vs_now_bind_now, lazy_vs_now_bind_now_empty: the program
 * has a PLT slot for gone_fn, which it never calls, and runs against a
 * libgone.so that lacks it (cases/errors). Bound lazily the slot is never
 * resolved and main runs to the end (exit 0). With LD_BIND_NOW=1 every slot
 * is bound at start-up: glibc's "symbol lookup error" before main, exit 127.
 * LD_BIND_NOW set but empty counts as unset in glibc: lazy again. */
#include "rt.h"

int gone_fn(void);

/* Never called; global, so the compiler keeps it and its call to gone_fn. */
int never_called(void) { return gone_fn(); }

int main(void) {
  rt_line("main ran; gone_fn was never called");
  return 0;
}
