/* libsysv.so: linked --hash-style=sysv, so it has DT_HASH and no DT_GNU_HASH. */
#include "rt.h"
#include <elf.h>

int sysv_value = 5;
int sysv_twice(int x) { return 2 * x; }

void sysv_report(void) {
  rt_kv_bool("libsysv: DT_HASH", rt_dynamic_tag(DT_HASH, 0));
  rt_kv_bool("libsysv: DT_GNU_HASH", rt_dynamic_tag(DT_GNU_HASH, 0));
}
