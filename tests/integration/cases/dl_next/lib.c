/* libdl_next_<N>.so (LIB_NAME): another definition of chain(), which says
 * where it runs and calls the next definition after its own library, found
 * with dlsym(RTLD_NEXT); and a function of its own, LIB_ONLY. */
#include "dl.h"

typedef int chain_fn(int);

int chain(int depth) {
  rt_puts("  chain in " LIB_NAME ", depth ");
  rt_put_dec(depth);
  rt_puts("\n");
  chain_fn *next = (chain_fn *)dlsym(RTLD_NEXT, "chain");
  if (next == 0) {
    const char *message = dlerror();
    rt_puts("  " LIB_NAME ": RTLD_NEXT chain not found: dlerror=");
    rt_line(message != 0 ? message : "(null)");
    return depth;
  }
  return next(depth + 1);
}

int LIB_ONLY(void) { return 7; }
