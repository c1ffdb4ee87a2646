// glibc 2.36's tunables as its libc reads them: __tunable_get_val(id, ...)
// with the ids of Debian 12's build, defaults, and values set through
// GLIBC_TUNABLES or the environment aliases (MALLOC_ARENA_MAX, ...).
#pragma once

#include <stdint.h>

namespace rtld::glibc {

// Reads GLIBC_TUNABLES and the aliases from the environment (secure mode
// drops the ones glibc drops there).
void InitTunables(char** envp, bool secure);

// Secure mode (AT_SECURE), as glibc 2.36's __tunables_init leaves the
// environment, in every personality. `suid_debug`: /etc/suid-debug exists,
// which makes glibc.malloc.check (MALLOC_CHECK_) usable.
//
// The GLIBC_TUNABLES value a secure process keeps, written over `value` (a
// copy the caller owns): parse_tunables' rewrite in place (Debian 12's
// glibc 2.36, with the CVE-2023-4911 fix), which keeps the known tunables
// whose level is not SXID_ERASE as name=value, ':'-separated, in order.
void FilterTunablesForSecure(char* value, bool suid_debug);
// Whether a "NAME=value" entry is the alias of an SXID_ERASE tunable
// (MALLOC_CHECK_ without /etc/suid-debug, LD_HWCAP_MASK): removed.
bool ErasedInSecureMode(const char* entry, bool suid_debug);

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
  kTunMallocCheck = 36,
  kTunCount = 37,
};

}  // namespace rtld::glibc
