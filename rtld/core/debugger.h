// The debugger interface (the SVR4 r_debug protocol): debuggers find
// _r_debug through the program's DT_DEBUG or the loader's symbol table, read
// the link-map list from it, and put a breakpoint on _dl_debug_state, which
// the loader calls around every change of the list.
#pragma once

#include <stdint.h>

#include "rtld/core/module.h"

namespace rtld {

// struct r_debug as <link.h> publishes it.
struct RDebug {
  int r_version;
  LinkMap* r_map;
  uint64_t r_brk;
  enum State : int { kConsistent = 0, kAdd = 1, kDelete = 2 } r_state;
  uint64_t r_ldbase;
};

// Announces a change of the list (kAdd/kDelete) or its end (kConsistent).
void NotifyDebugger(RDebug::State state);

// Writes _r_debug's address into the program's DT_DEBUG entry.
void PublishRDebug(Module& program, uint64_t loader_base);

}  // namespace rtld

extern "C" {
extern rtld::RDebug _r_debug;
void _dl_debug_state();
}
