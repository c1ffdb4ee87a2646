/* dl_fail: a failed dlopen leaves nothing behind.
 *  - libdl_fail_a.so needs libdl_fail_b.so, which needs libdl_fail_c.so,
 *    which is missing: dlopen(a) fails with glibc's message, no
 *    constructor runs, RTLD_NOLOAD finds neither a nor b and
 *    dl_iterate_phdr lists neither;
 *  - libdl_fail_a2.so needs libdl_fail_keep.so (already opened by the
 *    program) and libdl_fail_b2.so, which calls fail_missing, defined
 *    nowhere: dlopen(a2, RTLD_NOW) fails with glibc's message, no
 *    constructor runs, a2 and b2 are gone, libdl_fail_keep.so stays, and
 *    the program's one dlclose then unloads it (the failure took no
 *    reference of its own);
 *  - after that, dlopen(b2, RTLD_LAZY) alone succeeds and its code runs. */
#include "dl.h"

static void put_state(const char *what, const char *const *files, int count) {
  rt_puts(what);
  rt_puts(":");
  for (int i = 0; i < count; ++i) {
    rt_puts(" ");
    rt_puts(files[i]);
    rt_puts(dl_is_loaded(files[i]) ? "=loaded" : "=not-loaded");
  }
  rt_puts("\n");
}

int main(void) {
  rt_line("-- a needs b needs c (missing)");
  static const char *const abc[] = {"libdl_fail_a.so", "libdl_fail_b.so"};
  dl_open_report("dlopen a", "libdl_fail_a.so", RTLD_NOW);
  put_state("after the failure", abc, 2);
  dl_put_loaded("objects");

  rt_line("-- a2 needs keep and b2 (undefined symbol)");
  void *keep = dl_open_report("dlopen keep", "libdl_fail_keep.so", RTLD_NOW);
  dl_open_report("dlopen a2 NOW", "libdl_fail_a2.so", RTLD_NOW);
  static const char *const a2[] = {"libdl_fail_a2.so", "libdl_fail_b2.so", "libdl_fail_keep.so"};
  put_state("after the failure", a2, 3);
  dl_put_loaded("objects");
  rt_line("dlclose keep ...");
  rt_kv_dec("dlclose keep", dlclose(keep));
  put_state("after dlclose keep", a2 + 2, 1);

  rt_line("-- b2 alone, RTLD_LAZY");
  void *b2 = dl_open_report("dlopen b2 LAZY", "libdl_fail_b2.so", RTLD_LAZY);
  if (b2 == 0) return 1;
  int (*f)(void) = (int (*)(void))dlsym(b2, "fail_b2");
  rt_kv_dec("fail_b2()", f != 0 ? f() : -1);
  dl_put_loaded("objects");
  return 0;
}
