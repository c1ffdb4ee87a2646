// glibc 2.36's tunables as its libc reads them: __tunable_get_val(id, ...)
// with the ids of Debian 12's build, defaults, and values set through
// GLIBC_TUNABLES or the environment aliases (MALLOC_ARENA_MAX, ...).
#pragma once

#include <stdint.h>

namespace rtld::glibc {

// Reads GLIBC_TUNABLES and the aliases from the environment (secure mode
// drops the ones glibc drops there).
void InitTunables(char** envp, bool secure);

// A tunable's value as a number (the loader's own reads: nns,
// optional_static_tls, x86 cache settings, rseq).
int64_t TunableNumber(unsigned id);
bool TunableIsSet(unsigned id);

enum TunableId : unsigned {
  kTunRtldNns = 0,
  kTunX86SharedCacheSize = 4,
  kTunPthreadRseq = 5,
  kTunX86RepMovsbThreshold = 10,
  kTunX86RepStosbThreshold = 15,
  kTunX86NonTemporalThreshold = 16,
  kTunX86DataCacheSize = 29,
  kTunRtldOptionalStaticTls = 34,
  kTunCount = 37,
};

}  // namespace rtld::glibc
