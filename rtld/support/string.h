// String and memory helpers that are safe before self-relocation (no data
// with relocations, no calls through the GOT) and in hosted builds.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rtld::support {

inline size_t StrLen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

inline int StrCmp(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}

inline int StrNCmp(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i] || a[i] == 0)
      return static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]);
  }
  return 0;
}

inline bool StrEq(const char* a, const char* b) { return StrCmp(a, b) == 0; }

// Whether a[0, n) == b[0, n), eight bytes at a time (symbol names after a
// hash match: long mangled C++ names). Reads exactly n bytes of each.
inline bool MemEq(const char* a, const char* b, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    __builtin_memcpy(&x, a + i, 8);
    __builtin_memcpy(&y, b + i, 8);
    if (x != y) return false;
  }
  for (; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

inline bool StartsWith(const char* s, const char* prefix) {
  while (*prefix)
    if (*s++ != *prefix++) return false;
  return true;
}

inline const char* StrChr(const char* s, int c) {
  for (; *s; ++s)
    if (*s == c) return s;
  return c == 0 ? s : nullptr;
}

inline const char* StrRChr(const char* s, int c) {
  const char* last = nullptr;
  for (; *s; ++s)
    if (*s == c) last = s;
  return last;
}

inline void MemCpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  auto* s = static_cast<const unsigned char*>(src);
  for (size_t i = 0; i < n; ++i) d[i] = s[i];
}

inline void MemSet(void* dst, int c, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<unsigned char>(c);
}

inline int MemCmp(const void* a, const void* b, size_t n) {
  auto* x = static_cast<const unsigned char*>(a);
  auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}

// Parses a decimal or 0x-prefixed unsigned number; false on junk/overflow.
inline bool ParseUnsigned(const char* s, uint64_t& out) {
  uint64_t v = 0;
  unsigned base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2;
  if (!*s) return false;
  for (; *s; ++s) {
    unsigned d;
    if (*s >= '0' && *s <= '9') d = *s - '0';
    else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
    else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
    else return false;
    if (v > (UINT64_MAX - d) / base) return false;
    v = v * base + d;
  }
  out = v;
  return true;
}

}  // namespace rtld::support
