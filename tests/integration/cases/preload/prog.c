/* preload_env / preload_option: the program needs only libbase.so; the
 * preloaded libraries come first in the global scope. Asserts the program's
 * and libbase's references to greet() bind to libpre1.so, and reports which
 * preload wins shared_pre() (defined by both). */
#include "rt.h"

const char *greet(void);
void base_report(void);

int main(void) {
  rt_kv_str("prog: greet", greet());
  base_report();
  return 0;
}
