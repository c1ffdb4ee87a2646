/* dl_unload: finalisers that unload, and what an unload leaves behind. The
 * start code calls the loader's fini function after main, and so does the
 * program's exit function (given to a library, whose destructor calls it).
 *  - libdl_unl_r.so needs libdl_unl_n.so (-z nodelete), which needs
 *    libdl_unl_d.so; opened lazily. dlclose r: r goes, n stays (NODELETE)
 *    and keeps d. n searched r's scope: it now searches its own (itself and
 *    d), so at exit its destructor's first call of d's function binds.
 *  - libdl_nest_outer1.so (dl_nested's): its constructor dlopens
 *    libdl_nest_inner1.so, its destructor dlcloses it. At exit that dlclose
 *    returns 0 and unloads nothing: inner's destructor runs after outer's
 *    has ended, in the exit order.
 *  - libdl_unl_e.so needs libdl_unl_f.so; dlclose e runs e's destructor,
 *    which exits (status 3): the loader's fini function then runs the
 *    destructors not run yet, f's (whose dlclose was under way) among them,
 *    each once, and the dlclose never returns. */
#include "dl.h"

static void case_exit(int status) {
  rt_line("exit: the loader's fini function ...");
  if (rt_abi_fini != 0) rt_abi_fini();
  rt_line("exit: ... done");
  rt_exit(status);
}

int main(void) {
  rt_line("-- r, n (NODELETE), d");
  void *r = dl_open_report("dlopen r RTLD_LAZY", "libdl_unl_r.so", RTLD_LAZY);
  if (r == 0) return 1;
  rt_line("dlclose r ...");
  rt_kv_dec("dlclose r", dlclose(r));
  dl_put_loaded("loaded");

  rt_line("-- outer, inner");
  if (dl_open_report("dlopen outer1", "libdl_nest_outer1.so", RTLD_NOW) == 0) return 1;
  dl_put_loaded("loaded");

  rt_line("-- e, f");
  void *e = dl_open_report("dlopen e", "libdl_unl_e.so", RTLD_NOW);
  if (e == 0) return 1;
  void (*set_exit)(void (*)(int)) = (void (*)(void (*)(int)))dlsym(e, "unl_set_exit");
  if (set_exit == 0) return 1;
  set_exit(case_exit);
  rt_line("dlclose e ...");
  rt_kv_dec("dlclose e", dlclose(e));
  rt_line("main returns");
  return 0;
}
