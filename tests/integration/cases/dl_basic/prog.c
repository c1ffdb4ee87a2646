/* dl_basic: dlopen, dlsym and dlclose of libdl_basic_a.so, which needs
 * libdl_basic_b.so, which needs libdl_basic_c.so. Asserts:
 *  - dlopen runs the initialisers, dependencies first (c, b, a), each
 *    library's DT_INIT before its DT_INIT_ARRAY; the libraries are then
 *    loaded in breadth-first order (a, b, c in dl_iterate_phdr);
 *  - dlsym on the handle finds the library's symbols and its dependencies';
 *    a library opened RTLD_LOCAL is not in RTLD_DEFAULT's scope;
 *  - a second dlopen returns the same handle and runs no initialiser; the
 *    first dlclose then runs no finaliser and the library stays (RTLD_NOLOAD
 *    finds it); the last dlclose runs the finalisers, the opposite order of
 *    the initialisers (a, b, c), each library's DT_FINI_ARRAY before its
 *    DT_FINI, and unloads all three (RTLD_NOLOAD: NULL);
 *  - a dependency opened by a handle of its own outlives the library that
 *    pulled it in, and goes with its own last dlclose;
 *  - a reopened library starts afresh (initialisers again, data initial);
 *  - dlclose returns 0. */
#include "dl.h"

static const char *const names[] = {"libdl_basic_a.so", "libdl_basic_b.so", "libdl_basic_c.so"};

static void put_state(const char *what) {
  rt_puts(what);
  rt_puts(": loaded");
  for (int i = 0; i < 3; ++i) {
    rt_puts(" ");
    rt_puts(names[i]);
    rt_puts(dl_is_loaded(names[i]) ? "=yes" : "=no");
  }
  rt_puts("\n");
}

static int call(void *handle, const char *name) {
  int (*fn)(void) = (int (*)(void))dlsym(handle, name);
  if (fn == 0) {
    rt_puts(name);
    rt_line(": not found");
    dl_put_error(name);
    return -1;
  }
  return fn();
}

static void close_report(const char *what, void *handle) {
  rt_puts(what);
  rt_line(": dlclose ...");
  int status = dlclose(handle);
  rt_puts(what);
  rt_puts(": dlclose returned ");
  rt_put_dec(status);
  rt_puts("\n");
}

int main(void) {
  dl_put_loaded("objects at start");
  rt_line("-- first dlopen");
  void *h1 = dl_open_report("dlopen a", "libdl_basic_a.so", RTLD_NOW);
  if (h1 == 0) return 1;
  dl_put_loaded("objects after dlopen");
  rt_kv_dec("basic_a() (111 = a+b+c)", call(h1, "basic_a"));
  rt_kv_dec("basic_c() through a's handle", call(h1, "basic_c"));
  rt_kv_dec("bump_a()", call(h1, "bump_a"));
  rt_kv_dec("bump_a()", call(h1, "bump_a"));
  rt_kv_bool("dlsym(RTLD_DEFAULT, basic_a) found", dlsym(RTLD_DEFAULT, "basic_a") != 0);
  rt_line("-- second dlopen");
  void *h2 = dl_open_report("dlopen a again", "libdl_basic_a.so", RTLD_NOW);
  rt_kv_bool("same handle", h1 == h2);
  close_report("first close of a", h1);
  put_state("after first close");
  rt_kv_dec("bump_a() (data kept)", call(h2, "bump_a"));
  close_report("last close of a", h2);
  put_state("after last close");
  dl_put_loaded("objects after last close");
  dl_put_error("dlerror after RTLD_NOLOAD of unloaded files");

  rt_line("-- reopen");
  void *h3 = dl_open_report("dlopen a", "libdl_basic_a.so", RTLD_LAZY);
  rt_kv_dec("bump_a() (fresh data)", call(h3, "bump_a"));
  rt_line("-- b opened on its own");
  void *hb = dl_open_report("dlopen b", "libdl_basic_b.so", RTLD_NOW);
  rt_kv_dec("basic_b()", call(hb, "basic_b"));
  close_report("close of a", h3);
  put_state("after close of a");
  dl_put_loaded("objects after close of a");
  close_report("close of b", hb);
  put_state("after close of b");
  return 0;
}
