/* error_missing_lib / error_missing_indirect / error_not_elf /
 * error_undefined_data: the load fails before main (exit 127); main must not
 * run. */
#include "rt.h"

int main(void) {
  rt_line("main ran (it must not)");
  return 0;
}
