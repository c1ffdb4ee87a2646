/* dl_refuse: objects dlopen refuses, and what a refused dlopen leaves.
 *  - libdl_ref_user.so needs libdl_ref_noopen.so, linked -z nodlopen
 *    (DF_1_NOOPEN): glibc refuses every object that a dlopen maps with that
 *    flag, a dependency too ("shared object cannot be dlopen()ed", naming it
 *    as requested); nothing stays loaded, no constructor runs, and
 *    dl_iterate_phdr counts both objects as added and removed
 *    (dlpi_adds, dlpi_subs);
 *  - libdl_ref_noopen.so itself: refused the same way;
 *  - libdl_ref_initial.so, also -z nodlopen but a DT_NEEDED of the program
 *    (loaded at start, where the flag does not apply): dlopen finds it
 *    loaded and returns it;
 *  - the program's own file (argv[0]): a position-independent executable
 *    is refused, in command mode as under PT_INTERP. */
#include "dl.h"

static unsigned long long adds, subs;

static int counts(struct dl_phdr_info *info, rt_size_t size, void *data) {
  (void)size;
  (void)data;
  adds = info->dlpi_adds;
  subs = info->dlpi_subs;
  return 1;
}

static void put_growth(void) {
  unsigned long long before_adds = adds, before_subs = subs;
  dl_iterate_phdr(counts, 0);
  rt_kv_dec("  dlpi_adds grew by", (long)(adds - before_adds));
  rt_kv_dec("  dlpi_subs grew by", (long)(subs - before_subs));
}

static void refused(const char *what, const char *file) {
  void *handle = dl_open_report(what, file, RTLD_NOW);
  if (handle != 0) dlclose(handle);
  put_growth();
  dl_put_loaded("  loaded");
}

int ref_initial(void);

int main(int argc, char **argv) {
  (void)argc;
  dl_iterate_phdr(counts, 0);
  dl_put_loaded("loaded");
  refused("dlopen libdl_ref_user.so", "libdl_ref_user.so");
  refused("dlopen libdl_ref_noopen.so", "libdl_ref_noopen.so");
  void *initial = dl_open_report("dlopen libdl_ref_initial.so", "libdl_ref_initial.so", RTLD_NOW);
  if (initial != 0) rt_kv_dec("  dlclose", dlclose(initial));
  rt_kv_dec("  ref_initial()", ref_initial());
  put_growth();
  refused("dlopen argv[0]", argv[0]);
  return 0;
}
