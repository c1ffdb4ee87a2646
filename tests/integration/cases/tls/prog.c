/* tls_initial_exec: the program (local-exec TLS) and a library (initial-exec
 * TLS, reached by the program too) have thread-local variables in the static
 * TLS block. Asserts their initial values (.tdata copied, .tbss zero), that
 * the program and the library reach the same variable, and that it is
 * writable. */
#include "rt.h"

__thread int tls_prog_value = 7;
__thread int tls_prog_zero;
extern __thread int tls_lib_counter __attribute__((tls_model("initial-exec")));
int tls_lib_bump(void);
void tls_lib_report(void);

int main(void) {
  rt_kv_dec("prog: tls_prog_value", tls_prog_value);
  rt_kv_dec("prog: tls_prog_zero", tls_prog_zero);
  rt_kv_dec("prog: tls_lib_counter", tls_lib_counter);
  rt_kv_dec("prog: tls_lib_bump()", tls_lib_bump());
  tls_lib_counter += 10;
  tls_prog_value += 1;
  rt_kv_dec("prog: tls_prog_value after a write", tls_prog_value);
  tls_lib_report();
  return 0;
}
