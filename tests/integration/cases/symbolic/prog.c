/* symbolic: the program (exporting its symbols) defines sym_fn and sym_var,
 * as do three libraries. Asserts the two DT_SYMBOLIC libraries (one bound by
 * the linker, one left to the loader) see their own definitions, and the
 * ordinary one sees the program's. */
#include "rt.h"

const char *sym_fn(void) { return "prog"; }
int sym_var = 0;
void symld_report(void);
void symrt_report(void);
void symplain_report(void);

int main(void) {
  rt_puts("prog: sym_fn=");
  rt_puts(sym_fn());
  rt_puts(" sym_var=");
  rt_put_dec(sym_var);
  rt_puts("\n");
  symld_report();
  symrt_report();
  symplain_report();
  return 0;
}
