/* ifunc: the program calls libifunc.so's IFUNC compute() and has a local
 * IFUNC of its own (IRELATIVE in a PIE). Asserts each resolver's choice
 * (implementation b: x * 10, and the program's second implementation) is what
 * runs, and that the program and the library agree on compute's address (the
 * resolved function). */
#include "rt.h"

typedef int (*compute_fn)(int);

int compute(int x);
int lib_local_compute(int x);
compute_fn lib_compute_address(void);

static const char *pick_first(void) { return "first"; }
static const char *pick_second(void) { return "second"; }
static const char *prog_selector_storage = "second";
static const char **volatile prog_selector = &prog_selector_storage;

static const char *(*resolve_pick(void))(void) {
  return (*prog_selector)[0] == 's' ? pick_second : pick_first;
}
static const char *prog_pick(void) __attribute__((ifunc("resolve_pick")));

int main(void) {
  rt_kv_dec("compute(3) from the program", compute(3));
  rt_kv_dec("local_compute(3) in the library", lib_local_compute(3));
  rt_kv_bool("program and library agree on compute", lib_compute_address() == compute);
  rt_kv_str("program's own IFUNC picked", prog_pick());
  return 0;
}
