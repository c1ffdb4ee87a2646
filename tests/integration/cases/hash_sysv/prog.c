/* hash_sysv: the program and its library have only SysV hash tables
 * (DT_HASH). Asserts symbols are found through them. */
#include "rt.h"
#include <elf.h>

extern int sysv_value;
int sysv_twice(int x);
void sysv_report(void);

int main(void) {
  rt_kv_bool("prog: DT_GNU_HASH", rt_dynamic_tag(DT_GNU_HASH, 0));
  sysv_report();
  rt_kv_dec("sysv_twice(sysv_value)", sysv_twice(sysv_value));
  return 0;
}
