// Reference implementations the unit tests compare rtld's headers with.
// Each is written from its specification (gABI, glibc's documented
// behaviour, the RELR proposal), deliberately in a different shape from
// the code under test, so that a shared mistake is unlikely.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <vector>

namespace unit {

// DJB hash as the GNU hash section defines it: h = h * 33 + c, from 5381.
inline uint32_t RefGnuHash(const std::string& s) {
  uint32_t h = 5381;
  for (unsigned char c : s) h = (h << 5) + h + c;
  return h;
}

// gABI "ELF hash" (System V ABI, figure 5-13), with its conditional step.
inline uint32_t RefElfHash(const std::string& s) {
  unsigned long h = 0;
  for (unsigned char c : s) {
    h = (h << 4) + c;
    unsigned long g = h & 0xf0000000ul;
    if (g != 0) h ^= g >> 24;
    h &= ~g;
  }
  return static_cast<uint32_t>(h);
}

// glibc's _dl_cache_libcmp (elf/dl-cache.c), which ldconfig uses to sort
// /etc/ld.so.cache: digit runs compare as numbers; other characters compare
// as `char`, which is signed on x86-64.
inline int RefCacheLibCmp(const char* p1, const char* p2) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (*p1 != '\0') {
    if (digit(*p1)) {
      if (!digit(*p2)) return 1;
      long v1 = *p1++ - '0';
      long v2 = *p2++ - '0';
      while (digit(*p1)) v1 = v1 * 10 + (*p1++ - '0');
      while (digit(*p2)) v2 = v2 * 10 + (*p2++ - '0');
      if (v1 != v2) return v1 < v2 ? -1 : 1;
    } else if (digit(*p2)) {
      return -1;
    } else if (*p1 != *p2) {
      return static_cast<signed char>(*p1) - static_cast<signed char>(*p2);
    } else {
      ++p1;
      ++p2;
    }
  }
  return static_cast<signed char>(*p1) - static_cast<signed char>(*p2);
}

inline int Sign(long v) { return (v > 0) - (v < 0); }

// RELR encoder (the SHT_RELR proposal, as lld writes it): sorted,
// 8-byte-aligned offsets to an address entry followed by bitmaps of 63
// words each.
inline std::vector<uint64_t> RefRelrEncode(const std::vector<uint64_t>& offsets) {
  std::vector<uint64_t> out;
  size_t i = 0;
  while (i < offsets.size()) {
    const uint64_t base = offsets[i++];
    out.push_back(base);
    uint64_t next = base + 8;  // first word the next bitmap describes
    for (;;) {
      uint64_t bits = 0;
      while (i < offsets.size() && offsets[i] >= next && offsets[i] < next + 63 * 8) {
        bits |= uint64_t{1} << ((offsets[i] - next) / 8);
        ++i;
      }
      if (bits == 0) break;
      out.push_back((bits << 1) | 1);
      next += 63 * 8;
    }
  }
  return out;
}

}  // namespace unit
