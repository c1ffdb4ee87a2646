#include "rtld/glibc/personality.h"

#include <stdarg.h>
#include <stddef.h>

#include "arch/x86_64/syscall.h"
#include "rtld/core/debug.h"
#include "rtld/core/debugger.h"
#include "rtld/core/diag.h"
#include "rtld/core/dl.h"
#include "rtld/core/dl_lock.h"
#include "rtld/core/lookup.h"
#include "rtld/core/relocate.h"
#include "rtld/core/search.h"
#include "rtld/core/stack.h"
#include "rtld/core/state.h"
#include "rtld/core/tls.h"
#include "rtld/glibc/cpu_features.h"
#include "rtld/glibc/layout.h"
#include "rtld/glibc/tunables.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

#define RTLD_EXPORT extern "C" __attribute__((visibility("default")))

// The data glibc's libraries import from their loader.
#define RTLD_DATA __attribute__((visibility("default")))
extern "C" {
RTLD_DATA rtld::glibc::RtldGlobal _rtld_global;
RTLD_DATA rtld::glibc::RtldGlobalRo _rtld_global_ro;
RTLD_DATA void* __libc_stack_end;
RTLD_DATA int __libc_enable_secure;
RTLD_DATA char** _dl_argv;
RTLD_DATA unsigned int __rseq_size;
RTLD_DATA ptrdiff_t __rseq_offset;
extern const unsigned int __rseq_flags __attribute__((visibility("default")));
const unsigned int __rseq_flags = 0;
RTLD_DATA bool __nptl_initial_report_events;
int __nptl_change_stack_perm(rtld::glibc::Pthread* pd) __attribute__((visibility("default")));
}

namespace rtld::glibc {

bool g_active = false;

namespace {

Module* g_libc = nullptr;

// libc's error protocol (GLIBC_PRIVATE functions of libc.so.6).
using SignalErrorFn = void (*)(int, const char*, const char*, const char*);
using CatchErrorFn = int (*)(const char**, const char**, bool*, void (*)(void*), void*);
SignalErrorFn g_signal_error = nullptr;
CatchErrorFn g_catch_error = nullptr;

LinkMap& Map(Module& m) { return *reinterpret_cast<LinkMap*>(&m.lm); }

// l_info as glibc's elf_get_dynamic_info leaves it: each tag's slot points to
// its last entry; DF_SYMBOLIC, DF_TEXTREL and DF_BIND_NOW in DT_FLAGS, and
// DF_1_NOW in DT_FLAGS_1, also fill the old tags' slots (with the flags
// entry: glibc tests those only for NULL); DT_RUNPATH clears DT_RPATH.
void FillInfo(LinkMap& l, const Module& m) {
  for (elf::Dyn*& slot : l.l_info) slot = nullptr;
  if (m.dynamic == nullptr) return;
  for (size_t i = 0; i < m.dyn.count; ++i) {
    const int idx = LInfoIndex(m.dynamic[i].tag);
    if (idx >= 0) l.l_info[idx] = const_cast<elf::Dyn*>(&m.dynamic[i]);
  }
  if (elf::Dyn* flags = l.l_info[DT_FLAGS]) {
    if (flags->val & DF_SYMBOLIC) l.l_info[DT_SYMBOLIC] = flags;
    if (flags->val & DF_TEXTREL) l.l_info[DT_TEXTREL] = flags;
    if (flags->val & DF_BIND_NOW) l.l_info[DT_BIND_NOW] = flags;
  }
  if (elf::Dyn* flags_1 = l.l_info[LInfoIndex(DT_FLAGS_1)]) {
    if (flags_1->val & DF_1_NOW) l.l_info[DT_BIND_NOW] = flags_1;
  }
  if (l.l_info[DT_RUNPATH] != nullptr) l.l_info[DT_RPATH] = nullptr;
}

// The address of `name` defined in list[0, n) (of `version` when given;
// `exact`: that version only), or nullptr.
void* AddressOf(Module* const* list, unsigned n, const char* name, const char* version = nullptr,
                bool exact = false) {
  elf::HashedName hn(name);
  elf::Version v;
  if (version != nullptr) {
    v.name = version;
    v.hash = elf::SysvHash(version);
    v.hidden = exact;
  }
  Definition d = LookupIn(list, n, 0, hn, version ? &v : nullptr, 0, nullptr);
  return d.sym ? reinterpret_cast<void*>(d.module->base + d.sym->value) : nullptr;
}

// A GLIBC_PRIVATE function of libc, or nullptr.
void* LibcPrivate(const char* name) {
  return g_libc ? AddressOf(&g_libc, 1, name, "GLIBC_PRIVATE") : nullptr;
}

// Whether m defines version `name`.
bool DefinesVersion(const Module& m, const char* name) {
  for (uint32_t i = 0; i < m.symtab.nversions; ++i) {
    const elf::Version& v = m.versions[i];
    if (v.name != nullptr && v.filename == nullptr && support::StrEq(v.name, name)) return true;
  }
  return false;
}

// The highest GLIBC_2.N version libc defines (its release).
unsigned GlibcMinor(const Module& m) {
  unsigned best = 0;
  for (uint32_t i = 0; i < m.symtab.nversions; ++i) {
    const char* n = m.versions[i].name;
    if (n == nullptr || m.versions[i].filename != nullptr || !support::StartsWith(n, "GLIBC_2.")) continue;
    unsigned minor = 0;
    const char* p = n + 8;
    while (*p >= '0' && *p <= '9') minor = minor * 10 + static_cast<unsigned>(*p++ - '0');
    if (*p == 0 && minor > best) best = minor;
  }
  return best;
}

void InitRecursiveLock(RtldLockRecursive& lock) {
  support::MemSet(&lock, 0, sizeof lock);
  reinterpret_cast<int*>(&lock)[4] = 1;  // __kind = PTHREAD_MUTEX_RECURSIVE_NP
}

void InitList(ListT& l) { l.next = l.prev = &l; }

void ListAdd(ListT& head, ListT& e) {
  e.next = head.next;
  e.prev = &head;
  head.next->prev = &e;
  head.next = &e;
}

// --- Functions libc calls through _rtld_global_ro ---------------------------

// Raises an error the dl API caught in our loader through libc's protocol
// (libc's catch frame then hands it to dlerror).
[[noreturn]] void Raise(const CaughtError& e) {
  if (g_signal_error != nullptr) g_signal_error(e.err, "", nullptr, e.message);
  Fatal(nullptr, "", e.message, 0);
}

template <typename Fn>
void RunForLibc(Fn&& fn) {
  DlLockGuard lock;
  CaughtError error;
  if (CatchingLocked(&error, fn)) return;
  DlLock::Release();  // libc's longjmp leaves this frame
  Raise(error);
}

void* DlOpen(const char* file, int mode, const void* caller, long nsid, int, char**, char**) {
  void* result = nullptr;
  RunForLibc([&] {
    if (nsid == -1) FatalLoad("", "no more namespaces available for dlmopen()");
    Module* from = ObjectContaining(reinterpret_cast<uint64_t>(caller));
    if (from == nullptr || from->is_rtld) from = g.program;
    // glibc's internal mode bits (__RTLD_DLOPEN and the like) are libc's.
    result = Open(file, mode & 0x01ffffff, from);
  });
  return result;
}

void DlClose(void* map) {
  RunForLibc([&] { Close(static_cast<Module*>(map)); });
}

// _dl_lookup_symbol_x: a lookup over glibc scope arrays (r_scope_elem*,
// NULL-terminated), as libc's dlsym and vDSO resolvers use it.
LinkMap* DlLookupSymbolX(const char* name, LinkMap* undef_map, const elf::Sym** ref, RScopeElem** scope,
                         const RFoundVersion* version, int, int flags, LinkMap* skip) {
  elf::HashedName hn(name);
  elf::Version v;
  const elf::Version* want = nullptr;
  if (version != nullptr) {
    v.name = version->name;
    v.hash = version->hash;
    v.hidden = version->hidden != 0;
    v.filename = version->filename;
    want = &v;
  }
  const unsigned our_flags = (flags & 2 /* DL_LOOKUP_RETURN_NEWEST */) ? static_cast<unsigned>(kLookupNewest) : 0u;
  auto* skip_module = reinterpret_cast<Module*>(skip);
  for (unsigned k = 0; scope[k] != nullptr; ++k) {
    auto** list = reinterpret_cast<Module**>(scope[k]->r_list);
    const unsigned n = scope[k]->r_nlist;
    unsigned start = 0;
    if (k == 0 && skip_module != nullptr) {
      while (start < n && list[start] != skip_module) ++start;
      if (start < n) ++start;
      else start = 0;
    }
    Definition d = LookupIn(list, n, start, hn, want, our_flags, skip_module);
    if (d.sym != nullptr) {
      *ref = d.sym;
      if (d.module->dlopened && undef_map != nullptr && (flags & 1 /* ADD_DEPENDENCY */))
        NoteBinding(*reinterpret_cast<Module*>(undef_map), *d.module);
      return reinterpret_cast<LinkMap*>(const_cast<Module*>(d.module));
    }
  }
  const elf::Sym* wanted = *ref;
  *ref = nullptr;
  if (wanted != nullptr && wanted->bind() == STB_WEAK) return nullptr;
  char text[512];
  support::Buffer b(text, sizeof text);
  b.Str("undefined symbol: ").Str(name);
  if (version != nullptr) b.Str(", version ").Str(version->name);
  const char* ref_name = undef_map && undef_map->l_name && undef_map->l_name[0] ? undef_map->l_name : ProgramName();
  if (g_signal_error != nullptr) g_signal_error(0, ref_name, "symbol lookup error", b.CStr());
  Fatal("symbol lookup error", ref_name, b.CStr());
}

int DlCatchError(const char** objname, const char** errstring, bool* mallocedp, void (*operate)(void*),
                 void* args) {
  if (g_catch_error != nullptr) return g_catch_error(objname, errstring, mallocedp, operate, args);
  operate(args);
  *objname = *errstring = nullptr;
  *mallocedp = false;
  return 0;
}

void DlErrorFree(void* p) {
  if (g.libc_free != nullptr) g.libc_free(p);
}

void* DlTlsGetAddrSoft(LinkMap* map) { return TlsDataIfAllocated(*reinterpret_cast<Module*>(map)); }

void DlLibcFreeres() {}

// struct dl_find_object (glibc 2.35).
struct DlFindObject {
  unsigned long long dlfo_flags;
  void* dlfo_map_start;
  void* dlfo_map_end;
  LinkMap* dlfo_link_map;
  void* dlfo_eh_frame;
  unsigned long long reserved[7];
};

int DlFindObjectFn(void* pc, DlFindObject* result) {
  Module* m = ObjectContaining(reinterpret_cast<uint64_t>(pc));
  if (m == nullptr) return -1;
  result->dlfo_flags = 0;
  result->dlfo_map_start = reinterpret_cast<void*>(m->map_start);
  result->dlfo_map_end = reinterpret_cast<void*>(m->map_end);
  result->dlfo_link_map = &Map(*m);
  result->dlfo_eh_frame = nullptr;
  for (unsigned i = 0; i < m->phnum; ++i)
    if (m->phdr[i].type == PT_GNU_EH_FRAME) result->dlfo_eh_frame = reinterpret_cast<void*>(m->base + m->phdr[i].vaddr);
  return 0;
}

void DlMcount(uintptr_t, uintptr_t) {}

// --- Formatting for _dl_fatal_printf and _dl_debug_printf -------------------

void Format(support::Buffer& b, const char* fmt, va_list ap) {
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') {
      b.Char(*p);
      continue;
    }
    ++p;
    bool is_long = false;
    int precision = -1;
    if (*p == '.' && p[1] == '*') {
      precision = va_arg(ap, int);
      p += 2;
    }
    while (*p == 'l' || *p == 'z') {
      is_long = true;
      ++p;
    }
    switch (*p) {
      case 's': {
        const char* s = va_arg(ap, const char*);
        if (s == nullptr) s = "(null)";
        if (precision >= 0) {
          for (int i = 0; i < precision && s[i]; ++i) b.Char(s[i]);
        } else {
          b.Str(s);
        }
        break;
      }
      case 'd':
      case 'i': {
        const int64_t v = is_long ? va_arg(ap, long) : va_arg(ap, int);
        if (v < 0) b.Char('-').Dec(static_cast<uint64_t>(-v));
        else b.Dec(static_cast<uint64_t>(v));
        break;
      }
      case 'u': b.Dec(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned)); break;
      case 'x': b.Hex(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 1); break;
      case 'p': b.Ptr(reinterpret_cast<uint64_t>(va_arg(ap, void*))); break;
      case 'c': b.Char(static_cast<char>(va_arg(ap, int))); break;
      case '%': b.Char('%'); break;
      case 0: return;
      default: b.Char('%').Char(*p); break;
    }
  }
}

void DlDebugPrintf(const char* fmt, ...) {
  char storage[1024];
  support::Buffer b(storage, sizeof storage);
  b.Dec(static_cast<uint64_t>(sys::Getpid())).Str(":\t");
  va_list ap;
  va_start(ap, fmt);
  Format(b, fmt, ap);
  va_end(ap);
  WriteBuffer(2, b);
}

// --- Link maps ---------------------------------------------------------------

LibnameList* NewLibname(const char* name) {
  auto* l = g.arena.New<LibnameList>();
  if (l == nullptr) return nullptr;
  l->name = name;
  l->dont_free = 1;
  return l;
}

}  // namespace

bool KeepsLoaded(Module& m) { return g_active && Map(m).l_tls_dtor_count != 0; }

int MakeThreadStacksExecutable() {
  if (!g_active) return 0;
  RtldGlobal& gl = _rtld_global;
  gl._dl_stack_flags |= PF_X;
  if (gl._dl_stack_used.next == nullptr) return 0;  // before BeforeTls: the main thread alone
  // GL(dl_stack_cache_lock), a low-level lock (0 free, 1 held, 2 contended).
  int* lock = &gl._dl_stack_cache_lock;
  int expected = 0;
  if (!__atomic_compare_exchange_n(lock, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
    while (__atomic_exchange_n(lock, 2, __ATOMIC_ACQUIRE) != 0) sys::FutexWait(lock, 2);
  int err = 0;
  ListT* const lists[] = {&gl._dl_stack_used, &gl._dl_stack_cache};
  for (ListT* head : lists) {
    for (ListT* e = head->next; e != head && err == 0; e = e->next)
      err = __nptl_change_stack_perm(reinterpret_cast<Pthread*>(reinterpret_cast<char*>(e) - offsetof(Pthread, list)));
  }
  if (__atomic_exchange_n(lock, 0, __ATOMIC_RELEASE) == 2) sys::FutexWake(lock, 1);
  return err;
}

void SetProcessData(uint64_t* sp, char** argv, bool secure) {
  __libc_stack_end = sp;
  _dl_argv = argv;
  __libc_enable_secure = secure ? 1 : 0;
}

void Detect() {
  Module* libc = nullptr;
  for (unsigned i = 0; i < g.nscope; ++i) {
    Module* m = g.scope[i];
    if (m->soname != nullptr && support::StrEq(m->soname, "libc.so.6")) {
      libc = m;
      break;
    }
  }
  // A libc.so.6 that is not glibc's (a stand-in) needs nothing of us.
  if (libc == nullptr || !DefinesVersion(*libc, "GLIBC_2.2.5") || AddressOf(&libc, 1, "__libc_start_main") == nullptr)
    return;
  const unsigned minor = GlibcMinor(*libc);
  if (minor != 36) {
    char text[160];
    support::Buffer b(text, sizeof text);
    b.Str("glibc 2.").Dec(minor).Str(" is not supported (this loader provides glibc 2.36's loader interface)");
    FatalLoad(DisplayName(*libc), b.CStr());
  }
  g_libc = libc;
  g_active = true;
}

namespace {

// l_scope, as the core searches: the global scope first; a dlopen'ed
// object's local scope after (before with RTLD_DEEPBIND); then the search
// lists later dlopens that reused it added. Up to four entries in
// l_scope_mem, more in an array of the loader's (the old one stays: libc
// may be reading it).
void SetScope(Module& m) {
  LinkMap& l = Map(m);
  const Module::ExtraScopes* extra = m.extra_scopes;
  const unsigned nextra = extra != nullptr ? extra->n : 0;
  RScopeElem** scope = l.l_scope_mem;
  size_t max = 4;
  if (nextra + 3 > max) {
    max = nextra + 3;
    scope = g.arena.New<RScopeElem*>(max);
    if (scope == nullptr) FatalLoad("", "cannot create scope list", 12);
  }
  RScopeElem* global = &Map(*g.program).l_searchlist;
  unsigned k = 0;
  const Module* root = m.scope_root;
  RScopeElem* local = root != nullptr && root->searchlist != nullptr ? &Map(*const_cast<Module*>(root)).l_searchlist : nullptr;
  if (m.deepbind && local) scope[k++] = local;
  scope[k++] = global;
  if (!m.deepbind && local && local != global) scope[k++] = local;
  for (unsigned i = 0; i < nextra; ++i) scope[k++] = &Map(*extra->roots[i]).l_searchlist;
  scope[k] = nullptr;
  l.l_scope_max = max;
  __atomic_store_n(&l.l_scope, scope, __ATOMIC_RELEASE);
}

}  // namespace

void DescribeModule(Module& m) {
  if (!g_active) return;
  LinkMap& l = Map(m);
  l.l_real = &l;
  l.l_ns = 0;
  if (l.l_libname == nullptr) l.l_libname = NewLibname(m.soname ? m.soname : (m.lm.l_name ? m.lm.l_name : ""));
  FillInfo(l, m);
  // Readers (libc's D_PTR) add l_addr to d_ptr values unless they are
  // addresses already.
  l.l_ld_readonly = m.dynamic_writable ? 0 : 1;
  l.l_phdr = m.phdr;
  l.l_phnum = m.phnum;
  l.l_entry = m.entry;
  l.l_ldnum = static_cast<uint16_t>(m.dyn.count);
  l.l_map_start = m.map_start;
  l.l_map_end = m.map_end;
  l.l_text_end = m.map_end;
  l.l_contiguous = 1;
  l.l_type = m.is_program ? 0 : (m.dlopened ? 2 : 1);
  l.l_relocated = m.relocated ? 1 : 0;
  l.l_init_called = m.init_called ? 1 : 0;
  l.l_global = m.in_scope ? 1 : 0;
  l.l_direct_opencount = m.opencount;
  l.l_nodelete_active = m.nodelete ? 1 : 0;
  l.l_loader = m.loader ? &Map(*m.loader) : nullptr;
  l.l_flags = static_cast<unsigned>(m.dyn.flags);
  l.l_flags_1 = static_cast<unsigned>(m.dyn.flags_1);
  l.l_relro_addr = m.relro_start ? m.relro_start - m.base : 0;
  l.l_relro_size = m.relro_size;
  // As glibc: from the object's path; the program's only once known (a
  // kernel-mapped program would cost a readlink of /proc/self/exe).
  if (m.origin_known || (!m.is_vdso && !m.is_program)) l.l_origin = OriginOf(m);
  // GNU hash (or SysV) fields that libc's dladdr walks.
  const elf::SymbolTable& t = m.symtab;
  if (t.has_gnu) {
    l.l_nbuckets = t.gnu.nbuckets;
    l.l_gnu_bitmask_idxbits = t.gnu.bloom_size - 1;
    l.l_gnu_shift = t.gnu.bloom_shift;
    l.l_gnu_bitmask = reinterpret_cast<const uint64_t*>(t.gnu.bloom);
    l.l_gnu_buckets = t.gnu.buckets;
    l.l_gnu_chain_zero = t.gnu.chain - t.gnu.symoffset;
  } else if (t.has_sysv) {
    // _dl_setup_hash: l_buckets shares l_gnu_chain_zero's storage, l_chain
    // l_gnu_buckets'.
    l.l_nbuckets = t.sysv.nbucket;
    l.l_buckets = t.sysv.buckets;
    l.l_chain = t.sysv.chains;
  }
  // TLS.
  l.l_tls_initimage = const_cast<void*>(m.tls_image);
  l.l_tls_initimage_size = m.tls_filesz;
  l.l_tls_blocksize = m.tls_memsz;
  l.l_tls_align = m.tls_align;
  l.l_tls_firstbyte_offset = m.tls_firstbyte;
  l.l_tls_offset = m.tls_static ? m.tls_offset : 0;
  l.l_tls_modid = m.tls_modid;
  if (m.searchlist != nullptr) {
    l.l_searchlist.r_list = reinterpret_cast<LinkMap**>(m.searchlist);
    l.l_searchlist.r_nlist = m.nsearch;
  }
  l.l_local_scope[0] = &l.l_searchlist;
  SetScope(m);
}

void ScopesChanged(Module& m) {
  if (g_active) SetScope(m);
}

void ForgetModule(Module& m) {
  if (!g_active) return;
  LinkMap& l = Map(m);
  for (LibnameList* n = l.l_libname; n != nullptr;) {
    LibnameList* next = n->next;
    g.arena.Free(n);
    n = next;
  }
  l.l_libname = nullptr;
  // (Arrays SetScope replaced stay: a reader may have held them then.)
  if (l.l_scope != nullptr && l.l_scope != l.l_scope_mem) g.arena.Free(l.l_scope);
  l.l_scope = nullptr;
}

void ListChanged() {
  if (!g_active) return;
  LinkMap& main = Map(*g.program);
  main.l_searchlist.r_list = reinterpret_cast<LinkMap**>(g.scope);
  main.l_searchlist.r_nlist = g.nscope;
  unsigned n = 0;
  for (Module* m = g.first; m; m = m->next) ++n;
  LinkNamespaces& ns = _rtld_global._dl_ns[0];
  ns._ns_loaded = &Map(*g.first);
  ns._ns_nloaded = n;
  ns._ns_main_searchlist = &main.l_searchlist;
  _rtld_global._dl_load_adds = g.load_adds;
  _rtld_global._dl_tls_max_dtv_idx = g.tls_max_modid;
  _rtld_global._dl_tls_generation = g.tls_generation;
  _rtld_global._dl_tls_static_used = g.tls_static_used;
  _rtld_global._dl_tls_dtv_slotinfo_list = reinterpret_cast<DtvSlotinfoList*>(g.tls_slot_list);
  for (Module* m = g.first; m; m = m->next) {
    LinkMap& l = Map(*m);
    l.l_global = m->in_scope ? 1 : 0;
    l.l_relocated = m->relocated ? 1 : 0;
    l.l_init_called = m->init_called ? 1 : 0;
    l.l_direct_opencount = m->opencount;
    l.l_tls_modid = m->tls_modid;
    l.l_tls_offset = m->tls_static ? m->tls_offset : 0;
  }
}

void BeforeTls() {
  if (!g_active) return;
  InitTunables(g.envp, g.secure);
  RtldGlobalRo& ro = _rtld_global_ro;
  ro._dl_pagesize = g.page_size;
  ro._dl_clktck = 100;
  ro._dl_fpu_control = 0x37f;
  ro._dl_minsigstacksize = 2048;
  for (uint64_t* a = g.auxv; a[0] != AT_NULL; a += 2) {
    switch (a[0]) {
      case 15: ro._dl_platform = reinterpret_cast<const char*>(a[1]); break;  // AT_PLATFORM
      case 26: ro._dl_hwcap2 = a[1]; break;                                   // AT_HWCAP2
      case 17: ro._dl_clktck = static_cast<int>(a[1]); break;                 // AT_CLKTCK
      case 18: ro._dl_fpu_control = static_cast<unsigned>(a[1]); break;      // AT_FPUCW
      case 51: if (a[1]) ro._dl_minsigstacksize = a[1]; break;                // AT_MINSIGSTKSZ
      case AT_SYSINFO_EHDR: ro._dl_sysinfo_dso = reinterpret_cast<const elf::Ehdr*>(a[1]); break;
      default: break;
    }
  }
  if (ro._dl_platform) ro._dl_platformlen = support::StrLen(ro._dl_platform);
  ro._dl_hwcap = 2;  // HWCAP_X86_64
  ro._dl_auxv = g.auxv;
  ro._dl_lazy = g.opt.bind_now ? 0 : 1;
  ro._dl_bind_not = g.opt.bind_not ? 1 : 0;
  ro._dl_inhibit_cache = g.opt.inhibit_cache ? 1 : 0;
  ro._dl_tls_static_surplus = 1664;
  InitCpuFeatures(reinterpret_cast<CpuFeatures*>(ro._dl_x86_cpu_features));
  ro._dl_debug_printf = reinterpret_cast<decltype(ro._dl_debug_printf)>(&DlDebugPrintf);
  ro._dl_mcount = reinterpret_cast<decltype(ro._dl_mcount)>(&DlMcount);
  ro._dl_lookup_symbol_x = reinterpret_cast<decltype(ro._dl_lookup_symbol_x)>(&DlLookupSymbolX);
  ro._dl_open = reinterpret_cast<decltype(ro._dl_open)>(&DlOpen);
  ro._dl_close = reinterpret_cast<decltype(ro._dl_close)>(&DlClose);
  ro._dl_catch_error = reinterpret_cast<decltype(ro._dl_catch_error)>(&DlCatchError);
  ro._dl_error_free = reinterpret_cast<decltype(ro._dl_error_free)>(&DlErrorFree);
  ro._dl_tls_get_addr_soft = reinterpret_cast<decltype(ro._dl_tls_get_addr_soft)>(&DlTlsGetAddrSoft);
  ro._dl_libc_freeres = reinterpret_cast<decltype(ro._dl_libc_freeres)>(&DlLibcFreeres);
  ro._dl_find_object = reinterpret_cast<decltype(ro._dl_find_object)>(&DlFindObjectFn);

  RtldGlobal& gl = _rtld_global;
  gl._dl_nns = 1;
  InitRecursiveLock(gl._dl_load_lock);
  InitRecursiveLock(gl._dl_load_write_lock);
  InitRecursiveLock(gl._dl_load_tls_lock);
  InitList(gl._dl_stack_used);
  InitList(gl._dl_stack_user);
  InitList(gl._dl_stack_cache);
  gl._dl_stack_flags = PF_R | PF_W | (StacksExecutable() ? PF_X : 0);
  gl._dl_tls_static_optional = 512;
  gl._dl_ns[0].libc_map = &Map(*g_libc);
  for (Module* m = g.first; m; m = m->next) DescribeModule(*m);
  ListChanged();
  ro._dl_initial_searchlist = Map(*g.program).l_searchlist;
  if (g.vdso != nullptr) {
    ro._dl_sysinfo_map = &Map(*g.vdso);
    // libc calls these directly when set, else makes the system call.
    auto vdso = [](const char* name) { return AddressOf(&g.vdso, 1, name, "LINUX_2.6", true); };
    ro._dl_vdso_clock_gettime64 = reinterpret_cast<decltype(ro._dl_vdso_clock_gettime64)>(vdso("__vdso_clock_gettime"));
    ro._dl_vdso_gettimeofday = reinterpret_cast<decltype(ro._dl_vdso_gettimeofday)>(vdso("__vdso_gettimeofday"));
    ro._dl_vdso_time = reinterpret_cast<decltype(ro._dl_vdso_time)>(vdso("__vdso_time"));
    ro._dl_vdso_getcpu = reinterpret_cast<decltype(ro._dl_vdso_getcpu)>(vdso("__vdso_getcpu"));
    ro._dl_vdso_clock_getres_time64 =
        reinterpret_cast<decltype(ro._dl_vdso_clock_getres_time64)>(vdso("__vdso_clock_getres"));
  }
}

void AfterTls(void* tcb) {
  if (!g_active) return;
  auto* pd = static_cast<Pthread*>(tcb);
  RtldGlobalRo& ro = _rtld_global_ro;
  RtldGlobal& gl = _rtld_global;
  static_assert(sizeof(Pthread) == 2368);  // the loader's TCB is this size (tls.cpp)
  _dl_get_tls_static_info(&ro._dl_tls_static_size, &ro._dl_tls_static_align);
  gl._dl_initial_dtv = static_cast<DtvPointer*>(g.initial_dtv) + 1;
  // The main thread's descriptor, as glibc's __tls_init_tp leaves it.
  pd->header.tcb = pd;
  pd->header.self = pd;
  ListAdd(gl._dl_stack_user, pd->list);
  pd->tid = static_cast<int>(sys::Call(218 /* set_tid_address */, reinterpret_cast<long>(&pd->tid)));
  pd->robust_prev = &pd->robust_head;
  pd->robust_head.list = &pd->robust_head;
  pd->robust_head.futex_offset = -32;  // offsetof(struct pthread_mutex, __list) - offsetof(__lock)
  sys::Call(273 /* set_robust_list */, reinterpret_cast<long>(&pd->robust_head), 24);
  pd->specific[0] = &pd->specific_1stblock[0];
  pd->user_stack = true;
  pd->report_events = __nptl_initial_report_events;
  pd->stackblock_size = reinterpret_cast<size_t>(__libc_stack_end);
  // rseq: register the area glibc reserves in struct pthread, unless the
  // glibc.pthread.rseq tunable is 0; a failure leaves cpu_id = -2.
  __rseq_offset = static_cast<ptrdiff_t>(offsetof(Pthread, rseq_area));
  auto* area = reinterpret_cast<int32_t*>(&pd->rseq_area);
  area[1] = -2;  // cpu_id: RSEQ_CPU_ID_REGISTRATION_FAILED
  if (TunableNumber(kTunPthreadRseq) != 0) {
    area[1] = -1;  // RSEQ_CPU_ID_UNINITIALIZED
    long r = sys::Call(334 /* rseq */, reinterpret_cast<long>(area), 32, 0, 0x53053053);
    if (r == 0) __rseq_size = 20;
    else area[1] = -2;
  }
  ListChanged();
}

void AfterRelocation() {
  if (!g_active) return;
  g_signal_error = reinterpret_cast<SignalErrorFn>(LibcPrivate("_dl_signal_error"));
  g_catch_error = reinterpret_cast<CatchErrorFn>(LibcPrivate("_dl_catch_error"));
  // The process allocator: whatever the global scope binds malloc to.
  auto lookup = [](const char* name) { return AddressOf(g.scope, g.nscope, name); };
  g.libc_malloc = reinterpret_cast<void* (*)(size_t)>(lookup("malloc"));
  g.libc_calloc = reinterpret_cast<void* (*)(size_t, size_t)>(lookup("calloc"));
  g.libc_free = reinterpret_cast<void (*)(void*)>(lookup("free"));
  ListChanged();
  using EarlyInit = void (*)(bool);
  if (auto init = reinterpret_cast<EarlyInit>(LibcPrivate("__libc_early_init"))) init(true);
}

}  // namespace rtld::glibc

using namespace rtld;
using namespace rtld::glibc;

// --- Functions glibc's libraries import from their loader -------------------

RTLD_EXPORT void _dl_fatal_printf(const char* fmt, ...) {
  char storage[1024];
  support::Buffer b(storage, sizeof storage);
  va_list ap;
  va_start(ap, fmt);
  Format(b, fmt, ap);
  va_end(ap);
  WriteBuffer(2, b);
  sys::ExitGroup(127);
}

RTLD_EXPORT void _dl_rtld_di_serinfo(glibc::LinkMap* loader, Serinfo* si, bool counting) {
  FillSerinfo(*reinterpret_cast<Module*>(loader), si, counting);
}

RTLD_EXPORT glibc::LinkMap* _dl_find_dso_for_object(uintptr_t addr) {
  Module* m = ObjectContaining(addr);
  return m ? &Map(*m) : nullptr;
}

// dl_exception: one buffer "errstring\0objname\0", from libc's allocator
// once there is one (libc frees it through _rtld_global_ro._dl_error_free).
RTLD_EXPORT void _dl_exception_create(DlException* e, const char* objname, const char* errstring) {
  if (objname == nullptr) objname = "";
  const size_t n1 = support::StrLen(errstring) + 1, n2 = support::StrLen(objname) + 1;
  char* buf = static_cast<char*>(g.libc_malloc ? g.libc_malloc(n1 + n2) : g.arena.Allocate(n1 + n2, 1));
  if (buf == nullptr) {
    e->objname = "";
    e->errstring = "out of memory";
    e->message_buffer = nullptr;
    return;
  }
  support::MemCpy(buf, errstring, n1);
  support::MemCpy(buf + n1, objname, n2);
  e->errstring = buf;
  e->objname = buf + n1;
  e->message_buffer = g.libc_malloc ? buf : nullptr;
}

RTLD_EXPORT void _dl_exception_create_format(DlException* e, const char* objname, const char* fmt, ...) {
  char storage[1024];
  support::Buffer b(storage, sizeof storage);
  va_list ap;
  va_start(ap, fmt);
  Format(b, fmt, ap);
  va_end(ap);
  _dl_exception_create(e, objname, b.CStr());
}

RTLD_EXPORT void _dl_exception_free(DlException* e) {
  if (e->message_buffer != nullptr && g.libc_free != nullptr) g.libc_free(e->message_buffer);
  e->objname = e->errstring = nullptr;
  e->message_buffer = nullptr;
}

// The error protocol belongs to libc: these forward to its copies.
RTLD_EXPORT int _dl_catch_error(const char** objname, const char** errstring, bool* mallocedp,
                                void (*operate)(void*), void* args) {
  return DlCatchError(objname, errstring, mallocedp, operate, args);
}

RTLD_EXPORT int _dl_catch_exception(DlException* e, void (*operate)(void*), void* args) {
  using Fn = int (*)(DlException*, void (*)(void*), void*);
  if (auto f = reinterpret_cast<Fn>(LibcPrivate("_dl_catch_exception"))) return f(e, operate, args);
  operate(args);
  if (e) e->objname = e->errstring = nullptr, e->message_buffer = nullptr;
  return 0;
}

RTLD_EXPORT void _dl_signal_error(int err, const char* objname, const char* occasion, const char* text) {
  if (g_signal_error != nullptr) g_signal_error(err, objname, occasion, text);
  Fatal(occasion, objname, text, err);
}

RTLD_EXPORT void _dl_signal_exception(int err, DlException* e, const char* occasion) {
  using Fn = void (*)(int, DlException*, const char*);
  if (auto f = reinterpret_cast<Fn>(LibcPrivate("_dl_signal_exception"))) f(err, e, occasion);
  Fatal(occasion, e->objname, e->errstring, err);
}

RTLD_EXPORT void _dl_audit_preinit(glibc::LinkMap*) {}
RTLD_EXPORT void _dl_audit_symbind_alt(glibc::LinkMap*, const elf::Sym*, void**, glibc::LinkMap*) {}

RTLD_EXPORT int __nptl_change_stack_perm(Pthread* pd) {
  const uintptr_t start = reinterpret_cast<uintptr_t>(pd->stackblock) + pd->guardsize;
  const size_t len = pd->stackblock_size - pd->guardsize;
  const long r = sys::Mprotect(reinterpret_cast<void*>(start), len,
                               sys::kProtRead | sys::kProtWrite | sys::kProtExec);
  return r < 0 ? static_cast<int>(-r) : 0;
}

RTLD_EXPORT const CpuFeatures* _dl_x86_get_cpu_features() {
  return reinterpret_cast<const CpuFeatures*>(_rtld_global_ro._dl_x86_cpu_features);
}

RTLD_EXPORT void _dl_mcount(uintptr_t, uintptr_t) {}

// A version node glibc's loader defines so objects may require it.
extern "C" __attribute__((visibility("default"))) void RtldVersionPlaceholder() {}
__asm__(".symver RtldVersionPlaceholder, __rtld_version_placeholder@GLIBC_2.34");
