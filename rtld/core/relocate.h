// Applying an object's relocations (eager binding), IRELATIVE after the
// rest, then RELRO.
#pragma once

#include <stdint.h>

#include "arch/x86_64/reloc.h"
#include "rtld/core/module.h"

namespace rtld {

struct RelocStats {
  uint64_t relative = 0;   // RELR + RELATIVE
  uint64_t symbolic = 0;   // relocations that named a symbol
  uint64_t cache_hits = 0; // one-entry cache hits
  uint64_t irelative = 0;
  uint64_t tls = 0;
  uint64_t lazy = 0;       // PLT slots left for lazy binding
  uint64_t lazy_bound = 0; // of those, bound at a first call
};
extern RelocStats g_reloc_stats;

// Relocates m (its dependencies must already be relocated). Fatal errors
// (undefined symbols, bad relocations) end the process with glibc's message.
// `now` (RTLD_NOW) binds the PLT eagerly as well.
void RelocateModule(Module& m, bool now = false);

// A resolved symbol: its value (already the IFUNC's choice) and where it was
// defined (module nullptr: an unresolved weak reference, value 0).
struct Resolved {
  uint64_t value = 0;
  const Module* module = nullptr;
  const elf::Sym* sym = nullptr;
};

// Resolves symbol symndx of m for a relocation of the given kind; an
// undefined non-weak symbol ends the process with glibc's message.
Resolved ResolveSymbol(Module& m, uint32_t symndx, arch::RelocKind kind);

// Calls an IFUNC resolver and returns the implementation it chose.
uint64_t CallIfunc(uint64_t resolver);

// The name used for m in messages: its path, or the program's argv[0].
const char* DisplayName(const Module& m);

}  // namespace rtld
