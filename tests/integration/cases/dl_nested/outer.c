/* libdl_nest_outer<N>.so (LIB_NAME; run path $ORIGIN/nested): its
 * constructor dlopens INNER_FILE (MODE), found through this library's run
 * path, and calls it; with CLOSE_INNER its destructor dlcloses it. */
#include "dl.h"

static void *inner;

__attribute__((constructor)) static void init(void) {
  rt_line("  " LIB_NAME ": constructor begins");
  inner = dlopen(INNER_FILE, MODE);
  if (inner == 0) {
    const char *message = dlerror();
    rt_puts("  " LIB_NAME ": dlopen " INNER_FILE " failed: ");
    rt_line(message != 0 ? message : "(null)");
  } else {
    int (*fn)(void) = (int (*)(void))dlsym(inner, "nest_inner_value");
    rt_puts("  " LIB_NAME ": inner value ");
    rt_put_dec(fn != 0 ? fn() : -1);
    rt_puts("\n");
  }
  rt_line("  " LIB_NAME ": constructor ends");
}

__attribute__((destructor)) static void fini(void) {
  rt_line("  " LIB_NAME ": destructor begins");
#ifdef CLOSE_INNER
  if (inner != 0) {
    int status = dlclose(inner);
    rt_puts("  " LIB_NAME ": dlclose inner returned ");
    rt_put_dec(status);
    rt_puts("\n");
  }
#endif
  rt_line("  " LIB_NAME ": destructor ends");
}

int nest_outer_loaded(void) { return 1; }
