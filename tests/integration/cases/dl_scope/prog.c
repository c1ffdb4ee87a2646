/* dl_scope: RTLD_LOCAL and RTLD_GLOBAL. libdl_scope_a.so (needs
 * libdl_scope_dep.so) and libdl_scope_b.so define scope_a and scope_b;
 * libdl_scope_usea.so and libdl_scope_useb.so call them without needing
 * their libraries. Asserts:
 *  - a library opened RTLD_LOCAL, and its dependency, are not in the global
 *    scope: dlsym(RTLD_DEFAULT) and dlsym on dlopen(NULL)'s handle do not
 *    find their symbols, and a library opened later cannot bind to them
 *    (RTLD_NOW: dlopen fails with glibc's message and leaves nothing); its
 *    own handle finds them;
 *  - a library opened RTLD_GLOBAL is: both find its symbol and a later
 *    library binds to it;
 *  - RTLD_NOLOAD | RTLD_GLOBAL promotes the RTLD_LOCAL library (the same
 *    handle), with its dependency, to the global scope; the library that
 *    failed now loads and calls it;
 *  - RTLD_NOLOAD | RTLD_GLOBAL of a library not loaded returns NULL and
 *    loads nothing. */
#include "dl.h"

static void *program;

static void put_lookup(const char *name) {
  rt_puts(name);
  rt_puts(": RTLD_DEFAULT ");
  rt_puts(dlsym(RTLD_DEFAULT, name) != 0 ? "found" : "not found");
  rt_puts(", dlopen(NULL) handle ");
  rt_line(dlsym(program, name) != 0 ? "found" : "not found");
}

static void call(void *handle, const char *name) {
  int (*fn)(void) = (int (*)(void))dlsym(handle, name);
  rt_puts(name);
  if (fn == 0) {
    rt_line(" not found");
    return;
  }
  rt_puts("() = ");
  rt_put_dec(fn());
  rt_puts("\n");
}

int main(void) {
  program = dlopen(0, RTLD_NOW);
  rt_kv_bool("dlopen(NULL) handle", program != 0);

  rt_line("-- libdl_scope_a.so RTLD_LOCAL");
  void *ha = dl_open_report("dlopen a LOCAL", "libdl_scope_a.so", RTLD_NOW | RTLD_LOCAL);
  put_lookup("scope_a");
  put_lookup("scope_dep");
  call(ha, "scope_a");
  call(ha, "scope_dep");
  dl_open_report("dlopen usea NOW", "libdl_scope_usea.so", RTLD_NOW);
  rt_kv_bool("usea loaded after the failure", dl_is_loaded("libdl_scope_usea.so"));
  dl_put_loaded("objects");

  rt_line("-- libdl_scope_b.so RTLD_GLOBAL");
  void *hb = dl_open_report("dlopen b GLOBAL", "libdl_scope_b.so", RTLD_NOW | RTLD_GLOBAL);
  put_lookup("scope_b");
  void *hub = dl_open_report("dlopen useb NOW", "libdl_scope_useb.so", RTLD_NOW);
  call(hub, "use_b");

  rt_line("-- promotion of a");
  void *ha2 = dl_open_report("dlopen a NOLOAD|GLOBAL", "libdl_scope_a.so",
                             RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  rt_kv_bool("same handle", ha2 == ha);
  put_lookup("scope_a");
  put_lookup("scope_dep");
  void *hua = dl_open_report("dlopen usea NOW", "libdl_scope_usea.so", RTLD_NOW);
  call(hua, "use_a");

  rt_line("-- RTLD_NOLOAD|RTLD_GLOBAL of a library not loaded");
  void *hc = dlopen("libdl_scope_c.so", RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  rt_kv_bool("dlopen c NOLOAD|GLOBAL handle", hc != 0);
  put_lookup("scope_c");
  dl_put_loaded("objects");
  (void)hb;
  return 0;
}
