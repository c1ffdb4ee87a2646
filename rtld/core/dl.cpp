#include "rtld/core/dl.h"

#include "rtld/core/debug.h"
#include "rtld/core/debugger.h"
#include "rtld/core/diag.h"
#include "rtld/core/init_fini.h"
#include "rtld/core/lookup.h"
#include "rtld/core/main.h"
#include "rtld/core/relocate.h"
#include "rtld/core/search.h"
#include "rtld/core/state.h"
#include "rtld/core/symcache.h"
#include "rtld/core/tls.h"
#include "rtld/core/version.h"
#include "rtld/glibc/personality.h"
#include "rtld/support/string.h"
#include "rtld/support/sys.h"

namespace rtld {

namespace {

[[noreturn]] void OutOfMemory() { FatalLoad("", "cannot allocate memory", 12); }

// root's local scope (glibc's l_searchlist, as _dl_map_object_deps builds
// it): itself and its dependencies, breadth first, with each object's
// filtees just before it (moved there when the list has them later).
void BuildSearchlist(Module& root) {
  if (root.searchlist != nullptr) return;
  unsigned cap = 0;
  for (Module* m = g.first; m; m = m->next) {
    m->visited = false;
    ++cap;
  }
  auto** list = g.arena.New<Module*>(cap + 1);
  if (list == nullptr) OutOfMemory();
  bool done[cap + 1];
  unsigned n = 0;
  list[n] = &root;
  done[n++] = false;
  root.visited = true;
  for (unsigned i = 0; i < n;) {
    if (done[i]) {
      ++i;
      continue;
    }
    done[i] = true;
    Module& m = *list[i];
    unsigned at = i;  // m's position; its filtees go before it
    for (unsigned k = 0; k < m.nfiltees; ++k) {
      Module* f = m.filtees[k];
      if (f->visited) {
        unsigned j = 0;
        while (list[j] != f) ++j;
        if (j < at) continue;  // found earlier already
        for (; j > at; --j) {  // moves it back to m's place
          list[j] = list[j - 1];
          done[j] = done[j - 1];
        }
      } else {
        if (n == cap + 1) continue;
        f->visited = true;
        for (unsigned j = n++; j > at; --j) {
          list[j] = list[j - 1];
          done[j] = done[j - 1];
        }
      }
      list[at] = f;
      done[at++] = false;
    }
    for (unsigned k = 0; k < m.ndeps; ++k) {
      Module* d = m.deps[k];
      if (d->visited || d->is_missing || n == cap + 1) continue;
      d->visited = true;
      list[n] = d;
      done[n++] = false;
    }
  }
  root.searchlist = list;
  root.nsearch = n;
  // The program's order is the start-up one (glibc: its scope is the
  // global one, always there); anything else opened sorts its scope now.
  if (!root.is_program) SetScopeOrder(root, list, n);
}

// Replaces m's extra scopes with `roots` [0, n) (a new block: readers may
// hold the old one, which stays allocated).
void SetExtraScopes(Module& m, Module* const* roots, unsigned n) {
  Module::ExtraScopes* block = nullptr;
  if (n != 0) {
    const size_t bytes = sizeof(Module::ExtraScopes) + (n - 1) * sizeof(Module*);
    block = static_cast<Module::ExtraScopes*>(g.arena.Allocate(bytes, alignof(Module::ExtraScopes)));
    if (block == nullptr) OutOfMemory();
    block->n = n;
    for (unsigned i = 0; i < n; ++i) block->roots[i] = roots[i];
  }
  __atomic_store_n(&m.extra_scopes, block, __ATOMIC_RELEASE);
  glibc::ScopesChanged(m);
}

// A dlopen that loaded root's dependencies (now relocated) adds root's
// searchlist to the scope of each object in it that an earlier dlopen
// loaded and initialised, so their lazy bindings and RTLD_DEFAULT lookups
// see the new objects (glibc's resize_scopes/update_scopes). Initial
// objects keep theirs.
void ShareScope(Module& root) {
  if (root.scope_shared || root.searchlist == nullptr) return;
  root.scope_shared = true;
  for (unsigned i = 0; i < root.nsearch; ++i) {
    Module& m = *root.searchlist[i];
    if (!m.dlopened || !m.init_called || m.scope_root == &root) continue;
    const Module::ExtraScopes* old = m.extra_scopes;
    const unsigned n = old != nullptr ? old->n : 0;
    bool has = false;
    for (unsigned k = 0; k < n; ++k) has |= old->roots[k] == &root;
    if (has) continue;
    Module* roots[n + 1];
    for (unsigned k = 0; k < n; ++k) roots[k] = old->roots[k];
    roots[n] = &root;
    SetExtraScopes(m, roots, n + 1);
    if (Debugging(kDebugScopes)) {
      // As glibc's _dl_show_scope: the new scope's number (after the global
      // and the local scope) and its objects.
      const unsigned number = 2 + n;
      DebugLine([&](support::Buffer& b) { b.Str("object=").Str(DisplayName(m)).Str(" [0]"); });
      DebugLine([&](support::Buffer& b) {
        b.Str(" scope ").Dec(number).Char(':');
        for (unsigned k = 0; k < root.nsearch; ++k) b.Char(' ').Str(DisplayName(*root.searchlist[k]));
      });
    }
  }
}

// Takes `gone` out of the extra scopes of every other object.
void UnshareScope(const Module& gone) {
  for (Module* m = g.first; m; m = m->next) {
    const Module::ExtraScopes* old = m->extra_scopes;
    if (old == nullptr || m == &gone) continue;
    Module* roots[old->n];
    unsigned n = 0;
    for (unsigned k = 0; k < old->n; ++k)
      if (old->roots[k] != &gone) roots[n++] = old->roots[k];
    if (n != old->n) SetExtraScopes(*m, roots, n);
  }
}

void AddToGlobalScope(Module& m) {
  if (m.in_scope || m.is_vdso || m.is_missing) return;
  symcache::g_closure_usable = false;  // the closure was computed for the initial scope
  if (g.nscope == g.scope_cap) {
    const unsigned cap = g.scope_cap < 8 ? 16 : g.scope_cap * 2;
    auto** grown = g.arena.New<Module*>(cap);
    if (grown == nullptr) OutOfMemory();
    for (unsigned i = 0; i < g.nscope; ++i) grown[i] = g.scope[i];
    // Threads binding lazily may still walk the old array: it stays.
    __atomic_store_n(&g.scope, grown, __ATOMIC_RELEASE);
    g.scope_cap = cap;
  }
  g.scope[g.nscope] = &m;
  __atomic_store_n(&g.nscope, g.nscope + 1, __ATOMIC_RELEASE);
  m.in_scope = true;
}

void RemoveFromGlobalScope(Module& m) {
  if (!m.in_scope) return;
  unsigned j = 0;
  for (unsigned i = 0; i < g.nscope; ++i)
    if (g.scope[i] != &m) g.scope[j++] = g.scope[i];
  __atomic_store_n(&g.nscope, j, __ATOMIC_RELEASE);
  m.in_scope = false;
}

void Unlink(Module& m) {
  if (m.prev) {
    m.prev->next = m.next;
    m.prev->lm.l_next = m.next ? &m.next->lm : nullptr;
  } else {
    g.first = m.next;
  }
  if (m.next) {
    m.next->prev = m.prev;
    m.next->lm.l_prev = m.prev ? &m.prev->lm : nullptr;
  } else {
    g.last = m.prev;
  }
  m.listed = false;
  --g.nmodules;
}

void FreeRecords(Module& m) {
  for (ModuleName* n = m.names; n != nullptr;) {
    ModuleName* next = n->next;
    g.arena.Free(const_cast<char*>(n->name));
    g.arena.Free(n);
    n = next;
  }
  if (m.path != m.lm.l_name) g.arena.Free(const_cast<char*>(m.lm.l_name));
  if (m.path_malloced) g.libc_free(const_cast<char*>(m.path));
  else g.arena.Free(const_cast<char*>(m.path));
  g.arena.Free(const_cast<char*>(m.origin));
  g.arena.Free(m.versions);
  g.arena.Free(m.deps);
  g.arena.Free(m.searchlist);
  g.arena.Free(m.initfini);
  g.arena.Free(m.reldeps);
  g.arena.Free(m.extra_scopes);
  g.arena.Free(m.filtees);
  if (m.phdr_owned) g.arena.Free(const_cast<elf::Phdr*>(m.phdr));
  g.arena.Free(&m);
}

// Takes an object out of the process: scope, TLS, list, mappings, records.
void Unload(Module& m) {
  if (Debugging(kDebugFiles))
    DebugLine([&](support::Buffer& b) { b.Str("\nfile=").Str(DisplayName(m)).Str(" [0];  destroying link map"); });
  RemoveFromGlobalScope(m);
  if (m.scope_shared) UnshareScope(m);
  ForgetUniqueDefinitions(m);
  ReleaseTlsModule(m);
  Unlink(m);
  if (m.map_end > m.map_start) sys::Munmap(reinterpret_cast<void*>(m.map_start), m.map_end - m.map_start);
  glibc::ForgetModule(m);
  FreeRecords(m);
}

// Unloads the objects dlopen call `call` mapped (it failed), last first.
// The loader's own record may have joined the list meanwhile: it stays.
void Rollback(unsigned call) {
  Module* m = g.last;
  while (m != nullptr) {
    Module* prev = m->prev;
    if (m->load_call == call && !m->is_rtld) Unload(*m);
    m = prev;
  }
}

// Unloads the objects nothing uses any more: neither initial, open,
// NODELETE, nor reachable from such an object through its dependencies or
// the bindings it made into other dlopen'ed objects.
void CollectOnce();

// A dlclose from a finaliser that Collect runs only asks for another pass
// once the current one is done (glibc's rerun), so objects are finalised
// and unmapped one pass at a time.
bool g_collecting = false;
bool g_collect_again = false;

void Collect() {
  if (g_collecting) {
    g_collect_again = true;
    return;
  }
  g_collecting = true;
  do {
    g_collect_again = false;
    CollectOnce();
  } while (g_collect_again);
  g_collecting = false;
}

// An object that stays while the dlopen root whose scope it searched goes
// away searches its own direct dependencies instead (glibc makes it a scope
// from its initfini list), and forgets a loader that goes.
void Orphan(Module& m) {
  bool changed = false;
  if (m.scope_root != nullptr && !m.scope_root->marked) {
    if (m.searchlist == nullptr && m.initfini != nullptr) {
      auto** list = g.arena.New<Module*>(m.ninitfini);
      if (list == nullptr) OutOfMemory();
      for (unsigned i = 0; i < m.ninitfini; ++i) list[i] = m.initfini[i];
      m.searchlist = list;
      m.nsearch = m.ninitfini;
    }
    m.scope_root = &m;
    changed = true;
  }
  if (m.loader != nullptr && !m.loader->marked) {
    m.loader = nullptr;
    changed = true;
  }
  if (changed) glibc::DescribeModule(m);
}

void CollectOnce() {
  unsigned n = 0;
  for (Module* m = g.first; m; m = m->next) {
    // Objects a dlopen under way mapped are that call's until it ends.
    m->marked = !m->dlopened || m->opencount > 0 || m->nodelete || m->unloading || m->load_call != 0 ||
                glibc::KeepsLoaded(*m);
    ++n;
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (Module* m = g.first; m; m = m->next) {
      if (!m->marked) continue;
      for (unsigned i = 0; i < m->ndeps; ++i)
        if (!m->deps[i]->marked) changed = m->deps[i]->marked = true;
      for (unsigned i = 0; i < m->nreldeps; ++i)
        if (!m->reldeps[i]->marked) changed = m->reldeps[i]->marked = true;
    }
  }
  Module* all[n];
  unsigned k = 0;
  n = 0;
  for (Module* m = g.first; m; m = m->next) {
    all[n++] = m;
    if (!m->marked) ++k;
  }
  if (k == 0) return;
  for (unsigned i = 0; i < n; ++i) {
    if (!all[i]->marked) all[i]->unloading = true;
    else if (all[i]->dlopened) Orphan(*all[i]);
  }
  // Finalisers in glibc's order for the whole list (the program first,
  // relocation dependencies counted): dependents before their
  // dependencies. They may call dlclose themselves; objects being
  // unloaded count as used then.
  SortModules(all, n, true, true);
  Module** list = all;
  WithoutCatching([&] {
    for (unsigned i = 0; i < n; ++i)
      if (!list[i]->marked) Finalize(*list[i]);
  });
  NotifyDebugger(RDebug::kDelete);
  for (unsigned i = 0; i < n; ++i)
    if (!all[i]->marked) Unload(*all[i]);
  glibc::ListChanged();
  NotifyDebugger(RDebug::kConsistent);
}

bool HasTls(const Module& m) { return m.tls_memsz != 0 || m.tls_filesz != 0; }

// Maps, links, relocates the objects `file` brings in; on failure
// unloads them and raises the error again. *fresh: whether the object
// itself is new.
//
// A dlopen may run inside this one (the process's allocator, called for
// the objects' names, may dlopen and dlclose): this call's objects are
// those stamped with its id, wherever they are in the list, and they are
// not unloaded meanwhile.
Module* LoadNew(const char* file, int mode, Module* caller, bool* fresh) {
  Module* root = nullptr;
  Module* first = nullptr;  // this call's first new object
  NotifyDebugger(RDebug::kAdd);
  const unsigned outer_call = g.dlopen_call;
  const unsigned call = g.dlopen_call = ++g.dlopen_calls;
  auto ours = [call](const Module& m) { return m.load_call == call; };
  CaughtError error;
  const bool ok = Catching(&error, [&] {
    SearchError err;
    root = LoadObject(file, caller, &err);
    if (root == nullptr) FatalLoad(err.objname, err.text, err.err);
    for (Module* m = g.first; m && first == nullptr; m = m->next)
      if (ours(*m)) first = m;
    if (first == nullptr) return;  // it was loaded already
    // An opened object heads its own loading chain (RTLD_NEXT, DT_RPATH).
    if (ours(*root)) root->loader = nullptr;
    LoadDependencies(first);
    // The root's filtees go before it: this call's first object again.
    first = nullptr;
    for (Module* m = g.first; m && first == nullptr; m = m->next)
      if (ours(*m)) first = m;
    NotifyDebugger(RDebug::kConsistent);
    for (Module* m = first; m; m = m->next) {
      if (m->is_rtld || !ours(*m)) continue;
      m->dlopened = true;
      m->scope_root = root;
      m->deepbind = (mode & kRtldDeepbind) != 0;
      if ((m->dyn.flags_1 & DF_1_NODELETE) || (mode & kRtldNodelete)) m->nodelete = true;
      if (m != root) SetDependencyOrder(*m);
    }
    BuildSearchlist(*root);
    CheckVersionsFrom(first);
    for (Module* m = first; m; m = m->next)
      if (!m->is_rtld && ours(*m) && HasTls(*m)) AssignTlsModule(*m);
    // Dependencies first: the reverse of the root's initialiser order.
    const bool now = (mode & kRtldNow) != 0;
    for (unsigned i = root->ninitfini; i-- > 0;) RelocateModule(*root->initfini[i], now);
    for (Module* m = first; m; m = m->next)
      if (ours(*m)) FinishStaticTls(*m);
    for (Module* m = first; m; m = m->next)
      if (ours(*m)) glibc::DescribeModule(*m);
  });
  g.dlopen_call = outer_call;
  if (!ok) {
    Rollback(call);
    glibc::ListChanged();
    NotifyDebugger(RDebug::kConsistent);
    Fatal(nullptr, "", error.message, 0);
  }
  *fresh = root->load_call == call;
  for (Module* m = first; m; m = m->next)
    if (ours(*m)) m->load_call = 0;
  if (first == nullptr) NotifyDebugger(RDebug::kConsistent);
  return root;
}

}  // namespace

Module* Open(const char* file, int mode, Module* caller) {
  if ((mode & kRtldBindingMask) == 0) FatalLoad(file ? file : "", "invalid mode for dlopen()", 22);
  if (file == nullptr || file[0] == 0) {
    ++g.program->opencount;
    return g.program;
  }
  Module* root;
  bool fresh = false;
  if (mode & kRtldNoload) {
    SearchError err;
    root = FindLoadedObject(file, caller, &err);
    if (err.text != nullptr) FatalLoad(err.objname, err.text, err.err);
    if (root == nullptr) return nullptr;
  } else {
    root = LoadNew(file, mode, caller, &fresh);
  }
  // Initialisers run unless the object was open already (its scope exists):
  // its own, its dependencies', and those of objects already loaded but
  // not initialised yet (a constructor's dlopen).
  const bool initialise = fresh || (root->searchlist == nullptr && !root->is_program);
  BuildSearchlist(*root);
  ++root->opencount;
  if (mode & kRtldNodelete) root->nodelete = true;
  if (mode & kRtldGlobal)
    for (unsigned i = 0; i < root->nsearch; ++i) AddToGlobalScope(*root->searchlist[i]);
  glibc::DescribeModule(*root);
  ShareScope(*root);
  if (Debugging(kDebugFiles))
    DebugLine([&](support::Buffer& b) {
      b.Str("opening file=").Str(DisplayName(*root)).Str(" [0]; direct_opencount=").Dec(root->opencount);
    });
  // An error in an initialiser is not dlopen's: it ends the process as at
  // start-up.
  glibc::ListChanged();
  if (initialise) WithoutCatching([&] { RunInitializersOf(*root); });
  glibc::ListChanged();
  return root;
}

void Close(Module* handle) {
  // glibc ignores dlclose of a NODELETE object, however often.
  if (IsLoaded(handle) && handle->dlopened && handle->nodelete) return;
  if (!IsLoaded(handle) || handle->opencount == 0) FatalLoad("", "shared object not open");
  --handle->opencount;
  if (Debugging(kDebugFiles))
    DebugLine([&](support::Buffer& b) {
      b.Str("\nclosing file=").Str(DisplayName(*handle)).Str("; direct_opencount=").Dec(handle->opencount);
    });
  if (handle->opencount == 0 && handle->dlopened && !handle->nodelete) Collect();
}

bool IsLoaded(const void* h) {
  for (const Module* m = g.first; m; m = m->next)
    if (m == h) return !m->unloading;
  return false;
}

Module* ObjectContaining(uint64_t addr) {
  for (Module* m = g.first; m; m = m->next) {
    if (addr < m->map_start || addr >= m->map_end || m->is_missing) continue;
    const uint64_t rel = addr - m->base;
    for (unsigned i = 0; i < m->phnum; ++i)
      if (m->phdr[i].type == PT_LOAD && rel - m->phdr[i].vaddr < m->phdr[i].memsz) return m;
  }
  return nullptr;
}

uint64_t SymbolValue(const Module& m, const elf::Sym& s) {
  if (s.type() == STT_TLS) return reinterpret_cast<uint64_t>(TlsAddress(m, s.value));
  const uint64_t value = s.shndx == SHN_ABS ? s.value : m.base + s.value;
  if (s.type() == STT_GNU_IFUNC && s.shndx != SHN_UNDEF) return CallIfunc(value);
  return value;
}

const elf::Sym* NearestSymbol(const Module& m, uint64_t addr) {
  const elf::SymbolTable& t = m.symtab;
  const elf::Sym* best = nullptr;
  auto consider = [&](uint32_t i) {
    const elf::Sym& s = t.syms[i];
    if (s.shndx == SHN_UNDEF && s.value == 0) return;
    if (s.shndx == SHN_ABS || s.type() == STT_TLS || s.name >= t.strsz) return;
    const uint64_t start = m.base + s.value;
    if (addr < start) return;
    const bool covers = (s.shndx == SHN_UNDEF || s.size == 0) ? addr == start : addr < start + s.size;
    if (!covers) return;
    if (best == nullptr || best->value < s.value) best = &s;
  };
  if (t.has_gnu) {
    for (uint32_t b = 0; b < t.gnu.nbuckets; ++b) {
      uint32_t i = t.gnu.buckets[b];
      if (i == 0 || i < t.gnu.symoffset) continue;
      for (; i < t.nsyms; ++i) {
        consider(i);
        if (t.gnu.chain[i - t.gnu.symoffset] & 1) break;
      }
    }
  } else if (t.has_sysv) {
    for (uint32_t i = 0; i < t.sysv.nchain && i < t.nsyms; ++i) {
      const elf::Sym& s = t.syms[i];
      const unsigned bind = s.bind();
      if ((bind == STB_GLOBAL || bind == STB_WEAK) && s.visibility() != STV_HIDDEN &&
          s.visibility() != STV_INTERNAL)
        consider(i);
    }
  }
  return best;
}

void UndefinedSymbol(const Module& reference, const char* name, const char* version) {
  char text[512];
  support::Buffer b(text, sizeof text);
  b.Str("undefined symbol: ").Str(name);
  if (version != nullptr) b.Str(", version ").Str(version);
  Fatal("symbol lookup error", DisplayName(reference), b.CStr());
}

}  // namespace rtld
