/* bss_tail: a library and the program with initialised data followed by a
 * small and a large .bss. Asserts the data is intact and every .bss byte is
 * zero, including those in the page shared with the data (the loader must
 * clear the file bytes past p_filesz there), and that .bss is writable. */
#include "bss.h"

void bss_lib_report(void);

int main(void) {
  bss_report("prog");
  bss_lib_report();
  return 0;
}
