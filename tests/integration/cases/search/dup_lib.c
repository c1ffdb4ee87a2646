/* libdup.so.1 (soname libdup.so.1), reached by three names in search_soname_dedup.
 * Its initialiser counts how often it runs; a second copy would print again. */
#include "rt.h"

static int init_runs;
int dup_counter;

int dup_bump(void) { return ++dup_counter; }

__attribute__((constructor)) static void announce(void) {
  ++init_runs;
  rt_puts("libdup.so.1: initialiser run ");
  rt_put_dec(init_runs);
  rt_puts("\n");
}
