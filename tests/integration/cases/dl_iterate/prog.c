/* dl_iterate: dl_iterate_phdr. The program (with a TLS variable) needs
 * libdl_iter_1.so, which needs libdl_iter_2.so (with TLS); the program then
 * dlopens libdl_iter_3.so and libdl_iter_4.so (with TLS, global dynamic:
 * dynamic TLS, allocated at the first __tls_get_addr; not TLS descriptors,
 * which glibc resolves to static TLS when its surplus has room, so that its
 * dlpi_tls_data would stay NULL after use, from a stale DTV). For each of the cases' objects (the program is the first
 * entry, with the name "") the case prints, in iteration order:
 *  - whether dlpi_phnum is the e_phnum of the ELF header mapped at the
 *    start of its first PT_LOAD, dlpi_phdr that header plus e_phoff, the
 *    PT_PHDR entry (when there is one) at dlpi_phdr, and PT_DYNAMIC at the
 *    l_ld of the object's link map (dladdr1 on its first PT_LOAD);
 *  - whether it has PT_TLS, and whether dlpi_tls_modid is nonzero exactly
 *    then; dlpi_tls_data: NULL without TLS; for static TLS (program,
 *    libdl_iter_2.so) the address of its variable; for libdl_iter_4.so NULL
 *    until its variable is used, then that address.
 * Asserts also: the order (program, its dependencies breadth-first, then
 * the dlopen'ed in open order); the size argument covers dlpi_tls_data;
 * dlpi_adds grows by 2 over the two dlopens, dlpi_subs by 1 over a
 * dlclose, after which libdl_iter_3.so is no longer listed; a callback's
 * nonzero return stops the iteration and is dl_iterate_phdr's result;
 * without one the result is 0. */
#include "dl.h"

__thread long prog_tls = 1;

int iter_1(void);
long *iter_tls_2(void);

struct walk {
  int calls;
  int stop_at;
  int details;
  unsigned long long adds, subs;
  long *tls_4;
};

static void put_yes_no(const char *what, int value) {
  rt_puts(what);
  rt_puts(value ? "yes" : "no");
}

static int callback(struct dl_phdr_info *info, rt_size_t size, void *data) {
  struct walk *w = data;
  int index = w->calls++;
  w->adds = info->dlpi_adds;
  w->subs = info->dlpi_subs;
  if (w->stop_at != 0 && w->calls == w->stop_at) return 42;
  int program = index == 0 && info->dlpi_name[0] == 0;
  if (!program && !dl_is_case_object(info->dlpi_name)) return 0;
  rt_puts(" ");
  rt_puts(program ? "(program)" : dl_basename(info->dlpi_name));
  if (!w->details) return 0;
  rt_puts("\n  size covers dlpi_tls_data: ");
  rt_line(size >= sizeof(struct dl_phdr_info) ? "yes" : "no");

  const Elf64_Ehdr *ehdr = 0;
  const Elf64_Phdr *pt_phdr = 0, *pt_dynamic = 0, *pt_tls = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const Elf64_Phdr *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_LOAD && ph->p_offset == 0 && ehdr == 0)
      ehdr = (const Elf64_Ehdr *)(info->dlpi_addr + ph->p_vaddr);
    if (ph->p_type == PT_PHDR) pt_phdr = ph;
    if (ph->p_type == PT_DYNAMIC) pt_dynamic = ph;
    if (ph->p_type == PT_TLS) pt_tls = ph;
  }
  if (ehdr == 0) {
    rt_line("  no PT_LOAD at offset 0");
    return 0;
  }
  put_yes_no("  dlpi_phnum is e_phnum: ", info->dlpi_phnum == ehdr->e_phnum);
  put_yes_no(", dlpi_phdr is the header + e_phoff: ",
             info->dlpi_phdr == (const Elf64_Phdr *)((const char *)ehdr + ehdr->e_phoff));
  rt_puts(", PT_PHDR at dlpi_phdr: ");
  rt_line(pt_phdr == 0 ? "none"
          : (const Elf64_Phdr *)(info->dlpi_addr + pt_phdr->p_vaddr) == info->dlpi_phdr ? "yes"
                                                                                         : "no");
  Dl_info dli;
  struct link_map *map = 0;
  dladdr1(ehdr, &dli, (void **)&map, RTLD_DL_LINKMAP);
  put_yes_no("  PT_DYNAMIC is the link map's l_ld: ",
             pt_dynamic != 0 && map != 0 && map->l_ld == (void *)(info->dlpi_addr + pt_dynamic->p_vaddr));
  put_yes_no(", l_addr is dlpi_addr: ", map != 0 && map->l_addr == info->dlpi_addr);
  rt_puts("\n");
  put_yes_no("  PT_TLS: ", pt_tls != 0);
  put_yes_no(", dlpi_tls_modid nonzero: ", info->dlpi_tls_modid != 0);
  rt_puts(", dlpi_tls_data: ");
  void *expected = program ? (void *)&prog_tls
                   : rt_streq(dl_basename(info->dlpi_name), "libdl_iter_2.so") ? (void *)iter_tls_2()
                   : rt_streq(dl_basename(info->dlpi_name), "libdl_iter_4.so") ? (void *)w->tls_4
                                                                              : 0;
  if (info->dlpi_tls_data == 0)
    rt_line("NULL");
  else
    rt_line(info->dlpi_tls_data == expected ? "its variable's address" : "another address");
  return 0;
}

static int walk(const char *what, struct walk *w) {
  w->calls = 0;
  rt_puts(what);
  rt_puts(":");
  int result = dl_iterate_phdr(callback, w);
  if (!w->details) rt_puts("\n");
  return result;
}

int main(void) {
  rt_kv_dec("iter_1()", iter_1());
  struct walk w = {0, 0, 1, 0, 0, 0};
  rt_kv_dec("dl_iterate_phdr returned", walk("initial objects", &w));
  unsigned long long adds = w.adds, subs = w.subs;

  void *h3 = dl_open_report("dlopen 3", "libdl_iter_3.so", RTLD_NOW);
  void *h4 = dl_open_report("dlopen 4", "libdl_iter_4.so", RTLD_NOW);
  if (h3 == 0 || h4 == 0) return 1;
  rt_kv_dec("dl_iterate_phdr returned", walk("after the dlopens", &w));
  rt_kv_dec("dlpi_adds grew by", (long)(w.adds - adds));
  rt_kv_dec("dlpi_subs grew by", (long)(w.subs - subs));

  w.tls_4 = ((long *(*)(void))dlsym(h4, "iter_tls_4"))();
  rt_kv_dec("libdl_iter_4's variable", *w.tls_4);
  walk("after using libdl_iter_4's TLS", &w);
  adds = w.adds;
  subs = w.subs;
  rt_kv_dec("dlclose 3", dlclose(h3));
  w.details = 0;
  walk("after dlclose 3", &w);
  rt_kv_dec("dlpi_adds grew by", (long)(w.adds - adds));
  rt_kv_dec("dlpi_subs grew by", (long)(w.subs - subs));

  int total = w.calls;
  w.stop_at = 2;
  rt_kv_dec("stopping at the second callback: dl_iterate_phdr returned", walk("listed", &w));
  rt_kv_dec("callbacks", w.calls);
  rt_kv_bool("there are more objects", total > 2);
  return 0;
}
