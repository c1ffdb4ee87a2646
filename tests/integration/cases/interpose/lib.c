/* libioN.so for N = LIB_ID in 1..4 (see prog.c for which defines what).
 * Each calls the interposable symbols through the dynamic linker and reports
 * what it got. */
#include "rt.h"

#define STR2(x) #x
#define STR(x) STR2(x)
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define NAME "libio" STR(LIB_ID)

#if LIB_ID <= 3
const char *who(void) { return NAME; }
#endif
#if LIB_ID <= 2
int level = LIB_ID;
#else
extern int level;
#endif
#if LIB_ID >= 2 && LIB_ID <= 3
const char *second(void) { return NAME; }
#endif
#if LIB_ID >= 3
const char *deep(void) { return NAME; }
#endif

#if LIB_ID <= 3
const char *who(void);
const char *second(void);
const char *deep(void);

void CAT(CAT(io, LIB_ID), _report)(void) {
  rt_puts(NAME ": who=");
  rt_puts(who());
  rt_puts(" level=");
  rt_put_dec(level);
  rt_puts(" second=");
  rt_puts(second());
  rt_puts(" deep=");
  rt_line(deep());
}
#endif
