/* dl_version: dlsym and dlvsym with symbol versions. libdl_version.so has
 * ver_foo@V1 (returns 1) and ver_foo@@V2 (2), ver_old@V1 only (4, not a
 * default version) and ver_new@@V2 (3); libdl_version_plain.so has no
 * versions (ver_plain, 5). Asserts:
 *  - dlsym finds the default version (ver_foo: 2) and not a symbol that
 *    has only a non-default version (ver_old: NULL, glibc's message);
 *  - dlvsym finds each version asked for (ver_foo V1: 1, V2: 2; ver_old V1:
 *    4), and not a version the symbol lacks (ver_foo V3, ver_new V1: NULL,
 *    glibc's message naming the version);
 *  - dlvsym in an object without versions finds the symbol whatever the
 *    version asked for;
 *  - with the library RTLD_GLOBAL, dlvsym(RTLD_DEFAULT) finds the version. */
#include "dl.h"

typedef int fn(void);

static void put_result(const char *what, void *sym) {
  rt_puts(what);
  if (sym == 0) {
    rt_line(": NULL");
    dl_put_error(what);
    return;
  }
  rt_puts(": ");
  rt_put_dec(((fn *)sym)());
  rt_puts("\n");
}

int main(void) {
  void *h = dl_open_report("dlopen libdl_version.so", "libdl_version.so", RTLD_NOW | RTLD_GLOBAL);
  void *plain = dl_open_report("dlopen libdl_version_plain.so", "libdl_version_plain.so", RTLD_NOW);
  if (h == 0 || plain == 0) return 1;
  put_result("dlsym ver_foo", dlsym(h, "ver_foo"));
  put_result("dlsym ver_old", dlsym(h, "ver_old"));
  put_result("dlsym ver_new", dlsym(h, "ver_new"));
  put_result("dlvsym ver_foo V1", dlvsym(h, "ver_foo", "V1"));
  put_result("dlvsym ver_foo V2", dlvsym(h, "ver_foo", "V2"));
  put_result("dlvsym ver_foo V3", dlvsym(h, "ver_foo", "V3"));
  put_result("dlvsym ver_old V1", dlvsym(h, "ver_old", "V1"));
  put_result("dlvsym ver_new V2", dlvsym(h, "ver_new", "V2"));
  put_result("dlvsym ver_new V1", dlvsym(h, "ver_new", "V1"));
  put_result("dlvsym ver_plain V1 (no versions)", dlvsym(plain, "ver_plain", "V1"));
  put_result("dlvsym ver_plain V9 (no versions)", dlvsym(plain, "ver_plain", "V9"));
  put_result("dlvsym RTLD_DEFAULT ver_foo V1", dlvsym(RTLD_DEFAULT, "ver_foo", "V1"));
  put_result("dlvsym RTLD_DEFAULT ver_foo V2", dlvsym(RTLD_DEFAULT, "ver_foo", "V2"));
  put_result("dlsym RTLD_DEFAULT ver_foo", dlsym(RTLD_DEFAULT, "ver_foo"));
  return 0;
}
