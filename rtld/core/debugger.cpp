#include "rtld/core/debugger.h"

#include "rtld/core/state.h"

extern "C" {

__attribute__((visibility("default"))) rtld::RDebug _r_debug;

// Empty on purpose: its address is the debugger's breakpoint.
__attribute__((visibility("default"), noinline)) void _dl_debug_state() { __asm__ volatile("" ::: "memory"); }

}  // extern "C"

namespace rtld {

void PublishRDebug(Module& program, uint64_t loader_base) {
  _r_debug.r_version = 1;
  _r_debug.r_brk = reinterpret_cast<uint64_t>(&_dl_debug_state);
  _r_debug.r_ldbase = loader_base;
  if (program.dyn.debug_index >= 0) {
    // The entry lies inside the validated PT_DYNAMIC, which is writable
    // until the program's RELRO is applied.
    auto* dyn = const_cast<elf::Dyn*>(program.dynamic);
    dyn[program.dyn.debug_index].val = reinterpret_cast<uint64_t>(&_r_debug);
  }
}

void NotifyDebugger(RDebug::State state) {
  _r_debug.r_map = g.first ? &g.first->lm : nullptr;
  _r_debug.r_state = state;
  _dl_debug_state();
}

}  // namespace rtld
