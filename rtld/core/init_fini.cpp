#include "rtld/core/init_fini.h"

#include "rtld/core/debug.h"
#include "rtld/core/dl_lock.h"
#include "rtld/core/main.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"

namespace rtld {

namespace {

using InitFn = void (*)(int, char**, char**);
using FiniFn = void (*)();

void Visit(Module** &head, Module* m) {
  if (m->visited) return;
  m->visited = true;
  for (unsigned i = 0; i < m->ndeps; ++i) {
    Module* d = m->deps[i];
    if (!d->visited && !d->is_program) Visit(head, d);
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

}  // namespace

void SortModules(Module** maps, unsigned n, bool force_first) {
  if (n == 0) return;
  Module* first = maps[0];
  // Only the given objects take part: the walk must not step outside them.
  for (Module* m = g.first; m; m = m->next) m->visited = true;
  for (unsigned i = 0; i < n; ++i) maps[i]->visited = false;
  Module* buf[n];
  Module** head = buf + n;
  for (unsigned i = n; i-- > 0;) {
    Visit(head, maps[i]);
    if (head == buf) break;
  }
  for (unsigned i = 0; i < n; ++i) maps[i] = buf[i];
  if (force_first && maps[0] != first) {
    unsigned j = 0;
    while (maps[j] != first) ++j;
    for (; j > 0; --j) maps[j] = maps[j - 1];
    maps[0] = first;
  }
}

void RunInitializers() {
  Module& prog = *g.program;
  int argc = static_cast<int>(g.argc);
  if (prog.dyn.preinit_array) {
    auto* fns = reinterpret_cast<const uint64_t*>(prog.base + prog.dyn.preinit_array);
    const uint64_t n = prog.dyn.preinit_arraysz / sizeof(uint64_t);
    for (uint64_t i = 0; i < n; ++i) reinterpret_cast<InitFn>(fns[i])(argc, g.argv, g.envp);
  }
  Module* order[g.nscope];
  for (unsigned i = 0; i < g.nscope; ++i) order[i] = g.scope[i];
  SortModules(order, g.nscope, true);
  for (unsigned i = g.nscope; i-- > 0;) CallInit(*order[i]);
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
  DlLockGuard lock;
  unsigned n = 0;
  for (Module* m = g.first; m; m = m->next) ++n;
  Module* order[n];
  n = 0;
  for (Module* m = g.first; m; m = m->next) order[n++] = m;
  SortModules(order, n, true);
  for (unsigned i = 0; i < n; ++i) Finalize(*order[i]);
}

void RunInitializersOf(Module** maps, unsigned n) {
  SortModules(maps, n, true);
  for (unsigned i = n; i-- > 0;) CallInit(*maps[i]);
}

}  // namespace rtld

extern "C" void RtldFini() { rtld::RunFinalizers(); }
