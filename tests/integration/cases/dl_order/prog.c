/* dl_order: the order of constructors and destructors of dlopen'ed objects
 * (glibc 2.36's depth-first sort of the objects' init/fini lists); the
 * program's start code calls the loader's fini function after main.
 *  - libdl_ord_a.so needs b and c; c needs a (a cycle); b calls c's function
 *    without needing c (bound at dlopen, RTLD_NOW: a relocation dependency).
 *    dlopen a: the constructors of c, b, a (the cycle is entered at c from
 *    the end of the load order, and a, the opened object, has no list of its
 *    own yet); dlclose a: the destructors of a, c, b (a sorts with its whole
 *    scope, and b's relocation dependency on c puts c before b).
 *  - libdl_ord_p.so needs q and r, r needs q: q's constructor runs first and
 *    dlopens libdl_ord_n.so, which needs r, loaded but not yet initialised:
 *    r's constructor runs inside that dlopen, before n's, and not again
 *    after q's; then p's. dlclose p: only p goes (n holds q and r).
 *  - libdl_ord_y.so opened RTLD_GLOBAL, then libdl_ord_x.so (lazily), whose
 *    function calls y's: once called, x depends on y. dlclose y: nothing
 *    runs (x keeps y); dlclose x: x's destructor, then y's (y was loaded
 *    first, yet its destructor waits for x's).
 *  - y and x again, left open; at exit the destructors of everything still
 *    loaded: n, r, q, then x before y (the relocation dependency counts). */
#include "dl.h"

static int call(void *handle, const char *fn) {
  int (*f)(void) = (int (*)(void))dlsym(handle, fn);
  return f != 0 ? f() : -1;
}

static void *open_xy(void **y) {
  *y = dl_open_report("dlopen y RTLD_NOW|RTLD_GLOBAL", "libdl_ord_y.so", RTLD_NOW | RTLD_GLOBAL);
  void *x = dl_open_report("dlopen x RTLD_LAZY", "libdl_ord_x.so", RTLD_LAZY);
  rt_kv_dec("ord_x() (calls ord_y)", call(x, "ord_x"));
  return x;
}

int main(void) {
  rt_line("-- a, b, c");
  void *a = dl_open_report("dlopen a", "libdl_ord_a.so", RTLD_NOW);
  if (a == 0) return 1;
  rt_kv_dec("ord_b() (calls ord_c)", call(a, "ord_b"));
  rt_line("dlclose a ...");
  rt_kv_dec("dlclose a", dlclose(a));
  dl_put_loaded("loaded");

  rt_line("-- p, q, r, n");
  void *p = dl_open_report("dlopen p", "libdl_ord_p.so", RTLD_NOW);
  if (p == 0) return 1;
  rt_line("dlclose p ...");
  rt_kv_dec("dlclose p", dlclose(p));
  dl_put_loaded("loaded");

  rt_line("-- y, x");
  void *y;
  void *x = open_xy(&y);
  rt_line("dlclose y ...");
  rt_kv_dec("dlclose y", dlclose(y));
  rt_line("dlclose x ...");
  rt_kv_dec("dlclose x", dlclose(x));
  dl_put_loaded("loaded");

  rt_line("-- y, x kept");
  open_xy(&y);
  dl_put_loaded("loaded");
  rt_line("main returns");
  return 0;
}
