/* dl_info: dlinfo. libdl_info_plain.so (no TLS) is opened by the relative
 * path sub/libdl_info_plain.so; libdl_info_gd.so (a TLS variable, global
 * dynamic: its block is allocated on first use) and libdl_info_ie.so (the
 * same, initial-exec: static TLS) by name through the program's
 * $ORIGIN run path. Asserts:
 *  - RTLD_DI_LINKMAP: l_name is the name the library was found by (the
 *    relative path as given; the run-path directory joined with the name),
 *    l_addr its load bias (dl_iterate_phdr's dlpi_addr); the program's
 *    (dlopen(NULL)) map has l_name "" and comes first (l_prev NULL); the
 *    list holds the cases' objects in load order;
 *  - RTLD_DI_ORIGIN: the library's directory (absolute for the relative
 *    path too);
 *  - RTLD_DI_LMID: 0 (the base namespace);
 *  - RTLD_DI_TLS_MODID: 0 without TLS (and for the program, which has
 *    none), nonzero with;
 *  - RTLD_DI_TLS_DATA: NULL without TLS; for the global-dynamic library
 *    NULL until the thread first uses the variable, then the variable's
 *    address (the start of the block), the same as dlsym's and the
 *    library's own; for the initial-exec library, once dlsym has looked
 *    its variable up, that address too;
 *  - an unknown request: -1 and glibc's message. */
#include "dl.h"

static unsigned long bias_of(const char *base);

static void show(const char *what, void *h, int tls_data) {
  rt_puts("-- ");
  rt_line(what);
  struct link_map *map = 0;
  rt_kv_dec("RTLD_DI_LINKMAP returns", dlinfo(h, RTLD_DI_LINKMAP, &map));
  if (map == 0) return;
  rt_kv_str("l_name", map->l_name);
  if (map->l_name[0] != 0)
    rt_kv_bool("l_addr is dlpi_addr", map->l_addr == bias_of(dl_basename(map->l_name)));
  rt_kv_bool("l_prev is NULL", map->l_prev == 0);
  char origin[4096];
  origin[0] = 0;
  rt_kv_dec("RTLD_DI_ORIGIN returns", dlinfo(h, RTLD_DI_ORIGIN, origin));
  /* The slash lets the runner fold glibc's "<cwd>/." (command mode) too. */
  rt_puts("origin + \"/\"=");
  rt_puts(origin);
  rt_line("/");
  Lmid_t lmid = -1;
  rt_kv_dec("RTLD_DI_LMID returns", dlinfo(h, RTLD_DI_LMID, &lmid));
  rt_kv_dec("lmid", lmid);
  rt_size_t modid = 12345;
  rt_kv_dec("RTLD_DI_TLS_MODID returns", dlinfo(h, RTLD_DI_TLS_MODID, &modid));
  rt_kv_str("modid", modid == 0 ? "0" : modid == 12345 ? "unchanged" : "nonzero");
  if (!tls_data) return;
  void *data = (void *)1;
  rt_kv_dec("RTLD_DI_TLS_DATA returns", dlinfo(h, RTLD_DI_TLS_DATA, &data));
  rt_kv_str("tls data", data == 0 ? "NULL" : data == (void *)1 ? "unchanged" : "an address");
}

struct find {
  const char *base;
  unsigned long bias;
};

static int find_bias(struct dl_phdr_info *info, rt_size_t size, void *data) {
  (void)size;
  struct find *f = data;
  if (!rt_streq(dl_basename(info->dlpi_name), f->base)) return 0;
  f->bias = info->dlpi_addr;
  return 1;
}

static unsigned long bias_of(const char *base) {
  struct find f = {base, 1};
  dl_iterate_phdr(find_bias, &f);
  return f.bias;
}

static void tls_data_check(void *h) {
  void *data = 0;
  dlinfo(h, RTLD_DI_TLS_DATA, &data);
  long *own = ((long *(*)(void))dlsym(h, "info_tls_addr"))();
  long *by_dlsym = dlsym(h, "info_tls");
  rt_kv_bool("tls data is the library's own address of info_tls", data == own);
  rt_kv_bool("dlsym(info_tls) is it too", by_dlsym == own);
  rt_kv_dec("info_tls", *own);
}

int main(void) {
  void *prog = dlopen(0, RTLD_NOW);
  show("the program", prog, 1);

  void *plain = dl_open_report("dlopen sub/libdl_info_plain.so", "sub/libdl_info_plain.so", RTLD_NOW);
  if (plain != 0) show("libdl_info_plain.so", plain, 1);

  void *gd = dl_open_report("dlopen libdl_info_gd.so", "libdl_info_gd.so", RTLD_NOW);
  if (gd == 0) return 1;
  show("libdl_info_gd.so, before any use of its TLS", gd, 1);
  long *first = dlsym(gd, "info_tls");
  rt_kv_bool("dlsym(info_tls)", first != 0);
  show("libdl_info_gd.so, after dlsym(info_tls)", gd, 1);
  tls_data_check(gd);

  void *ie = dl_open_report("dlopen libdl_info_ie.so", "libdl_info_ie.so", RTLD_NOW);
  if (ie == 0) return 1;
  show("libdl_info_ie.so", ie, 0);
  /* Not asked before: glibc answers from the thread's DTV, which it brings
   * up to date only in __tls_get_addr's slow path (dlsym of a TLS symbol
   * takes it), so a static-TLS module dlopen'ed after the last update reads
   * as NULL, an accident of its implementation. */
  rt_kv_bool("dlsym(info_tls)", dlsym(ie, "info_tls") != 0);
  show("libdl_info_ie.so, after dlsym(info_tls)", ie, 1);
  tls_data_check(ie);

  rt_line("-- the link map list");
  struct link_map *map = 0;
  dlinfo(prog, RTLD_DI_LINKMAP, &map);
  rt_puts("objects:");
  for (; map != 0; map = map->l_next) {
    if (!dl_is_case_object(map->l_name)) continue;
    rt_puts(" ");
    rt_puts(dl_basename(map->l_name));
  }
  rt_puts("\n");

  rt_line("-- an unknown request");
  int dummy = 0;
  rt_kv_dec("dlinfo(99) returns", dlinfo(gd, 99, &dummy));
  dl_put_error("dlinfo(99)");
  return 0;
}
