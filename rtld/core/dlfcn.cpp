// The dl API the loader exports for programs without a libc (a glibc
// program's libc.so.6 has its own entry points). Every call takes the
// loader's lock, clears the previous error as glibc's do, and turns an
// error raised inside into a NULL or -1 result and a dlerror message.
#include <stddef.h>
#include <stdint.h>

#include "rtld/core/dl.h"
#include "rtld/core/dl_lock.h"
#include "rtld/core/lookup.h"
#include "rtld/core/relocate.h"
#include "rtld/core/search.h"
#include "rtld/core/state.h"
#include "rtld/core/tls.h"
#include "rtld/elf/hash.h"
#include "rtld/support/string.h"

#define RTLD_EXPORT extern "C" __attribute__((visibility("default")))

namespace rtld {
namespace {

// <dlfcn.h> and <link.h> structures (glibc's layouts).
struct DlInfo {
  const char* dli_fname;
  void* dli_fbase;
  const char* dli_sname;
  void* dli_saddr;
};

struct DlPhdrInfo {
  uint64_t dlpi_addr;
  const char* dlpi_name;
  const elf::Phdr* dlpi_phdr;
  uint16_t dlpi_phnum;
  unsigned long long dlpi_adds;
  unsigned long long dlpi_subs;
  size_t dlpi_tls_modid;
  void* dlpi_tls_data;
};
static_assert(sizeof(DlPhdrInfo) == 64);

void* const kRtldDefault = nullptr;
void* const kRtldNext = reinterpret_cast<void*>(-1L);

constexpr int kAllModes = kRtldBindingMask | kRtldNoload | kRtldDeepbind | kRtldGlobal | kRtldNodelete;

enum DlinfoRequest : int {
  kDiLmid = 1, kDiLinkmap = 2, kDiSerinfo = 4, kDiSerinfoSize = 5, kDiOrigin = 6,
  kDiTlsModid = 9, kDiTlsData = 10, kDiPhdr = 11,
};
enum Dladdr1Flag : int { kDlSyment = 1, kDlLinkmap = 2 };

// The last error, as dlerror returns it (one for the process: programs
// without a libc have no thread-local storage of their own for it).
struct ErrorState {
  char pending[1024];
  char returned[1024];
  bool has = false;
} g_error;

// Runs fn under the lock with errors caught; false after an error, whose
// message dlerror then returns.
template <typename Fn>
bool Guarded(Fn&& fn) {
  DlLockGuard lock;
  g_error.has = false;
  CaughtError error;
  if (CatchingLocked(&error, fn)) return true;
  support::Buffer b(g_error.pending, sizeof g_error.pending);
  b.Str(error.message);
  b.CStr();
  g_error.has = true;
  return false;
}

// The object a call came from (the program when unknown or the loader).
Module* CallerObject(const void* caller) {
  Module* m = ObjectContaining(reinterpret_cast<uint64_t>(caller));
  return m != nullptr && !m->is_rtld ? m : g.program;
}

Module* CheckedHandle(void* handle) {
  if (!IsLoaded(handle)) FatalLoad("", "invalid handle");
  return static_cast<Module*>(handle);
}

void* Sym(void* handle, const char* name, const char* version_name, const void* caller) {
  void* result = nullptr;
  Guarded([&] {
    Module* match = CallerObject(caller);
    elf::HashedName hn(name);
    elf::Version version;
    const elf::Version* want = nullptr;
    if (version_name != nullptr) {
      version.name = version_name;
      version.hash = elf::SysvHash(version_name);
      version.hidden = true;  // dlvsym: that exact version only
      want = &version;
    }
    const unsigned flags = want ? 0u : static_cast<unsigned>(kLookupNewest);
    Definition d;
    const Module* reference = match;
    if (handle == kRtldDefault) {
      d = LookupFrom(*match, hn, want, flags, nullptr);
      if (d.module != nullptr && d.module->dlopened) NoteBinding(*match, *d.module);
    } else if (handle == kRtldNext) {
      if (match == g.program && ObjectContaining(reinterpret_cast<uint64_t>(caller)) != g.program)
        FatalLoad("", "RTLD_NEXT used in code not dynamically loaded");
      const Module* root = match;
      while (root->loader != nullptr) root = root->loader;
      Module* const* list = g.scope;
      unsigned n = g.nscope;
      if (!root->is_program && root->searchlist != nullptr) {
        list = root->searchlist;
        n = root->nsearch;
      }
      unsigned start = 0;
      for (unsigned i = 0; i < n; ++i)
        if (list[i] == match) start = i + 1;
      d = LookupIn(list, n, start, hn, want, flags, match);
    } else {
      Module* h = CheckedHandle(handle);
      reference = h;
      if (h->is_program) d = LookupName(hn, want, flags, nullptr);
      else if (h->searchlist != nullptr) d = LookupIn(h->searchlist, h->nsearch, 0, hn, want, flags, nullptr);
      else d = LookupIn(&h, 1, 0, hn, want, flags, nullptr);
    }
    if (d.module == nullptr) UndefinedSymbol(*reference, name, version_name);
    result = reinterpret_cast<void*>(SymbolValue(*d.module, *d.sym));
  });
  return result;
}

int Addr(const void* address, DlInfo* info, void** extra, int flags) {
  DlLockGuard lock;
  Module* m = ObjectContaining(reinterpret_cast<uint64_t>(address));
  if (m == nullptr) return 0;
  info->dli_fname = m->lm.l_name;
  if (m->is_program && (m->lm.l_name == nullptr || m->lm.l_name[0] == 0)) info->dli_fname = ProgramName();
  info->dli_fbase = reinterpret_cast<void*>(m->map_start);
  const elf::Sym* s = NearestSymbol(*m, reinterpret_cast<uint64_t>(address));
  info->dli_sname = s ? m->symtab.SymbolName(*s) : nullptr;
  info->dli_saddr = s ? reinterpret_cast<void*>(m->base + s->value) : nullptr;
  if (flags == kDlSyment) *extra = const_cast<elf::Sym*>(s);
  if (flags == kDlLinkmap) *extra = &m->lm;
  return 1;
}

}  // namespace
}  // namespace rtld

using namespace rtld;

RTLD_EXPORT void* dlopen(const char* file, int mode) {
  const void* caller = __builtin_return_address(0);
  Module* result = nullptr;
  Guarded([&] {
    if (mode & ~kAllModes) FatalLoad("", "invalid mode parameter");
    result = Open(file, mode, CallerObject(caller));
  });
  return result;
}

RTLD_EXPORT int dlclose(void* handle) {
  return Guarded([&] { Close(static_cast<Module*>(handle)); }) ? 0 : -1;
}

RTLD_EXPORT void* dlsym(void* handle, const char* name) {
  return Sym(handle, name, nullptr, __builtin_return_address(0));
}

RTLD_EXPORT void* dlvsym(void* handle, const char* name, const char* version) {
  return Sym(handle, name, version, __builtin_return_address(0));
}

RTLD_EXPORT char* dlerror() {
  DlLockGuard lock;
  if (!g_error.has) return nullptr;
  support::MemCpy(g_error.returned, g_error.pending, sizeof g_error.returned);
  g_error.has = false;
  return g_error.returned;
}

RTLD_EXPORT int dladdr(const void* address, DlInfo* info) { return Addr(address, info, nullptr, 0); }

RTLD_EXPORT int dladdr1(const void* address, DlInfo* info, void** extra, int flags) {
  return Addr(address, info, extra, flags);
}

RTLD_EXPORT int dlinfo(void* handle, int request, void* arg) {
  int result = 0;
  const bool ok = Guarded([&] {
    Module* m = CheckedHandle(handle);
    switch (request) {
      case kDiLmid:
        *static_cast<long*>(arg) = 0;
        break;
      case kDiLinkmap:
        *static_cast<LinkMap**>(arg) = &m->lm;
        break;
      case kDiOrigin: {
        const char* origin = OriginOf(*m);
        if (origin == nullptr) origin = "";
        const size_t n = support::StrLen(origin);
        support::MemCpy(arg, origin, n + 1);
        break;
      }
      case kDiSerinfo:
      case kDiSerinfoSize:
        FillSerinfo(*m, static_cast<Serinfo*>(arg), request == kDiSerinfoSize);
        break;
      case kDiTlsModid:
        *static_cast<size_t*>(arg) = m->tls_modid;
        break;
      case kDiTlsData:
        *static_cast<void**>(arg) = TlsDataIfAllocated(*m);
        break;
      case kDiPhdr:
        *static_cast<const elf::Phdr**>(arg) = m->phdr;
        result = m->phnum;
        break;
      default:
        result = -1;
        FatalLoad("", "unsupported dlinfo request");
    }
  });
  return ok ? result : -1;
}

RTLD_EXPORT int dl_iterate_phdr(int (*callback)(DlPhdrInfo*, size_t, void*), void* data) {
  DlLockGuard lock;
  int ret = 0;
  for (Module* m = g.first; m != nullptr; m = m->next) {
    if (m->unloading || m->is_missing) continue;
    DlPhdrInfo info;
    info.dlpi_addr = m->base;
    info.dlpi_name = m->lm.l_name;
    info.dlpi_phdr = m->phdr;
    info.dlpi_phnum = m->phnum;
    info.dlpi_adds = g.load_adds;
    info.dlpi_subs = g.load_adds - g.nmodules;  // glibc's count: added and no longer listed
    info.dlpi_tls_modid = m->tls_modid;
    info.dlpi_tls_data = TlsDataIfAllocated(*m);
    ret = callback(&info, sizeof info, data);
    if (ret != 0) break;
  }
  return ret;
}
