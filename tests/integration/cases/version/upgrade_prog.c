/* version_upgrade: the program was linked against release 1 of libv.so.1
 * (foo@VERS_1) and runs against release 2 (foo@VERS_1 and foo@@VERS_2).
 * Asserts:
 *   - the program's foo@VERS_1 reference gets the VERS_1 definition, though
 *     it is hidden (non-default) in release 2;
 *   - an unversioned reference (libvuser.so) to a versioned definition gets,
 *     as glibc decides for references from objects without version
 *     information, the oldest version if it has index 2 (VERS_1 here, even
 *     hidden), else the one non-hidden version (qux@@VERS_2). */
#include "rt.h"

const char *foo(void);
const char *vuser_foo(void);
const char *vuser_qux(void);

int main(void) {
  rt_kv_str("prog (foo@VERS_1)", foo());
  rt_kv_str("libvuser (foo, unversioned)", vuser_foo());
  rt_kv_str("libvuser (qux, unversioned)", vuser_qux());
  return 0;
}
