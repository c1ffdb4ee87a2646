// ELF notes (PT_NOTE contents): the walk that finds NT_GNU_BUILD_ID, shared
// by the loader (object keys of the symbol cache) and the hosted tools.
// Header-only, freestanding-safe, bounds-checked against [p, end).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rtld::elf {

inline constexpr uint32_t kNtGnuBuildId = 3;  // NT_GNU_BUILD_ID (owner "GNU")

// Walks the notes in [p, end) for the GNU build ID; calls fn(desc, size)
// and returns true when found. A note running past end stops the walk.
template <typename Fn>
bool FindBuildIdNote(const char* p, const char* end, Fn&& fn) {
  while (end - p >= 12) {
    uint32_t namesz, descsz, type;
    __builtin_memcpy(&namesz, p, 4);
    __builtin_memcpy(&descsz, p + 4, 4);
    __builtin_memcpy(&type, p + 8, 4);
    const char* name = p + 12;
    const uint64_t name_span = (uint64_t{namesz} + 3) & ~uint64_t{3};
    const uint64_t desc_span = (uint64_t{descsz} + 3) & ~uint64_t{3};
    if (name_span > static_cast<uint64_t>(end - name)) return false;
    const char* desc = name + name_span;
    if (descsz > static_cast<uint64_t>(end - desc)) return false;
    if (type == kNtGnuBuildId && namesz == 4 && name[0] == 'G' && name[1] == 'N' && name[2] == 'U' && name[3] == 0) {
      fn(desc, descsz);
      return true;
    }
    if (desc_span > static_cast<uint64_t>(end - desc)) return false;
    p = desc + desc_span;
  }
  return false;
}

}  // namespace rtld::elf
