/* dl_addr: dladdr and dladdr1. libdl_addr.so (dlopen'ed) has addr_fn,
 * addr_data (int[6]) and a hidden function; the program exports (-rdynamic)
 * addr_prog_fn and addr_prog_data. For each address the case prints
 * dladdr's result, dli_fname and dli_sname, and compares dli_fbase with the
 * object's start (dl_iterate_phdr's dlpi_addr plus its first PT_LOAD's page)
 * and dli_saddr with the symbol's address (from dlsym, or the address
 * itself). Asserts:
 *  - a function's and a data object's own addresses, and an address inside
 *    each, give the object's path, its start, the symbol's name and address;
 *  - the program's function and data give the program's name as invoked
 *    (argv[0]: "./prog") and its start;
 *  - an address in a function that is not exported gives the object but no
 *    symbol (dli_sname and dli_saddr NULL);
 *  - an address in no object (the stack) and NULL: 0;
 *  - dladdr1 RTLD_DL_SYMENT gives the symbol's ELF entry (size, type, value)
 *    or NULL when there is no symbol; RTLD_DL_LINKMAP gives the object's
 *    link map: the same as dlinfo RTLD_DI_LINKMAP on its handle, with its
 *    load bias as l_addr and its path as l_name (the program's: ""). */
#include "dl.h"

int addr_prog_fn(int x) { return x + 11; }
int addr_prog_data[4] = {7, 8, 9, 10};

struct object {
  const char *name; /* a basename, or 0 for the program */
  unsigned long bias, start;
  int found;
};

static int find_object(struct dl_phdr_info *info, rt_size_t size, void *data) {
  (void)size;
  struct object *o = data;
  int first = info->dlpi_name[0] == 0 && !o->found && o->name == 0;
  if (!first && (o->name == 0 || !rt_streq(dl_basename(info->dlpi_name), o->name))) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    if (info->dlpi_phdr[i].p_type != PT_LOAD) continue;
    o->bias = info->dlpi_addr;
    o->start = info->dlpi_addr + (info->dlpi_phdr[i].p_vaddr & ~4095ul);
    o->found = 1;
    return 1;
  }
  return 0;
}

static struct object locate(const char *name) {
  struct object o = {name, 0, 0, 0};
  dl_iterate_phdr(find_object, &o);
  return o;
}

static void report(const char *what, const void *address, const struct object *o,
                   const void *symbol) {
  Dl_info info;
  rt_puts("-- ");
  rt_line(what);
  int found = dladdr(address, &info);
  rt_kv_dec("dladdr", found);
  if (found == 0) return;
  rt_kv_str("dli_fname", info.dli_fname);
  rt_kv_bool("dli_fbase is the object's start", o->found && info.dli_fbase == (void *)o->start);
  rt_kv_str("dli_sname", info.dli_sname);
  if (symbol != 0)
    rt_kv_bool("dli_saddr is the symbol's address", info.dli_saddr == symbol);
  else
    rt_kv_bool("dli_saddr is NULL", info.dli_saddr == 0);

  Dl_info info1;
  const Elf64_Sym *sym = (const Elf64_Sym *)1;
  found = dladdr1(address, &info1, (void **)&sym, RTLD_DL_SYMENT);
  rt_kv_dec("dladdr1 SYMENT", found);
  rt_kv_bool("dladdr1 SYMENT: same Dl_info",
             info1.dli_fname == info.dli_fname && info1.dli_fbase == info.dli_fbase &&
             info1.dli_sname == info.dli_sname && info1.dli_saddr == info.dli_saddr);
  if (sym == 0) {
    rt_line("symbol entry: NULL");
  } else {
    rt_puts("symbol entry: size ");
    rt_put_dec((long)sym->st_size);
    rt_puts(", type ");
    int type = sym->st_info & 15;
    rt_puts(type == STT_FUNC ? "FUNC" : type == STT_OBJECT ? "OBJECT" : "other");
    rt_puts(", value + bias is dli_saddr: ");
    rt_line((void *)(sym->st_value + o->bias) == info.dli_saddr ? "yes" : "no");
  }

  struct link_map *map = 0;
  found = dladdr1(address, &info1, (void **)&map, RTLD_DL_LINKMAP);
  rt_kv_dec("dladdr1 LINKMAP", found);
  if (map == 0) {
    rt_line("link map: NULL");
    return;
  }
  rt_kv_str("l_name", map->l_name);
  rt_kv_bool("l_addr is the load bias", map->l_addr == o->bias);
  void *handle = o->name != 0 ? dlopen(o->name, RTLD_NOW | RTLD_NOLOAD) : dlopen(0, RTLD_NOW);
  struct link_map *by_handle = 0;
  dlinfo(handle, RTLD_DI_LINKMAP, &by_handle);
  rt_kv_bool("the link map of dlinfo RTLD_DI_LINKMAP", map == by_handle);
  if (o->name != 0) dlclose(handle);
}

int main(void) {
  void *h = dl_open_report("dlopen libdl_addr.so", "libdl_addr.so", RTLD_NOW);
  if (h == 0) return 1;
  struct object lib = locate("libdl_addr.so");
  struct object prog = locate(0);
  rt_kv_bool("located libdl_addr.so", lib.found);
  rt_kv_bool("located the program", prog.found);

  char *fn = dlsym(h, "addr_fn");
  char *data = dlsym(h, "addr_data");
  char *hidden = ((void *(*)(void))dlsym(h, "addr_hidden_fn_address"))();
  report("addr_fn", fn, &lib, fn);
  report("addr_fn + 2", fn + 2, &lib, fn);
  report("addr_data", data, &lib, data);
  report("addr_data + 20 (its last int)", data + 20, &lib, data);
  report("the hidden function", hidden, &lib, 0);
  report("addr_prog_fn", (void *)addr_prog_fn, &prog, (void *)addr_prog_fn);
  report("addr_prog_data + 1", addr_prog_data + 1, &prog, addr_prog_data);
  int local = 0;
  report("a stack address", &local, &prog, 0);
  report("NULL", 0, &prog, 0);
  return 0;
}
