/* version_hidden: libhv.so defines baz only as a hidden version (baz@VERS_2,
 * index 3); libfallback.so, later in load order, defines an unversioned baz.
 * Asserts the program's versioned reference (baz@VERS_2) binds to the hidden
 * definition, and an unversioned reference (libhvuser.so) skips it and binds
 * to libfallback.so's. */
#include "rt.h"

const char *baz(void);
const char *hvuser_baz(void);

int main(void) {
  rt_kv_str("prog (baz@VERS_2)", baz());
  rt_kv_str("libhvuser (baz, unversioned)", hvuser_baz());
  return 0;
}
