// The loader's allocator: size classes over anonymous mappings. Start-up
// allocates by bumping a pointer; objects that dlclose unloads give their
// records back (Free), and later loads reuse them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <new>  // placement new only (header-only in freestanding builds)

namespace rtld::support {

class Arena {
 public:
  // Returns zeroed memory aligned to `align` (a power of two), or nullptr
  // if the kernel refuses memory. Blocks with align <= 16 can be freed;
  // more strictly aligned ones live as long as the process.
  void* Allocate(size_t size, size_t align = 16);

  // Gives back a block from Allocate (align <= 16); nullptr is ignored.
  void Free(void* p);

  // Constructs count value-initialised objects (default member
  // initialisers apply).
  template <typename T>
  T* New(size_t count = 1) {
    void* p = Allocate(sizeof(T) * count, alignof(T));
    if (p == nullptr) return nullptr;
    T* first = static_cast<T*>(p);
    for (size_t i = 0; i < count; ++i) ::new (static_cast<void*>(first + i)) T();
    return first;
  }

  // A NUL-terminated copy of s[0, n).
  char* Dup(const char* s, size_t n);
  char* Dup(const char* s);

  // Bytes currently handed out in freeable blocks (headers included).
  size_t InUse() const { return in_use_; }

 private:
  static constexpr unsigned kClasses = 12;  // 32 bytes .. 64 KiB
  void* Bump(size_t size, size_t align);

  uintptr_t cur_ = 0;
  uintptr_t end_ = 0;
  void* free_[kClasses] = {};
  size_t in_use_ = 0;
};

}  // namespace rtld::support
