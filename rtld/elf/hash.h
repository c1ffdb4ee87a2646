// Symbol hash functions (gABI SysV hash and the GNU hash) and the hashed
// name a lookup carries: each name is hashed once per lookup, the SysV hash
// only when an object without DT_GNU_HASH asks for it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rtld::elf {

constexpr uint32_t GnuHash(const char* name) {
  uint32_t h = 5381;
  for (; *name; ++name) h = h * 33 + static_cast<unsigned char>(*name);
  return h;
}

constexpr uint32_t SysvHash(const char* name) {
  uint32_t h = 0;
  for (; *name; ++name) {
    h = (h << 4) + static_cast<unsigned char>(*name);
    uint32_t g = h & 0xf0000000u;
    h ^= g >> 24;
    h &= ~g;
  }
  return h;
}

// A name with its GNU hash and length computed once and its SysV hash
// computed on first need.
struct HashedName {
  const char* name;
  uint32_t gnu;
  uint32_t sysv = 0;
  bool sysv_known = false;
  size_t len = 0;

  constexpr explicit HashedName(const char* n) : name(n), gnu(5381) {
    const char* p = n;
    for (; *p; ++p) gnu = gnu * 33 + static_cast<unsigned char>(*p);
    len = static_cast<size_t>(p - n);
  }
  constexpr HashedName(const char* n, uint32_t gnu_hash) : name(n), gnu(gnu_hash) {
    while (n[len]) ++len;
  }

  constexpr uint32_t Sysv() {
    if (!sysv_known) {
      sysv = SysvHash(name);
      sysv_known = true;
    }
    return sysv;
  }
};

}  // namespace rtld::elf
