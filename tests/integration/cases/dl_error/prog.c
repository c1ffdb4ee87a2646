/* dl_error: dlerror's state and glibc's messages. Asserts:
 *  - no error at start: dlerror returns NULL;
 *  - a failed dlopen of a missing file (by name, by relative path), of a
 *    file that is not ELF (long enough for a header, and shorter than one)
 *    and of a directory: NULL, and glibc's message; a second dlerror
 *    returns NULL (reading clears it);
 *  - of two failures, dlerror reports the last;
 *  - a successful dl call clears a pending error;
 *  - dlsym of a missing symbol: NULL and glibc's message;
 *  - RTLD_NOLOAD of a file that exists but is not loaded: NULL and no
 *    error; of a file that does not exist: NULL and the "cannot open"
 *    message;
 *  - dlopen("") is the program, as dlopen(NULL). */
#include "dl.h"

static void try_open(const char *file) {
  rt_puts("dlopen \"");
  rt_puts(file);
  void *h = dlopen(file, RTLD_NOW);
  rt_line(h != 0 ? "\": handle" : "\": NULL");
  dl_put_error("  first dlerror");
  dl_put_error("  second dlerror");
}

int main(void) {
  dl_put_error("at start");
  try_open("libdl_error_missing.so");
  try_open("./libdl_error_missing.so");
  try_open("./libdl_error_notelf.so");
  try_open("./libdl_error_short.so");
  try_open("./libdl_error_dir.so");

  rt_line("-- two failures");
  dlopen("libdl_error_first.so", RTLD_NOW);
  dlopen("libdl_error_second.so", RTLD_NOW);
  dl_put_error("  dlerror");

  rt_line("-- a failure, then a success");
  void *h = dlopen("libdl_error.so", RTLD_NOW);
  rt_kv_bool("dlopen libdl_error.so", h != 0);
  if (h == 0) return 1;
  dlsym(h, "err_missing");
  rt_kv_bool("dlsym err_fn found", dlsym(h, "err_fn") != 0);
  dl_put_error("  dlerror");

  rt_line("-- dlsym of a missing symbol");
  rt_kv_bool("dlsym err_missing found", dlsym(h, "err_missing") != 0);
  dl_put_error("  first dlerror");
  dl_put_error("  second dlerror");

  rt_line("-- RTLD_NOLOAD");
  rt_kv_bool("dlopen RTLD_NOLOAD libdl_error_unloaded.so (exists)",
             dlopen("libdl_error_unloaded.so", RTLD_NOW | RTLD_NOLOAD) != 0);
  dl_put_error("  dlerror");
  rt_kv_bool("dlopen RTLD_NOLOAD libdl_error_missing.so",
             dlopen("libdl_error_missing.so", RTLD_NOW | RTLD_NOLOAD) != 0);
  dl_put_error("  dlerror");

  rt_line("-- the program");
  void *self = dlopen(0, RTLD_NOW);
  void *empty = dlopen("", RTLD_NOW);
  rt_kv_bool("dlopen(NULL) handle", self != 0);
  rt_kv_bool("dlopen(\"\") is the same handle", empty == self);
  dl_put_error("  dlerror");
  return 0;
}
