/* libtls.so: thread-local variables in the initial-exec model (static TLS,
 * R_X86_64_TPOFF64 relocations), one initialised (.tdata), one not (.tbss). */
#include "rt.h"

__attribute__((tls_model("initial-exec"))) __thread int tls_lib_counter = 1000;
__attribute__((tls_model("initial-exec"))) __thread int tls_lib_zero;

int tls_lib_bump(void) { return ++tls_lib_counter; }

void tls_lib_report(void) {
  rt_kv_dec("libtls: tls_lib_counter", tls_lib_counter);
  rt_kv_dec("libtls: tls_lib_zero", tls_lib_zero);
}
