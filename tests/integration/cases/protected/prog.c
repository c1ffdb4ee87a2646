/* protected: the program (exporting its symbols) defines the same four
 * symbols as libprot.so. Asserts libprot.so's references to its protected
 * symbols stay with its own definitions, while its references to
 * default-visibility symbols bind to the program's (first in scope). */
#include "rt.h"

const char *prot_fn(void) { return "prog"; }
int prot_value = 2;
const char *plain_fn(void) { return "prog"; }
int plain_value = 2;
void prot_report(void);

int main(void) {
  rt_puts("prog: prot_fn=");
  rt_puts(prot_fn());
  rt_puts(" prot_value=");
  rt_put_dec(prot_value);
  rt_puts(" plain_fn=");
  rt_puts(plain_fn());
  rt_puts(" plain_value=");
  rt_put_dec(plain_value);
  rt_puts("\n");
  prot_report();
  return 0;
}
