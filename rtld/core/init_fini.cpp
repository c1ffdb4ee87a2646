#include "rtld/core/init_fini.h"

#include "rtld/core/debug.h"
#include "rtld/core/diag.h"
#include "rtld/core/dl_lock.h"
#include "rtld/core/main.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"
#include "rtld/support/string.h"

namespace rtld {

namespace {

using InitFn = void (*)(int, char**, char**);
using FiniFn = void (*)();

[[noreturn]] void OutOfMemory() { FatalLoad("", "cannot allocate memory", 12); }

// glibc's dfs_traversal: m and, depth first, what its initfini list (and,
// when saw_reldeps is given, its reldeps, last first) leads to, pushed in
// post-order below *head. The program is never a dependency; objects
// already visited (or outside the sort) are skipped.
void Visit(Module** &head, Module* m, bool* saw_reldeps) {
  if (m->visited) return;
  m->visited = true;
  for (unsigned i = 1; i < m->ninitfini; ++i) {
    Module* d = m->initfini[i];
    if (!d->visited && !d->is_program) Visit(head, d, saw_reldeps);
  }
  if (saw_reldeps != nullptr && m->nreldeps != 0) {
    *saw_reldeps = true;
    for (unsigned i = m->nreldeps; i-- > 0;) {
      Module* d = m->reldeps[i];
      if (!d->visited && !d->is_program) Visit(head, d, saw_reldeps);
    }
  }
  *--head = m;
}

void CallInit(Module& m) {
  if (m.init_called) return;
  m.init_called = true;
  if (m.is_program) return;  // left to the program's start code, in both modes
  if (Debugging(kDebugLibs) && (m.dyn.init || m.dyn.init_array))
    DebugLine([&](support::Buffer& b) { b.Str("calling init: ").Str(DisplayName(m)); });
  int argc = static_cast<int>(g.argc);
  if (m.dyn.init) reinterpret_cast<InitFn>(m.base + m.dyn.init)(argc, g.argv, g.envp);
  if (m.dyn.init_array) {
    auto* fns = reinterpret_cast<const uint64_t*>(m.base + m.dyn.init_array);
    const uint64_t n = m.dyn.init_arraysz / sizeof(uint64_t);
    for (uint64_t i = 0; i < n; ++i) reinterpret_cast<InitFn>(fns[i])(argc, g.argv, g.envp);
  }
}

bool IsLibc(const Module& m) { return m.soname != nullptr && support::StrEq(m.soname, "libc.so.6"); }

}  // namespace

void SortModules(Module** maps, unsigned n, bool force_first, bool for_fini) {
  if (n == 0) return;
  Module* const first = maps[0];
  // Only the given objects take part: the walk must not step outside them.
  for (Module* m = g.first; m; m = m->next) m->visited = true;
  for (unsigned i = 0; i < n; ++i) maps[i]->visited = false;
  Module* rpo[n];
  Module** head = rpo + n;
  bool saw_reldeps = false;
  for (unsigned i = n; i-- > 0 && head != rpo;) Visit(head, maps[i], for_fini ? &saw_reldeps : nullptr);
  if (saw_reldeps) {
    // The second walk writes maps directly; glibc leaves the first object
    // where this walk puts it.
    for (unsigned i = 0; i < n; ++i) rpo[i]->visited = false;
    Module** out = maps + n;
    for (unsigned i = n; i-- > 0 && out != maps;) Visit(out, rpo[i], nullptr);
    return;
  }
  for (unsigned i = 0; i < n; ++i) maps[i] = rpo[i];
  if (force_first && maps[0] != first) {
    unsigned j = 0;
    while (maps[j] != first) ++j;
    for (; j > 0; --j) maps[j] = maps[j - 1];
    maps[0] = first;
  }
}

void SetDependencyOrder(Module& m) {
  if (m.initfini != nullptr) return;
  auto** list = g.arena.New<Module*>(m.ndeps + 1);
  if (list == nullptr) OutOfMemory();
  list[0] = &m;
  for (unsigned i = 0; i < m.ndeps; ++i) list[i + 1] = m.deps[i];
  m.initfini = list;
  m.ninitfini = m.ndeps + 1;
}

void SetScopeOrder(Module& root, Module* const* list, unsigned n) {
  auto** order = g.arena.New<Module*>(n == 0 ? 1 : n);
  if (order == nullptr) OutOfMemory();
  for (unsigned i = 0; i < n; ++i) order[i] = list[i];
  // The root heads its list even when its filtees precede it in the search
  // list (it is initialised last, as glibc's l_initfini[0]).
  for (unsigned i = 1; i < n; ++i) {
    if (order[i] != &root) continue;
    for (; i > 0; --i) order[i] = order[i - 1];
    order[0] = &root;
    break;
  }
  // The sort reads root's previous list (if it was loaded as a dependency,
  // its direct dependencies; if it is new, none).
  SortModules(order, n, !IsLibc(root), false);
  g.arena.Free(root.initfini);
  root.initfini = order;
  root.ninitfini = n;
  // glibc drops the relocation dependencies that the scope now covers.
  unsigned k = 0;
  for (unsigned i = 0; i < root.nreldeps; ++i) {
    bool covered = false;
    for (unsigned j = 1; j < n && !covered; ++j) covered = order[j] == root.reldeps[i];
    if (!covered) root.reldeps[k++] = root.reldeps[i];
  }
  root.nreldeps = k;
}

void RunInitializers() {
  Module& prog = *g.program;
  int argc = static_cast<int>(g.argc);
  if (prog.dyn.preinit_array) {
    auto* fns = reinterpret_cast<const uint64_t*>(prog.base + prog.dyn.preinit_array);
    const uint64_t n = prog.dyn.preinit_arraysz / sizeof(uint64_t);
    for (uint64_t i = 0; i < n; ++i) reinterpret_cast<InitFn>(fns[i])(argc, g.argv, g.envp);
  }
  RunInitializersOf(prog);
}

void RunInitializersOf(Module& root) {
  // A constructor may dlopen and so add to the list (not to this one).
  Module** const order = root.initfini;
  for (unsigned i = root.ninitfini; i-- > 0;) CallInit(*order[i]);
}

void Finalize(Module& m) {
  if (!m.init_called || m.fini_called) return;
  m.fini_called = true;
  if (Debugging(kDebugLibs) && (m.dyn.fini || m.dyn.fini_array))
    DebugLine([&](support::Buffer& b) { b.Str("calling fini: ").Str(DisplayName(m)).Str(" [0]"); });
  if (m.dyn.fini_array) {
    auto* fns = reinterpret_cast<const uint64_t*>(m.base + m.dyn.fini_array);
    for (uint64_t k = m.dyn.fini_arraysz / sizeof(uint64_t); k-- > 0;)
      reinterpret_cast<FiniFn>(fns[k])();
  }
  if (m.dyn.fini) reinterpret_cast<FiniFn>(m.base + m.dyn.fini)();
}

void RunFinalizers() {
  // As glibc's _dl_fini: the order is fixed under the lock, every object
  // gets one more reference (a finaliser's dlclose cannot unload what is
  // still to be finalised), and the finalisers run without the lock.
  DlLock::Acquire();
  unsigned n = 0;
  for (Module* m = g.first; m; m = m->next) ++n;
  Module* order[n];
  n = 0;
  for (Module* m = g.first; m; m = m->next) {
    order[n++] = m;
    ++m->opencount;
  }
  SortModules(order, n, true, true);
  DlLock::Release();
  for (unsigned i = 0; i < n; ++i) Finalize(*order[i]);
  DlLockGuard lock;
  for (unsigned i = 0; i < n; ++i) --order[i]->opencount;
}

}  // namespace rtld

extern "C" void RtldFini() { rtld::RunFinalizers(); }
