/* interpose_order: who() is defined by the program and by libio1, libio2 and
 * libio3; level by the program, libio1 and libio2; second() by libio2 and
 * libio3; deep() by libio3 and libio4 (a dependency of libio1, so loaded
 * after libio3 in breadth-first order). Load order: prog, libio1, libio2,
 * libio3, libio4.
 * Asserts the first definition in load order wins, for references from the
 * program and from every library (each library's report shows its view). */
#include "rt.h"

const char *who(void) { return "prog"; }
int level = 0;
const char *second(void);
const char *deep(void);
void io1_report(void);
void io2_report(void);
void io3_report(void);

int main(void) {
  rt_puts("prog: who=");
  rt_puts(who());
  rt_puts(" level=");
  rt_put_dec(level);
  rt_puts(" second=");
  rt_puts(second());
  rt_puts(" deep=");
  rt_line(deep());
  io1_report();
  io2_report();
  io3_report();
  return 0;
}
