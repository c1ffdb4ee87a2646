/* libcompat_tls.so, a DT_NEEDED library of tls_prog: its TLS is in the
 * static TLS block. The program reaches lib_tls_ie with the initial-exec
 * model; this library reaches it and lib_tls_gd with the global-dynamic
 * model (-fPIC, preemptible symbols: __tls_get_addr or TLS descriptors), and
 * its own static one with local-dynamic. */
#include <stdio.h>

__attribute__((visibility("default"))) __thread int lib_tls_ie = 1000;
__attribute__((visibility("default"))) __thread int lib_tls_gd = 5;
static __thread char lib_tls_buf[32] = "initial";

__attribute__((visibility("default"))) int *lib_ie_addr_gd(void) { return &lib_tls_ie; }

__attribute__((visibility("default"))) int lib_bump(int by) {
  lib_tls_gd += by;
  snprintf(lib_tls_buf, sizeof lib_tls_buf, "bumped %d", lib_tls_gd);
  return lib_tls_gd;
}

__attribute__((visibility("default"))) const char *lib_buf(void) { return lib_tls_buf; }
