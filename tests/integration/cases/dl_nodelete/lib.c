/* libdl_nodelete_<kind>.so (LIB_NAME, LIB_ID): a constructor and a
 * destructor that print, and a counter that shows whether its data lived
 * on. */
#include "rt.h"

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

__attribute__((constructor)) static void init(void) { rt_line("  " LIB_NAME ": constructor"); }
__attribute__((destructor)) static void fini(void) { rt_line("  " LIB_NAME ": destructor"); }

static int counter = 5;
int CAT(bump_, LIB_ID)(void) { return ++counter; }
