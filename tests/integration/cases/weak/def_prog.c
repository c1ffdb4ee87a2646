/* weak_definition: a weak definition in an earlier library against a strong
 * one in a later library. The dynamic linker does not prefer strong
 * definitions (glibc ignores the weak binding unless LD_DYNAMIC_WEAK is set):
 * the first definition in load order wins, for both references. */
#include "rt.h"

const char *pick(void);
void wd2_report(void);

int main(void) {
  rt_kv_str("prog: pick", pick());
  wd2_report();
  return 0;
}
