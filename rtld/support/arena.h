// Bump allocator over anonymous mappings for the loader's own records.
// Nothing is freed one by one at start-up; chunks come from mmap.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <new>  // placement new only (header-only in freestanding builds)

namespace rtld::support {

class Arena {
 public:
  // Returns zeroed memory aligned to `align` (a power of two), or nullptr
  // if the kernel refuses memory.
  void* Allocate(size_t size, size_t align = 16);

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

 private:
  uintptr_t cur_ = 0;
  uintptr_t end_ = 0;
};

}  // namespace rtld::support
