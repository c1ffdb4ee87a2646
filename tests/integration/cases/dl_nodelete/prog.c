/* dl_nodelete: libraries that dlclose must not unload. Asserts, for
 * libdl_nodelete_flag.so (opened RTLD_NODELETE), libdl_nodelete_z.so
 * (linked -z nodelete, DF_1_NODELETE) and libdl_nodelete_late.so (opened
 * plainly, then again with RTLD_NOLOAD | RTLD_NODELETE): after the last
 * dlclose (which returns 0) the destructor has not run, RTLD_NOLOAD still
 * finds the library, its data kept its value (the counter goes on), and a
 * new dlopen runs no constructor. libdl_nodelete_none.so, opened plainly,
 * is the control: its destructor runs and it is gone. */
#include "dl.h"

typedef int fn(void);

static void check(const char *file, const char *bump, int mode, int late) {
  rt_puts("-- ");
  rt_line(file);
  void *h = dl_open_report("dlopen", file, mode);
  if (h == 0) return;
  fn *f = (fn *)dlsym(h, bump);
  rt_kv_dec("counter", f());
  if (late) {
    void *again = dl_open_report("dlopen RTLD_NOLOAD|RTLD_NODELETE", file,
                                 RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    rt_kv_dec("dlclose of that", dlclose(again));
  }
  rt_line("dlclose ...");
  rt_kv_dec("dlclose returned", dlclose(h));
  int loaded = dl_is_loaded(file);
  rt_kv_bool("still loaded", loaded);
  dl_put_loaded("objects");
  if (!loaded) return;
  void *h2 = dl_open_report("dlopen again", file, RTLD_NOW);
  fn *f2 = (fn *)dlsym(h2, bump);
  rt_kv_bool("same function", f2 == f);
  rt_kv_dec("counter", f2());
  rt_kv_dec("dlclose returned", dlclose(h2));
}

int main(void) {
  check("libdl_nodelete_none.so", "bump_none", RTLD_NOW, 0);
  check("libdl_nodelete_flag.so", "bump_flag", RTLD_NOW | RTLD_NODELETE, 0);
  check("libdl_nodelete_z.so", "bump_z", RTLD_NOW, 0);
  check("libdl_nodelete_late.so", "bump_late", RTLD_NOW, 1);
  return 0;
}
