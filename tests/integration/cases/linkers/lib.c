/* liblinked.so, built by the linker of the case: exported function and data,
 * an initialiser, a table of pointers (relative relocations), a reference to
 * the program (exported) and a weak undefined reference. */
#include "rt.h"

int linked_data = 21;
static int items[4] = {1, 2, 3, 4};
static int *volatile table[4] = {&items[0], &items[1], &items[2], &items[3]};
static int initialised;

const char *prog_name(void);
extern int absent(void) __attribute__((weak));

__attribute__((constructor)) static void init(void) { initialised = 1; }

int linked_twice(int x) { return 2 * x; }

void linked_report(void) {
  int table_sum = 0;
  for (int i = 0; i < 4; ++i) table_sum += *table[i];
  rt_kv_bool("liblinked: initialiser ran", initialised);
  rt_kv_dec("liblinked: table sum", table_sum);
  rt_kv_str("liblinked: calls the program", prog_name());
  rt_kv_bool("liblinked: weak absent is null", absent == 0);
}
