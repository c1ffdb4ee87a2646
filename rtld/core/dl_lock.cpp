#include "rtld/core/dl_lock.h"

namespace rtld {

namespace {

// 0 free, 1 held, 2 held with waiters (a futex mutex), plus the owner
// (its thread pointer) and the recursion depth.
int g_word = 0;
void* g_owner = nullptr;
unsigned g_depth = 0;

}  // namespace

void DlLock::Acquire() {
  void* self = CurrentThread();
  if (__atomic_load_n(&g_owner, __ATOMIC_RELAXED) == self) {
    ++g_depth;
    return;
  }
  int expected = 0;
  if (!__atomic_compare_exchange_n(&g_word, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    while (__atomic_exchange_n(&g_word, 2, __ATOMIC_ACQUIRE) != 0) sys::FutexWait(&g_word, 2);
  }
  __atomic_store_n(&g_owner, self, __ATOMIC_RELAXED);
  g_depth = 1;
}

void DlLock::Release() {
  if (--g_depth != 0) return;
  __atomic_store_n(&g_owner, nullptr, __ATOMIC_RELAXED);
  if (__atomic_exchange_n(&g_word, 0, __ATOMIC_RELEASE) == 2) sys::FutexWake(&g_word, 1);
}

unsigned DlLock::Depth() { return g_depth; }

void DlLock::RestoreDepth(unsigned depth) { g_depth = depth; }

}  // namespace rtld
