// The dladdr case: libc's dladdr, dladdr1 and backtrace_symbols name
// symbols by walking a library's hash table, which they find through glibc's
// private link_map (l_info[ADDRIDX (DT_GNU_HASH)], else DT_HASH; then
// l_gnu_* / l_buckets). Asks them about a function (start, inside, and an
// alias), an array (inside) and a hidden function of three builds of one
// library (GNU hash only, SysV only, both) and of the program itself; then
// prints what the loader put in each object's link_map: every l_info slot
// (index, the tag of the entry it points to and that entry's position in
// l_ld) and the hash-table fields, as offsets from l_addr (the
// program's only as set or not). Addresses are
// never printed, only positions and offsets, so the output is the same in
// every run and must be the same under glibc's loader and ours.
//
// The link_map is glibc 2.36's internal one (rtld/glibc/layout.h, checked
// against glibc's debug information by the layout tier).
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "rtld/glibc/layout.h"

#define DECLARE_LIB(tag)                      \
  extern "C" int lib_function_##tag(int);    \
  extern "C" void *lib_addresses_##tag(int);
DECLARE_LIB(gnu)
DECLARE_LIB(sysv)
DECLARE_LIB(both)

extern "C" __attribute__((noinline)) int prog_function(int x) { return x + 1; }

namespace {

using GlibcMap = rtld::glibc::LinkMap;

const char *Base(const char *path) {
  if (path == nullptr) return "(null)";
  const char *slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

void Ask(const char *what, void *addr) {
  Dl_info info;
  ElfW(Sym) *sym = nullptr;
  if (dladdr1(addr, &info, reinterpret_cast<void **>(&sym), RTLD_DL_SYMENT) == 0) {
    std::printf("  %-14s dladdr1: 0\n", what);
    return;
  }
  std::printf("  %-14s %s sname=%s", what, Base(info.dli_fname), info.dli_sname ? info.dli_sname : "-");
  if (info.dli_saddr != nullptr)
    std::printf(" +%ld", static_cast<long>(static_cast<char *>(addr) - static_cast<char *>(info.dli_saddr)));
  if (sym != nullptr) std::printf(" st_size=%lu", static_cast<unsigned long>(sym->st_size));
  struct link_map *map = nullptr;
  if (dladdr1(addr, &info, reinterpret_cast<void **>(&map), RTLD_DL_LINKMAP) != 0 && map != nullptr)
    std::printf(" map=%s base=%s", map->l_name[0] ? Base(map->l_name) : "\"\"",
                reinterpret_cast<ElfW(Addr)>(info.dli_fbase) >= map->l_addr ? "ok" : "below l_addr");
  std::printf("\n");
  // backtrace_symbols: "PATH(SYMBOL+OFFSET) [ADDRESS]"; the path's
  // directory and the address vary by run, the rest must not.
  char **text = backtrace_symbols(&addr, 1);
  if (text != nullptr) {
    const char *line = Base(text[0]);
    const char *bracket = std::strstr(line, " [");
    std::printf("  %-14s backtrace_symbols: %.*s\n", "", static_cast<int>(bracket ? bracket - line : std::strlen(line)),
                line);
    std::free(text);
  }
}

// Offset of p from the object's load address, or "null"; only "set" when
// !offsets (the program: patchelf moves its tables in the interp mode copy).
void Field(const char *name, const void *p, ElfW(Addr) base, bool offsets) {
  if (p == nullptr)
    std::printf(" %s=null", name);
  else if (!offsets)
    std::printf(" %s=set", name);
  else
    std::printf(" %s=%+ld", name, static_cast<long>(reinterpret_cast<ElfW(Addr)>(p) - base));
}

void DescribeMap(const GlibcMap &l) {
  const ElfW(Dyn) *ld = reinterpret_cast<const ElfW(Dyn) *>(l.l_ld);
  std::printf("map %s\n", l.l_name[0] ? Base(l.l_name) : "\"\" (the program)");
  for (unsigned i = 0; i < rtld::glibc::kLInfoCount; ++i) {
    const ElfW(Dyn) *d = reinterpret_cast<const ElfW(Dyn) *>(l.l_info[i]);
    if (d == nullptr) continue;
    std::printf("  l_info[%2u] -> tag 0x%lx, entry %ld\n", i, static_cast<unsigned long>(d->d_tag),
                static_cast<long>(d - ld));
  }
  std::printf("  hash: l_nbuckets=%u l_gnu_bitmask_idxbits=%u l_gnu_shift=%u", l.l_nbuckets,
              l.l_gnu_bitmask_idxbits, l.l_gnu_shift);
  const bool offsets = l.l_name[0] != 0;
  Field("l_gnu_bitmask", l.l_gnu_bitmask, l.l_addr, offsets);
  Field("l_gnu_buckets/l_chain", l.l_gnu_buckets, l.l_addr, offsets);
  Field("l_gnu_chain_zero/l_buckets", l.l_gnu_chain_zero, l.l_addr, offsets);
  std::printf("\n");
}

bool Described(const char *name) {
  const char *base = Base(name);
  return name[0] == 0 || std::strncmp(base, "libcompat_dladdr_", 17) == 0 || std::strcmp(base, "libc.so.6") == 0;
}

}  // namespace

int main() {
  std::printf("dladdr (expect each object's own symbol names)\n");
  void *(*const libs[])(int) = {lib_addresses_gnu, lib_addresses_sysv, lib_addresses_both};
  const char *styles[] = {"gnu", "sysv", "both"};
  const char *what[] = {"function", "function+1", "data+6", "hidden"};
  for (int k = 0; k < 3; ++k) {
    std::printf("library built --hash-style=%s\n", styles[k]);
    for (int w = 0; w < 4; ++w) Ask(what[w], libs[k](w));
  }
  std::printf("program\n");
  Ask("prog_function", reinterpret_cast<void *>(&prog_function));
  Ask("printf", reinterpret_cast<void *>(&std::printf));

  // The objects' link_maps, in link-map order (the loader's own and the
  // vDSO's are not the same objects under both loaders: left out).
  void *self = dlopen(nullptr, RTLD_NOW);
  struct link_map *map = nullptr;
  if (self == nullptr || dlinfo(self, RTLD_DI_LINKMAP, &map) != 0) {
    std::printf("dlinfo: %s\n", dlerror());
    return 1;
  }
  for (; map != nullptr; map = map->l_next)
    if (Described(map->l_name)) DescribeMap(*reinterpret_cast<const GlibcMap *>(map));
  return lib_function_gnu(1) + lib_function_sysv(1) + lib_function_both(1) == 3 * 5 ? 0 : 1;
}
