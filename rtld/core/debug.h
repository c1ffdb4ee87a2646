// LD_DEBUG: what the loader does, as lines in glibc's format
// ("     PID:\tTEXT") on stderr or in LD_DEBUG_OUTPUT.PID. Each category is a
// bit tested before any formatting, so a disabled category costs a load and
// a branch.
#pragma once

#include <stdint.h>

#include "rtld/core/diag.h"

namespace rtld {

enum DebugCategory : uint32_t {
  kDebugLibs = 1u << 0,
  kDebugReloc = 1u << 1,
  kDebugFiles = 1u << 2,
  kDebugSymbols = 1u << 3,
  kDebugBindings = 1u << 4,
  kDebugVersions = 1u << 5,
  kDebugScopes = 1u << 6,
  kDebugTls = 1u << 7,
  kDebugStatistics = 1u << 8,
  kDebugSymcache = 1u << 9,
};

extern uint32_t g_debug_mask;

inline bool Debugging(uint32_t categories) { return (g_debug_mask & categories) != 0; }

// Sets the categories from LD_DEBUG's value ("help" prints them and exits)
// and opens LD_DEBUG_OUTPUT (nullptr: stderr).
void ConfigureDebug(const char* categories, const char* output);

// Writes one line: the PID prefix, then what fn(Buffer&) appends.
void DebugWrite(void (*fn)(support::Buffer&, const void*), const void* ctx);

template <typename Fn>
inline void DebugLine(const Fn& fn) {
  DebugWrite([](support::Buffer& b, const void* c) { (*static_cast<const Fn*>(c))(b); }, &fn);
}

}  // namespace rtld
