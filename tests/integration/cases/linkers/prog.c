/* linker_bfd, linker_gold, linker_lld, linker_mold: the same program and
 * library, linked by each linker. Asserts calls and data both ways, the
 * library's initialiser and relative and weak relocations. */
#include "rt.h"

extern int linked_data;
int linked_twice(int x);
void linked_report(void);

const char *prog_name(void) { return "prog"; }

int main(void) {
  rt_kv_dec("linked_twice(linked_data)", linked_twice(linked_data));
  linked_report();
  return 0;
}
