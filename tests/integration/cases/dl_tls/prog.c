/* dl_tls_ie, dl_tls_ld, dl_tls_gd, dl_tls_desc: TLS of dlopen'ed
 * libraries. libdl_tls_<model>.so has five thread-local variables (lib.c:
 * initialised, zero, 64-byte aligned, 4096-byte aligned, zero 64-byte
 * aligned) reached with one access model:
 *   dl_tls_ie    -ftls-model=initial-exec: the loader must place the block
 *                in the static TLS surplus at dlopen (DF_STATIC_TLS); no
 *                4096-byte aligned variable (see meson.build)
 *   dl_tls_ld    -ftls-model=local-dynamic (__tls_get_addr from ld.so)
 *   dl_tls_gd    global-dynamic (__tls_get_addr from ld.so)
 *   dl_tls_desc  -mtls-dialect=gnu2: TLS descriptors of a dlopen'ed module
 * and libdl_tls_<model>_user.so, opened after it, reaches two of them.
 * Asserts, for each variable: the initial value (.tdata copied, .tbss
 * zero) as the library reads it; its alignment; that dlsym of the variable
 * gives this thread's address of it, the library's; that a write through
 * either is what the other then reads, and what the user library reads
 * (the same address); RTLD_DI_TLS_MODID nonzero, and, once dlsym has looked
 * a variable up, RTLD_DI_TLS_DATA a block holding every variable (within
 * PT_TLS's p_memsz of it) and aligned as PT_TLS says. After both libraries
 * are closed and gone, a new dlopen starts with the initial values again
 * (fresh block) and the same checks hold. */
#include "dl_tls.h"

static const char *const names[T_COUNT] = {"tls_init", "tls_zero", "tls_a64", "tls_a4096",
                                           "tls_z64"};
static const unsigned long alignments[T_COUNT] = {8, 8, 64, 4096, 64};

struct lib {
  void *h, *user;
  long *(*addr)(int);
  long (*get)(int);
  void (*set)(int, long);
  long *(*user_addr)(int);
  long (*user_get)(int);
};

static void *sym(void *h, const char *name) {
  void *p = dlsym(h, name);
  if (p == 0) dl_put_error(name);
  return p;
}

static int open_lib(struct lib *l) {
  l->h = dl_open_report("dlopen " LIB_FILE, LIB_FILE, RTLD_NOW);
  if (l->h == 0) return 0;
  l->user = dl_open_report("dlopen " USER_FILE, USER_FILE, RTLD_NOW);
  if (l->user == 0) return 0;
  l->addr = (long *(*)(int))sym(l->h, "tls_addr");
  l->get = (long (*)(int))sym(l->h, "tls_get");
  l->set = (void (*)(int, long))sym(l->h, "tls_set");
  l->user_addr = (long *(*)(int))sym(l->user, "user_addr");
  l->user_get = (long (*)(int))sym(l->user, "user_get");
  return l->addr && l->get && l->set && l->user_addr && l->user_get;
}

struct tls_segment {
  unsigned long memsz, align;
};

static int find_tls(struct dl_phdr_info *info, rt_size_t size, void *data) {
  (void)size;
  if (!rt_streq(dl_basename(info->dlpi_name), LIB_FILE)) return 0;
  struct tls_segment *t = data;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    if (info->dlpi_phdr[i].p_type != PT_TLS) continue;
    t->memsz = info->dlpi_phdr[i].p_memsz;
    t->align = info->dlpi_phdr[i].p_align;
  }
  return 1;
}

static void check(struct lib *l, const char *round) {
  rt_puts("-- ");
  rt_line(round);
  for (int v = 0; v < T_COUNT; ++v) {
    long *a = l->addr(v);
    if (a == 0) continue;
    rt_puts(names[v]);
    rt_puts(": initial ");
    rt_put_dec(l->get(v));
    rt_puts(", aligned ");
    rt_put_dec((long)alignments[v]);
    rt_puts(": ");
    rt_puts(((unsigned long)a & (alignments[v] - 1)) == 0 ? "yes" : "no");
    long *by_dlsym = dlsym(l->h, names[v]);
    rt_puts(", dlsym is the library's address: ");
    rt_line(by_dlsym == a ? "yes" : "no");
  }
  rt_size_t modid = 0;
  dlinfo(l->h, RTLD_DI_TLS_MODID, &modid);
  rt_kv_bool("RTLD_DI_TLS_MODID nonzero", modid != 0);
  void *block = 0;
  dlinfo(l->h, RTLD_DI_TLS_DATA, &block);
  struct tls_segment t = {0, 0};
  dl_iterate_phdr(find_tls, &t);
  int holds = block != 0;
  for (int v = 0; v < T_COUNT && holds; ++v) {
    char *a = (char *)l->addr(v);
    if (a != 0) holds = a >= (char *)block && a + sizeof(long) <= (char *)block + t.memsz;
  }
  rt_kv_bool("RTLD_DI_TLS_DATA holds every variable", holds);
  rt_kv_bool("RTLD_DI_TLS_DATA aligned as PT_TLS", t.align != 0 && ((unsigned long)block & (t.align - 1)) == 0);

  for (int v = 0; v < T_COUNT; ++v) {
    long *a = l->addr(v);
    if (a == 0) continue;
    long *by_dlsym = dlsym(l->h, names[v]);
    l->set(v, 1000 + v);
    long seen = *by_dlsym;
    *by_dlsym = 2000 + v;
    rt_puts(names[v]);
    rt_puts(": library wrote ");
    rt_put_dec(1000 + v);
    rt_puts(", dlsym's pointer read ");
    rt_put_dec(seen);
    rt_puts("; pointer wrote ");
    rt_put_dec(2000 + v);
    rt_puts(", library read ");
    rt_put_dec(l->get(v));
    long *u = l->user_addr(v);
    if (u != 0) {
      rt_puts(", user library read ");
      rt_put_dec(l->user_get(v));
      rt_puts(u == a ? " (same address)" : " (another address)");
    }
    rt_puts("\n");
  }
}

int main(void) {
  struct lib l;
  if (!open_lib(&l)) return 1;
  rt_kv_str("model", ((const char *(*)(void))dlsym(l.h, "tls_model_name"))());
  check(&l, "first open");
  rt_kv_dec("dlclose user", dlclose(l.user));
  rt_kv_dec("dlclose library", dlclose(l.h));
  rt_kv_bool("library still loaded", dl_is_loaded(LIB_FILE));
  if (!open_lib(&l)) return 1;
  check(&l, "reopened");
  return 0;
}
