#include "rtld/support/arena.h"

#include "rtld/support/string.h"
#include "rtld/support/sys.h"

namespace rtld::support {

namespace {

constexpr size_t kChunk = 256 * 1024;
constexpr size_t kHeader = 16;  // keeps payloads 16-byte aligned
constexpr size_t kMinClass = 32;
constexpr uint64_t kBig = uint64_t{1} << 63;  // header flag: a mapping of its own

// Block header: the class index, or kBig | mapping length.
struct Header {
  uint64_t tag;
  uint64_t pad;
};

unsigned ClassOf(size_t total) {
  unsigned c = 0;
  for (size_t s = kMinClass; s < total; s <<= 1) ++c;
  return c;
}

}  // namespace

void* Arena::Bump(size_t size, size_t align) {
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

void* Arena::Allocate(size_t size, size_t align) {
  if (align > kHeader) return Bump(size, align);
  if (size > (size_t{1} << 40)) return nullptr;
  const size_t total = size + kHeader;
  const unsigned c = ClassOf(total);
  Header* h;
  if (c >= kClasses) {
    const size_t len = (total + 4095) & ~size_t{4095};
    long r = sys::Mmap(nullptr, len, sys::kProtRead | sys::kProtWrite,
                       sys::kMapPrivate | sys::kMapAnonymous, -1, 0);
    if (sys::MmapFailed(r)) return nullptr;
    h = reinterpret_cast<Header*>(r);
    h->tag = kBig | len;
    in_use_ += len;
    return h + 1;
  }
  const size_t class_size = kMinClass << c;
  if (free_[c] != nullptr) {
    h = static_cast<Header*>(free_[c]);
    free_[c] = *reinterpret_cast<void**>(h + 1);
    MemSet(h + 1, 0, class_size - kHeader);
  } else {
    h = static_cast<Header*>(Bump(class_size, kHeader));
    if (h == nullptr) return nullptr;
  }
  h->tag = c;
  in_use_ += class_size;
  return h + 1;
}

void Arena::Free(void* p) {
  if (p == nullptr) return;
  Header* h = static_cast<Header*>(p) - 1;
  if (h->tag & kBig) {
    const size_t len = h->tag & ~kBig;
    in_use_ -= len;
    sys::Munmap(h, len);
    return;
  }
  const unsigned c = static_cast<unsigned>(h->tag);
  if (c >= kClasses) return;  // not a block of ours: leave it
  in_use_ -= kMinClass << c;
  *static_cast<void**>(p) = free_[c];
  free_[c] = h;
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
