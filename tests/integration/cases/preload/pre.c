/* libpre1.so (PRE_ID 1) and libpre2.so (PRE_ID 2), preloaded. libpre1
 * defines greet() and shared_pre(); libpre2 defines shared_pre() and
 * only_pre2(). Each initialiser prints, to show the preloads were loaded. */
#include "rt.h"

#define STR2(x) #x
#define STR(x) STR2(x)
#define NAME "libpre" STR(PRE_ID)

#if PRE_ID == 1
const char *greet(void) { return NAME; }
#else
const char *only_pre2(void) { return NAME; }
#endif
const char *shared_pre(void) { return NAME; }

__attribute__((constructor)) static void announce(void) { rt_line(NAME ": initialiser"); }
