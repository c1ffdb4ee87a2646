/* align_2m: a library and the program (PIE) whose PT_LOAD segments ask for
 * 2 MiB alignment, each holding a 2 MiB-aligned initialised object. Asserts
 * the objects are 2 MiB aligned in memory (the load address honours p_align)
 * and hold their initial values (the file was mapped at the right offset). */
#include "align.h"

void align_lib_report(void);

int main(void) {
  align_report("prog");
  align_lib_report();
  return 0;
}
