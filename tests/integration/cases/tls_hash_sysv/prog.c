/* tls_hash_sysv: a program with only a SysV hash table (DT_HASH lists every
 * dynamic symbol, the undefined ones too) and no TLS of its own reaches a
 * library's thread-local variables (initial-exec: R_X86_64_TPOFF64 against
 * symbols the program leaves undefined). Asserts the relocations bind to the
 * library's definitions, not to the program's undefined entries (glibc's TLS
 * relocations are PLT-class lookups): the values are the library's, writes
 * are seen by the library. */
#include "rt.h"
#include <elf.h>

extern __thread int tls_sysv_value;
extern __thread int tls_sysv_zero;
void tls_sysv_report(void);

int main(void) {
  rt_kv_bool("prog: DT_GNU_HASH", rt_dynamic_tag(DT_GNU_HASH, 0));
  rt_kv_dec("prog: tls_sysv_value", tls_sysv_value);
  rt_kv_dec("prog: tls_sysv_zero", tls_sysv_zero);
  tls_sysv_value += 1;
  tls_sysv_zero = 5;
  tls_sysv_report();
  return 0;
}
