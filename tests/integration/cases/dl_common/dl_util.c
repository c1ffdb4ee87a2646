/* Helpers of the dl_* case programs (see dl.h). */
#include "dl.h"

#pragma GCC visibility push(hidden)

const char *dl_basename(const char *path) {
  const char *base = path;
  for (const char *p = path; *p != 0; ++p)
    if (*p == '/') base = p + 1;
  return base;
}

int dl_is_case_object(const char *name) {
  const char *base = dl_basename(name);
  static const char prefix[] = "libdl_";
  for (rt_size_t i = 0; i + 1 < sizeof prefix; ++i)
    if (base[i] != prefix[i]) return 0;
  return 1;
}

void dl_put_error(const char *what) {
  const char *message = dlerror();
  rt_puts(what);
  rt_puts(": dlerror=");
  rt_line(message != 0 ? message : "(null)");
}

void *dl_open_report(const char *what, const char *file, int mode) {
  void *handle = dlopen(file, mode);
  rt_puts(what);
  if (handle != 0) {
    rt_line(": handle");
  } else {
    rt_line(": NULL");
    dl_put_error(what);
  }
  return handle;
}

int dl_is_loaded(const char *file) {
  void *handle = dlopen(file, RTLD_LAZY | RTLD_NOLOAD);
  if (handle == 0) return 0;
  dlclose(handle);
  return 1;
}

static int put_one(struct dl_phdr_info *info, rt_size_t size, void *data) {
  (void)size;
  (void)data;
  if (dl_is_case_object(info->dlpi_name)) {
    rt_puts(" ");
    rt_puts(dl_basename(info->dlpi_name));
  }
  return 0;
}

void dl_put_loaded(const char *what) {
  rt_puts(what);
  rt_puts(":");
  dl_iterate_phdr(put_one, 0);
  rt_puts("\n");
}

#pragma GCC visibility pop
