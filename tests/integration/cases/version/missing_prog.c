/* error_version_missing: the program was linked against release 2 of
 * libv.so.1 (foo@VERS_2) and runs against release 1, which has no VERS_2.
 * glibc reports it and exits with status 1 (not 127) before main. */
#include "rt.h"

const char *foo(void);

int main(void) {
  rt_kv_str("foo", foo());
  return 0;
}
