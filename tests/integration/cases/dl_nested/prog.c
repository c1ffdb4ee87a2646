/* dl_nested: a library whose constructor dlopens another.
 *  - libdl_nest_outer1.so's constructor dlopens libdl_nest_inner1.so, which
 *    only its own run path ($ORIGIN/nested) finds (not the program's): the
 *    inner constructor runs inside the outer one, both finish, and the
 *    inner library is loaded after the outer one; the program's dlopen
 *    RTLD_NOLOAD of its bare name finds it, though the program's own search
 *    path would not (a loaded library matches by name); dlclose of the outer
 *    runs its destructor, which dlcloses the inner: that dlclose returns 0
 *    at once, but glibc defers the work of a dlclose made while another
 *    runs, so the inner destructor runs after the outer one has ended; then
 *    both are gone;
 *  - libdl_nest_outer2.so's constructor dlopens libdl_nest_inner2.so
 *    RTLD_GLOBAL and keeps it: once the outer dlopen returns, RTLD_DEFAULT
 *    finds the inner library's symbol; after dlclose of the outer the inner
 *    library stays (its own reference), with no destructor run. */
#include "dl.h"

static void state(const char *a, const char *b) {
  rt_puts("loaded: ");
  rt_puts(a);
  rt_puts(dl_is_loaded(a) ? "=yes " : "=no ");
  rt_puts(b);
  rt_line(dl_is_loaded(b) ? "=yes" : "=no");
}

int main(void) {
  rt_line("-- outer1");
  void *o1 = dl_open_report("dlopen outer1", "libdl_nest_outer1.so", RTLD_NOW);
  if (o1 == 0) return 1;
  state("libdl_nest_outer1.so", "nested/libdl_nest_inner1.so");
  dl_put_loaded("objects");
  rt_kv_bool("RTLD_NOLOAD of the bare name libdl_nest_inner1.so from the program finds it",
             dl_is_loaded("libdl_nest_inner1.so"));
  rt_line("dlclose outer1 ...");
  rt_kv_dec("dlclose outer1", dlclose(o1));
  state("libdl_nest_outer1.so", "nested/libdl_nest_inner1.so");

  rt_line("-- outer2");
  void *o2 = dl_open_report("dlopen outer2", "libdl_nest_outer2.so", RTLD_NOW);
  if (o2 == 0) return 1;
  rt_kv_bool("RTLD_DEFAULT nest_inner2_only found", dlsym(RTLD_DEFAULT, "nest_inner2_only") != 0);
  rt_line("dlclose outer2 ...");
  rt_kv_dec("dlclose outer2", dlclose(o2));
  state("libdl_nest_outer2.so", "nested/libdl_nest_inner2.so");
  dl_put_loaded("objects");
  return 0;
}
