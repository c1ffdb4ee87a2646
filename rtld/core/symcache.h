// The loader's side of the shared symbol cache (DESIGN §6): recording the
// bindings of a start-up for the cache tools (--record-bindings), and
// replacing symbolic lookups with a binding closure read from the cache.
#pragma once

#include <stdint.h>

#include "rtld/core/lookup.h"
#include "rtld/core/module.h"

namespace rtld::symcache {

// Recording (--record-bindings; callers check g.opt.record_bindings):
// every resolution ResolveSymbol makes is noted; a reference
// resolved differently by two relocation kinds (a PLT slot and a data
// reference of a non-PIE program, a copy relocation) is left out.
void Record(Module& from, uint32_t symndx, const Definition& d);
// Writes the recording of the initial objects to g.opt.record_bindings
// and exits (0, or 127 with a message when the file cannot be written).
[[noreturn]] void WriteRecordingAndExit();

// The closure for this start-up, if the cache is configured and has one:
// decided once the initial objects are loaded.
void Attach();

// The closure's answer for symbol symndx of m: true with *d set (module
// nullptr for an unresolved weak reference), or false (not recorded: look
// it up).
bool Lookup(const Module& m, uint32_t symndx, Definition* d);

// Whether lookups may use the closure (the global scope is the one it was
// computed for).
extern bool g_closure_usable;

// Counters for LD_DEBUG=statistics.
struct Stats {
  uint64_t hits = 0, misses = 0;
  const char* state = "off";  // off, no file, rejected, miss, hit
};
extern Stats g_stats;

}  // namespace rtld::symcache
