/* search_origin: the program, in bin/, has DT_RUNPATH
 * "$ORIGIN/../o1:${ORIGIN}/../o2" and is run from another directory
 * (../bin/prog). Asserts both spellings expand to the program's directory and
 * that $ORIGIN in a library's DT_RUNPATH is that library's directory. */
#include "rt.h"

const char *o1(void);
const char *o1_dep(void);
const char *o2(void);

int main(void) {
  rt_puts(o1());
  rt_line(o1_dep());
  rt_line(o2());
  return 0;
}
