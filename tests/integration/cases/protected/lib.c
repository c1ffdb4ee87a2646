/* libprot.so: prot_fn and prot_value have protected visibility, plain_fn and
 * plain_value default visibility; the program defines all four too. */
#include "rt.h"

__attribute__((visibility("protected"))) const char *prot_fn(void) { return "libprot"; }
__attribute__((visibility("protected"))) int prot_value = 1;
const char *plain_fn(void) { return "libprot"; }
int plain_value = 1;

void prot_report(void) {
  rt_puts("libprot: prot_fn=");
  rt_puts(prot_fn());
  rt_puts(" prot_value=");
  rt_put_dec(prot_value);
  rt_puts(" plain_fn=");
  rt_puts(plain_fn());
  rt_puts(" plain_value=");
  rt_put_dec(plain_value);
  rt_puts("\n");
}
