/* init_order: the program needs libinita.so and libinitb.so; both need
 * libinitc.so, which needs libinitd.so (a diamond). Asserts:
 *   - the program's DT_PREINIT_ARRAY runs first, before any library;
 *   - each library's DT_INIT then its DT_INIT_ARRAY run, dependencies before
 *     dependents (d, c, then the two sides of the diamond);
 *   - every initialiser gets (argc, argv, envp);
 *   - the program's own DT_INIT_ARRAY is left to the start code (rt_start.c
 *     runs it, as libc's does), not run by the loader. */
#include "rt.h"

typedef void (*init_fn)(int, char **, char **);

static void preinit_entry(int argc, char **argv, char **envp) {
  const char *value = rt_getenv(envp, "INIT_CASE");
  rt_puts("prog: DT_PREINIT_ARRAY argc=");
  rt_put_dec(argc);
  rt_puts(" argv[1]=");
  rt_puts(argc > 1 ? argv[1] : "(none)");
  rt_puts(" INIT_CASE=");
  rt_line(value != 0 ? value : "(unset)");
}
__attribute__((section(".preinit_array"), used)) static init_fn preinit_array[] = {preinit_entry};

static void init_array_entry(int argc, char **argv, char **envp) {
  (void)argc, (void)argv, (void)envp;
  rt_kv_bool("prog: DT_INIT_ARRAY, run by the start code", rt_in_start_code);
}
__attribute__((section(".init_array"), used)) static init_fn init_array[] = {init_array_entry};

extern int inita_symbol, initb_symbol;

int main(void) {
  rt_line("prog: main");
  return inita_symbol + initb_symbol;
}
