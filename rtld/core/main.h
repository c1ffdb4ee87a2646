// Stage 2 of start-up: from a relocated loader to the program's entry.
#pragma once

#include <stdint.h>

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

}  // namespace rtld

// The function the program receives in %rdx: runs finalisers.
extern "C" void RtldFini();
