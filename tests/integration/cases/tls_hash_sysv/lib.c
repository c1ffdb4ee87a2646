/* libtlssysv.so: two thread-local variables, reached by the program through
 * initial-exec (R_X86_64_TPOFF64 in the program) and here through TLS
 * descriptors (built -mtls-dialect=gnu2). */
#include "rt.h"

__thread int tls_sysv_value = 42;
__thread int tls_sysv_zero;

void tls_sysv_report(void) {
  rt_kv_dec("libtlssysv: tls_sysv_value", tls_sysv_value);
  rt_kv_dec("libtlssysv: tls_sysv_zero", tls_sysv_zero);
}
