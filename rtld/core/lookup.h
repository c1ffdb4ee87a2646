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
  kLookupPlt = 1,     // a PLT-class reference (a PLT slot, a TLS relocation): never binds to an undefined symbol
  kLookupCopy = 2,    // a copy relocation: skip the program itself
  kLookupNewest = 4,  // unversioned dlsym: the default version, never a hidden one
};

// Resolves the reference `ref` (symbol index symndx of `from`). Returns the
// definition, or an empty one when nothing defines it.
Definition LookupReference(Module& from, uint32_t symndx, unsigned flags);

// Looks a name up in the global scope (version optional).
Definition LookupName(elf::HashedName& name, const elf::Version* version, unsigned flags,
                      const Module* skip);

// Looks a name up in list[start, n), skipping `skip`.
Definition LookupIn(Module* const* list, unsigned n, unsigned start, elf::HashedName& name,
                    const elf::Version* version, unsigned flags, const Module* skip);

// Looks a name up in the scopes of `from`: the global scope, then (for an
// object dlopen loaded) its dlopen root's local scope; RTLD_DEEPBIND puts
// the local scope first.
Definition LookupFrom(const Module& from, elf::HashedName& name, const elf::Version* version,
                      unsigned flags, const Module* skip);

// Records that `from` bound to `to`, so dlclose keeps `to` while `from`
// lives (and an initial object's binding makes `to` permanent).
void NoteBinding(Module& from, const Module& to);

// STB_GNU_UNIQUE: every lookup that finds a unique definition gets the
// first one any lookup found for that name (glibc's unique symbol table).
// A binding the symbol cache supplied (no lookup) is recorded with this
// (`copy`: by a copy relocation).
void NoteUniqueBinding(const Module& from, uint32_t symndx, const Definition& d, bool copy);

// Initial objects were bound without lookups (closure or pre-relocated
// image): a unique name the table lacks then takes the first initial
// object's unique definition, as their relocations would have entered it.
void NoteBindingsSkipped();

// Drops the unique instances m defines (m is being unloaded).
void ForgetUniqueDefinitions(const Module& m);

// The version a reference of `from` to symndx requires, or nullptr.
const elf::Version* RequiredVersion(const Module& from, uint32_t symndx);

// Lookup counters (LD_DEBUG=statistics).
extern uint64_t g_lookups;

}  // namespace rtld
