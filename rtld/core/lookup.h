// Symbol lookup over the global scope (load order), with DT_SYMBOLIC,
// protected visibility, copy-relocation and version rules.
#pragma once

#include "rtld/core/module.h"
#include "rtld/elf/hash.h"

namespace rtld {

struct Definition {
  const Module* module = nullptr;
  const elf::Sym* sym = nullptr;
};

enum LookupFlags : unsigned {
  kLookupPlt = 1,   // a PLT slot: never binds to an undefined symbol
  kLookupCopy = 2,  // a copy relocation: skip the program itself
};

// Resolves the reference `ref` (symbol index symndx of `from`). Returns the
// definition, or an empty one when nothing defines it.
Definition LookupReference(Module& from, uint32_t symndx, unsigned flags);

// Looks a name up in the global scope (version optional).
Definition LookupName(elf::HashedName& name, const elf::Version* version, unsigned flags,
                      const Module* skip);

// The version a reference of `from` to symndx requires, or nullptr.
const elf::Version* RequiredVersion(const Module& from, uint32_t symndx);

// Lookup counters (LD_DEBUG=statistics).
extern uint64_t g_lookups;

}  // namespace rtld
