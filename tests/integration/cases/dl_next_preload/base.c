/* libdl_nextpre_base.so, needed by the program: the last value(). */
#include "rt.h"

long value(void) {
  rt_line("  value in libdl_nextpre_base");
  return 100;
}
