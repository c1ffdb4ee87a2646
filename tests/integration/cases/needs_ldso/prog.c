/* needs_ldso: a library of the program needs ld-linux-x86-64.so.2, the
 * loader's own soname. Asserts the loader answers to it (no second loader is
 * loaded, nothing fails). The stand-in libc.so.6 (cases/fakelibc) is there
 * because glibc's loader, once it is itself in the link map, needs a libc. */
#include "rt.h"

const char *needsld(void);

int main(void) {
  rt_kv_str("called", needsld());
  return 0;
}
