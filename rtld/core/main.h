// Stage 2 of start-up: from a relocated loader to the program's entry.
#pragma once

#include <stdint.h>

#include "rtld/core/module.h"

namespace rtld {

// Returned in %rax:%rdx to the entry assembly.
struct EntryAndStack {
  uint64_t entry;
  uint64_t sp;
};

// Everything after self-relocation: discovery, loading, TLS, relocation,
// initialisers. `base` is the loader's own load address; `start_tsc` the
// time stamp of the loader's first instruction.
[[gnu::noinline]] EntryAndStack RtldMain(uint64_t* sp, uint64_t base, uint64_t start_tsc);

// The value of auxiliary vector entry `type` (0 when absent).
uint64_t AuxvValue(uint64_t type);

// Loads the DT_NEEDED objects of `first` and of every object after it in
// load order (breadth first), recording each one's direct dependencies.
// A missing object is fatal (Fatal, which dlopen catches), except in list
// mode, where it is listed as not found.
void LoadDependencies(Module* first);

}  // namespace rtld

// The function the program receives in %rdx: runs finalisers.
extern "C" void RtldFini();
