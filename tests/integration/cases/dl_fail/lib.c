/* libdl_fail_<x>.so (LIB_NAME): a constructor and a destructor that print;
 * with CALLS_MISSING, a call to fail_missing, which is defined nowhere. */
#include "rt.h"

__attribute__((constructor)) static void init(void) { rt_line("  " LIB_NAME ": constructor"); }
__attribute__((destructor)) static void fini(void) { rt_line("  " LIB_NAME ": destructor"); }

#ifdef CALLS_MISSING
int fail_missing(void);
int fail_call_missing(void) { return fail_missing(); }
#endif
int LIB_FN(void) { return 1; }
