/* libdl_nest_inner<N>.so (LIB_NAME): a constructor and a destructor that
 * print, and a value. */
#include "rt.h"

__attribute__((constructor)) static void init(void) { rt_line("    " LIB_NAME ": constructor"); }
__attribute__((destructor)) static void fini(void) { rt_line("    " LIB_NAME ": destructor"); }

int nest_inner_value(void) { return INNER_VALUE; }
int INNER_ONLY(void) { return INNER_VALUE; }
