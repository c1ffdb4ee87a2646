/* libdl_basic_<a|b|c>.so (LIB_NAME, LIB_ID): a needs b needs c. Each has a
 * DT_INIT and a DT_FINI function (-Wl,-init/-fini), a DT_INIT_ARRAY and a
 * DT_FINI_ARRAY entry, each printing its name; a function adding its id to
 * its dependency's (NEXT_FN), and a counter that shows whether the library's
 * data is fresh. */
#include "rt.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

static void say(const char *what) {
  rt_puts(LIB_NAME ": ");
  rt_line(what);
}

__attribute__((visibility("hidden"))) void lib_dt_init(void) { say("DT_INIT"); }
__attribute__((visibility("hidden"))) void lib_dt_fini(void) { say("DT_FINI"); }
__attribute__((constructor)) static void init_entry(void) { say("DT_INIT_ARRAY"); }
__attribute__((destructor)) static void fini_entry(void) { say("DT_FINI_ARRAY"); }

#ifdef NEXT_FN
int NEXT_FN(void);
#define NEXT_VALUE NEXT_FN()
#else
#define NEXT_VALUE 0
#endif

int CAT(basic_, LIB_ID)(void) { return LIB_VALUE + NEXT_VALUE; }

static int counter = 5;
int CAT(bump_, LIB_ID)(void) { return ++counter; }
