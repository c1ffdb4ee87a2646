/* dl_lazy: RTLD_NOW and RTLD_LAZY with an undefined function.
 * libdl_lazy_undef.so calls lazy_missing, defined nowhere, and lazy_present,
 * from its dependency libdl_lazy_def.so. Asserts:
 *  - RTLD_NOW fails with glibc's message and leaves neither library loaded;
 *  - RTLD_LAZY succeeds; the library's code runs; both PLT slots still
 *    point into the library (nothing bound); after lazy_present's first
 *    call its slot is bound, lazy_missing's still is not;
 *  - an undefined data reference (libdl_lazy_data.so) fails even with
 *    RTLD_LAZY;
 *  - calling lazy_missing ends the process as glibc does: "symbol lookup
 *    error" on stderr, exit status 127. */
#include "dl.h"

typedef int fn(void);
typedef int slot_fn(const char *);

static void put_slot(slot_fn *unbound, const char *name) {
  rt_puts("slot of ");
  rt_puts(name);
  int state = unbound(name);
  rt_line(state < 0 ? ": none" : state ? ": unbound (points into the library)" : ": bound");
}

int main(void) {
  rt_line("-- RTLD_NOW");
  dl_open_report("dlopen undef NOW", "libdl_lazy_undef.so", RTLD_NOW);
  dl_put_loaded("objects");
  rt_line("-- RTLD_LAZY");
  void *h = dl_open_report("dlopen undef LAZY", "libdl_lazy_undef.so", RTLD_LAZY);
  if (h == 0) return 1;
  dl_put_loaded("objects");
  slot_fn *unbound = (slot_fn *)dlsym(h, "lazy_slot_unbound");
  rt_kv_dec("lazy_ok()", ((fn *)dlsym(h, "lazy_ok"))());
  put_slot(unbound, "lazy_present");
  put_slot(unbound, "lazy_missing");
  rt_kv_dec("lazy_call_present()", ((fn *)dlsym(h, "lazy_call_present"))());
  put_slot(unbound, "lazy_present");
  put_slot(unbound, "lazy_missing");
  rt_line("-- undefined data, RTLD_LAZY");
  dl_open_report("dlopen data LAZY", "libdl_lazy_data.so", RTLD_LAZY);
  rt_line("-- calling lazy_missing");
  fn *call_missing = (fn *)dlsym(h, "lazy_call_missing");
  rt_kv_dec("lazy_call_missing() returned (it must not)", call_missing());
  return 0;
}
