/* libdl_nextpre_<N>.so (PRE_ID = N), preloaded: value() says where it runs
 * and returns N plus twice what the next definition after its own object
 * returns (dlsym(RTLD_NEXT, "value")), so the result encodes the order. */
#include "dl.h"

typedef long value_fn(void);

long value(void) {
  rt_puts("  value in libdl_nextpre_");
  rt_put_dec(PRE_ID);
  rt_puts("\n");
  value_fn *next = (value_fn *)dlsym(RTLD_NEXT, "value");
  if (next == 0) {
    const char *message = dlerror();
    rt_puts("  RTLD_NEXT value not found: dlerror=");
    rt_line(message != 0 ? message : "(null)");
    return PRE_ID;
  }
  return PRE_ID + 2 * next();
}
