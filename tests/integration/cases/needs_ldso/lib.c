/* libneedsld.so: lists ld-linux-x86-64.so.2 in DT_NEEDED, as glibc's
 * libc.so.6 does. It imports nothing from it. */
#include "rt.h"

__attribute__((constructor)) static void announce(void) { rt_line("libneedsld.so: initialiser"); }

const char *needsld(void) { return "libneedsld.so"; }
