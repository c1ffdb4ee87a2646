/* libinitN.so (LIB_NAME): a DT_INIT function (linked -Wl,-init=lib_dt_init)
 * and one DT_INIT_ARRAY entry, each printing what it received. */
#include "rt.h"

typedef void (*init_fn)(int, char **, char **);

static void report(const char *what, int argc, char **argv, char **envp) {
  const char *value = rt_getenv(envp, "INIT_CASE");
  rt_puts(LIB_NAME ": ");
  rt_puts(what);
  rt_puts(" argc=");
  rt_put_dec(argc);
  rt_puts(" argv[1]=");
  rt_puts(argc > 1 ? argv[1] : "(none)");
  rt_puts(" INIT_CASE=");
  rt_line(value != 0 ? value : "(unset)");
}

__attribute__((visibility("hidden"))) void lib_dt_init(int argc, char **argv, char **envp) {
  report("DT_INIT", argc, argv, envp);
}

static void init_array_entry(int argc, char **argv, char **envp) {
  report("DT_INIT_ARRAY", argc, argv, envp);
}
__attribute__((section(".init_array"), used)) static init_fn init_array[] = {init_array_entry};

/* Gives the library a symbol for its dependents to link against. */
int INIT_SYMBOL;
