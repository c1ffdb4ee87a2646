/* dl_rescope: the scopes of objects a later dlopen reuses. libdl_rescope_a.so
 * is dlopen'ed (RTLD_LAZY, RTLD_LOCAL) with its dependency
 * libdl_rescope_dep.so; then libdl_rescope_c.so (RTLD_LOCAL), which needs
 * that same dependency and the program's libdl_rescope_init.so, and
 * defines what both call lazily. Asserts:
 *  - the dependency, loaded by the earlier dlopen, gains c's search list as
 *    a scope: its lazy calls to late_fn() and to the weak late_weak() bind
 *    to c's definitions;
 *  - c, bound to by that dependency, stays loaded after its own dlclose and
 *    goes with a; the dependency goes with a;
 *  - an initial object's scope never grows: libdl_rescope_init.so's lazy
 *    call to late_init() is a symbol lookup error (exit 127), even while c,
 *    which defines it and needs the object, is loaded. */
#include "dl.h"

typedef int int_fn(void);
int init_call_late(void);

int main(void) {
  void *a = dl_open_report("dlopen a", "libdl_rescope_a.so", RTLD_LAZY);
  if (a == 0) return 1;
  int_fn *call_late = (int_fn *)dlsym(a, "dep_call_late");
  int_fn *call_weak = (int_fn *)dlsym(a, "dep_call_weak");
  if (call_late == 0 || call_weak == 0) return 1;
  void *c = dl_open_report("dlopen c", "libdl_rescope_c.so", RTLD_LAZY);
  if (c == 0) return 1;
  rt_kv_dec("dep_call_late", call_late());
  rt_kv_dec("dep_call_weak", call_weak());
  dlclose(c);
  dl_put_loaded("after dlclose c");
  dlclose(a);
  dl_put_loaded("after dlclose a");
  c = dl_open_report("dlopen c again", "libdl_rescope_c.so", RTLD_LAZY);
  if (c == 0) return 1;
  rt_line("init_call_late:");
  rt_kv_dec("init_call_late", init_call_late());
  return 0;
}
