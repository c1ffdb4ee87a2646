/* dl_filter: filters (DT_FILTER) and auxiliary filters (DT_AUXILIARY), at
 * start-up and with dlopen. A filter's filtee is loaded with it and placed
 * just before it in the search lists and the load order, so a symbol both
 * define resolves to the filtee's, also for the filter's own calls, while
 * what only the filter defines stays the filter's; the filtee is
 * initialised first. The program needs
 *   libdl_filter_f.so   DT_FILTER    libdl_filter_fe.so
 *   libdl_filter_a.so   DT_AUXILIARY libdl_filter_ae.so
 *   libdl_filter_m.so   DT_AUXILIARY libdl_filter_missing.so (absent: ignored)
 * and dlopens (RTLD_LOCAL)
 *   libdl_filter_d.so   DT_FILTER    libdl_filter_de.so
 *   libdl_filter_x.so   DT_FILTER    libdl_filter_missing.so (absent: dlopen fails)
 *   libdl_filter_y.so   DT_AUXILIARY libdl_filter_missing.so (absent: ignored)
 *   libdl_filter_z.so   DT_FILTER    libdl_filter_fe.so (already loaded)
 * Asserts each object's answers (who, own, internal), dlsym through a
 * filter's handle, the load order, initialisers, and that a failed dlopen
 * leaves nothing.
 * The case dl_filter_missing runs it without libdl_filter_fe.so: a missing
 * DT_FILTER filtee ends the start like a missing DT_NEEDED object. */
#include "dl.h"

typedef const char *name_fn(void);

const char *f_who(void), *f_own(void), *f_internal(void);
const char *a_who(void), *a_own(void), *a_internal(void);
const char *m_who(void), *m_own(void), *m_internal(void);

static void put_calls(const char *prefix, name_fn *who, name_fn *own, name_fn *internal) {
  rt_puts(prefix);
  rt_puts(": who=");
  rt_puts(who());
  rt_puts(" own=");
  rt_puts(own());
  rt_puts(" internal=");
  rt_line(internal());
}

static name_fn *sym(void *handle, const char *name) {
  name_fn *fn = (name_fn *)dlsym(handle, name);
  if (fn == 0) dl_put_error(name);
  return fn;
}

static void put_handle_calls(const char *prefix, void *handle, const char *who, const char *own,
                             const char *internal) {
  name_fn *w = sym(handle, who), *o = sym(handle, own), *i = sym(handle, internal);
  if (w != 0 && o != 0 && i != 0) put_calls(prefix, w, o, i);
}

int main(void) {
  dl_put_loaded("loaded at start");
  put_calls("f", f_who, f_own, f_internal);
  put_calls("a", a_who, a_own, a_internal);
  put_calls("m", m_who, m_own, m_internal);

  rt_line("-- dlopen libdl_filter_d.so");
  void *d = dl_open_report("dlopen d", "libdl_filter_d.so", RTLD_LAZY);
  if (d == 0) return 1;
  put_handle_calls("dlsym(d)", d, "d_who", "d_own", "d_internal");
  rt_kv_bool("RTLD_DEFAULT d_who found", dlsym(RTLD_DEFAULT, "d_who") != 0);
  dl_put_loaded("loaded");

  rt_line("-- dlopen libdl_filter_x.so (its filtee is missing)");
  void *x = dl_open_report("dlopen x", "libdl_filter_x.so", RTLD_LAZY);
  rt_kv_bool("x loaded", dl_is_loaded("libdl_filter_x.so"));
  if (x != 0) return 1;

  rt_line("-- dlopen libdl_filter_y.so (its auxiliary filtee is missing)");
  void *y = dl_open_report("dlopen y", "libdl_filter_y.so", RTLD_LAZY);
  if (y == 0) return 1;
  put_handle_calls("dlsym(y)", y, "y_who", "y_own", "y_internal");

  rt_line("-- dlclose d, y");
  dlclose(d);
  dlclose(y);
  dl_put_loaded("loaded");

  /* (glibc also moves the filtee in the load order, to just before z: the
   * case does not print the order from here on.) */
  rt_line("-- dlopen libdl_filter_z.so (its filtee is loaded already)");
  void *z = dl_open_report("dlopen z", "libdl_filter_z.so", RTLD_LAZY);
  if (z == 0) return 1;
  put_handle_calls("dlsym(z)", z, "f_who", "f_own", "f_internal");
  dlclose(z);
  rt_kv_bool("z loaded", dl_is_loaded("libdl_filter_z.so"));
  return 0;
}
