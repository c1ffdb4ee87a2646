// Applying an object's relocations (eager binding), IRELATIVE after the
// rest, then RELRO.
#pragma once

#include <stdint.h>

#include "rtld/core/module.h"

namespace rtld {

struct RelocStats {
  uint64_t relative = 0;   // RELR + RELATIVE
  uint64_t symbolic = 0;   // relocations that named a symbol
  uint64_t cache_hits = 0; // one-entry cache hits
  uint64_t irelative = 0;
  uint64_t tls = 0;
};
extern RelocStats g_reloc_stats;

// Relocates m (its dependencies must already be relocated). Fatal errors
// (undefined symbols, bad relocations) end the process with glibc's message.
void RelocateModule(Module& m);

// The name used for m in messages: its path, or the program's argv[0].
const char* DisplayName(const Module& m);

}  // namespace rtld
