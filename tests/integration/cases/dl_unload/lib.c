/* libdl_unl_*.so (LIB_NAME): a constructor and a destructor that print, and
 * LIB_FN returning LIB_VALUE. With DTOR_CALLS the destructor calls that
 * function (of a dependency; its first call, so bound lazily then). With
 * EXIT_IN_DTOR the destructor calls the exit function the program set
 * (unl_set_exit), as a destructor calling exit(3) would. */
#include "rt.h"

#ifdef DTOR_CALLS
int DTOR_CALLS(void);
#endif

#ifdef EXIT_IN_DTOR
static void (*exit_fn)(int);
void unl_set_exit(void (*fn)(int)) { exit_fn = fn; }
#endif

__attribute__((constructor)) static void init(void) { rt_line("  " LIB_NAME ": constructor"); }

__attribute__((destructor)) static void fini(void) {
  rt_line("  " LIB_NAME ": destructor");
#ifdef DTOR_CALLS
  rt_puts("  " LIB_NAME ": destructor calls a dependency's function: ");
  rt_put_dec(DTOR_CALLS());
  rt_puts("\n");
#endif
#ifdef EXIT_IN_DTOR
  if (exit_fn != 0) {
    rt_line("  " LIB_NAME ": destructor calls exit(3)");
    exit_fn(3);
  }
#endif
}

int LIB_FN(void) { return LIB_VALUE; }
