/* libbase.so: greet() (interposed by the preloaded libpre1.so) and
 * base_report(), which calls greet(), shared_pre() and only_pre2() through
 * the dynamic linker. The last two are defined only by the preloaded
 * libraries. */
#include "rt.h"

const char *greet(void) { return "libbase"; }
const char *shared_pre(void);
const char *only_pre2(void);

void base_report(void) {
  rt_puts("libbase: greet=");
  rt_puts(greet());
  rt_puts(" shared_pre=");
  rt_puts(shared_pre());
  rt_puts(" only_pre2=");
  rt_line(only_pre2());
}
