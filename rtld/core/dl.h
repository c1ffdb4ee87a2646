// Loading and unloading at run time: the operations behind dlopen and
// dlclose, and the queries behind dlsym, dladdr, dlinfo and
// dl_iterate_phdr. Callers hold the loader's lock (DlLock); errors are
// raised with Fatal and caught by the dl API entry points (RunCatching).
#pragma once

#include <stdint.h>

#include "rtld/core/module.h"
#include "rtld/elf/types.h"

namespace rtld {

// dlopen's mode bits (glibc's values).
enum DlMode : int {
  kRtldLazy = 0x1,
  kRtldNow = 0x2,
  kRtldBindingMask = 0x3,
  kRtldNoload = 0x4,
  kRtldDeepbind = 0x8,
  kRtldGlobal = 0x100,
  kRtldNodelete = 0x1000,
};

// Opens `file` (nullptr: the program) as requested from `caller`'s object,
// with its dependencies, relocated and initialised. Returns the object,
// or nullptr for RTLD_NOLOAD of an object that is not loaded. A failure
// unloads whatever this call loaded and raises the error.
Module* Open(const char* file, int mode, Module* caller);

// Drops one reference taken by Open and unloads every object no longer
// used (finalisers first). Raises "shared object not open" for a handle
// that is not open.
void Close(Module* handle);

// Whether h is a loaded object (a valid handle).
bool IsLoaded(const void* h);

// The loaded object whose segments contain addr, or nullptr.
Module* ObjectContaining(uint64_t addr);

// The value of a symbol found for dlsym/dlvsym: the TLS address for the
// calling thread, an IFUNC's choice, or the address.
uint64_t SymbolValue(const Module& m, const elf::Sym& s);

// The object whose symbol is nearest at or below addr in m (dladdr), or
// nullptr: glibc's rule (covering symbol, else one of size 0 at addr).
const elf::Sym* NearestSymbol(const Module& m, uint64_t addr);

// Raises the undefined-symbol error of a dl lookup.
[[noreturn]] void UndefinedSymbol(const Module& reference, const char* name, const char* version);

}  // namespace rtld
