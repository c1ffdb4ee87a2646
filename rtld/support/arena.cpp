#include "rtld/support/arena.h"

#include "rtld/support/string.h"
#include "rtld/support/sys.h"

namespace rtld::support {

namespace {
constexpr size_t kChunk = 256 * 1024;
}

void* Arena::Allocate(size_t size, size_t align) {
  uintptr_t p = (cur_ + align - 1) & ~(uintptr_t{align} - 1);
  if (cur_ == 0 || p + size > end_ || p + size < p) {
    size_t len = size + align > kChunk ? (size + align + 4095) & ~size_t{4095} : kChunk;
    long r = sys::Mmap(nullptr, len, sys::kProtRead | sys::kProtWrite,
                       sys::kMapPrivate | sys::kMapAnonymous, -1, 0);
    if (sys::MmapFailed(r)) return nullptr;
    cur_ = static_cast<uintptr_t>(r);
    end_ = cur_ + len;
    p = (cur_ + align - 1) & ~(uintptr_t{align} - 1);
  }
  cur_ = p + size;
  return reinterpret_cast<void*>(p);  // fresh anonymous memory is zeroed
}

char* Arena::Dup(const char* s, size_t n) {
  char* d = static_cast<char*>(Allocate(n + 1, 1));
  if (d == nullptr) return nullptr;
  MemCpy(d, s, n);
  d[n] = 0;
  return d;
}

char* Arena::Dup(const char* s) { return Dup(s, StrLen(s)); }

}  // namespace rtld::support
