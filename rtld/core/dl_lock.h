// The loader's lock: one recursive mutex serialises the dl API, dynamic TLS
// allocation and additions to an object's dependencies, so several threads
// may call them at once (constructors that dlopen re-enter it).
#pragma once

#include "rtld/core/diag.h"
#include "rtld/support/sys.h"

namespace rtld {

class DlLock {
 public:
  static void Acquire();
  static void Release();
  // The holder's recursion depth, and its restoration after an error
  // unwound past nested holders (RunCatching).
  static unsigned Depth();
  static void RestoreDepth(unsigned depth);
};

// Holds the lock for a scope.
class DlLockGuard {
 public:
  DlLockGuard() { DlLock::Acquire(); }
  ~DlLockGuard() { DlLock::Release(); }
  DlLockGuard(const DlLockGuard&) = delete;
  DlLockGuard& operator=(const DlLockGuard&) = delete;
};

// Runs fn with errors caught (Catching) by a thread holding the lock: an
// error that unwound past nested holders leaves the lock as it was here.
template <typename Fn>
inline bool CatchingLocked(CaughtError* error, Fn&& fn) {
  const unsigned depth = DlLock::Depth();
  if (Catching(error, fn)) return true;
  DlLock::RestoreDepth(depth);
  return false;
}

}  // namespace rtld
