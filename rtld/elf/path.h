// Dynamic string tokens in search paths and DT_NEEDED names: $ORIGIN,
// $LIB and $PLATFORM, bare or braced. Pure string work into a caller's
// buffer.
#pragma once

#include <stddef.h>

#include "rtld/support/string.h"

namespace rtld::elf {

struct DstValues {
  const char* origin;    // directory of the object; nullptr: unknown
  const char* lib;       // "lib/x86_64-linux-gnu" on Debian x86-64
  const char* platform;  // "x86_64"
};

// Recognises a token at s[0, avail) (just after '$'); sets *len to the
// characters consumed and returns its value, or nullptr for an unknown token
// (then the '$' is copied literally, as glibc does).
inline const char* MatchDst(const char* s, size_t avail, const DstValues& v, size_t* len,
                            bool* is_origin) {
  struct Token {
    const char* name;
    size_t n;
    const char* value;
  };
  const Token tokens[] = {{"ORIGIN", 6, v.origin}, {"LIB", 3, v.lib}, {"PLATFORM", 8, v.platform}};
  for (unsigned t = 0; t < 3; ++t) {
    const Token& tok = tokens[t];
    *is_origin = t == 0;
    if (avail >= tok.n && support::StrNCmp(s, tok.name, tok.n) == 0) {
      // The bare form ends at a character that cannot continue a name.
      const char c = avail > tok.n ? s[tok.n] : 0;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
        continue;
      *len = tok.n;
      return tok.value ? tok.value : "";
    }
    if (avail >= tok.n + 2 && s[0] == '{' && support::StrNCmp(s + 1, tok.name, tok.n) == 0 &&
        s[tok.n + 1] == '}') {
      *len = tok.n + 2;
      return tok.value ? tok.value : "";
    }
  }
  return nullptr;
}

enum class ExpandResult { kOk, kTooLong, kUnusable };

// Expands the tokens of in[0, n) into out (NUL-terminated). kUnusable: the
// element names $ORIGIN and the origin is unknown, or `secure` forbids it;
// the caller drops such a path element, as glibc does.
inline ExpandResult ExpandDst(const char* in, size_t n, const DstValues& v, bool secure, char* out,
                              size_t cap) {
  if (cap == 0) return ExpandResult::kTooLong;
  size_t o = 0;
  for (size_t i = 0; i < n; ++i) {
    if (in[i] == '$') {
      size_t len = 0;
      bool is_origin = false;
      const char* value = MatchDst(in + i + 1, n - i - 1, v, &len, &is_origin);
      if (value != nullptr) {
        if (is_origin && (v.origin == nullptr || secure)) return ExpandResult::kUnusable;
        for (const char* p = value; *p; ++p) {
          if (o + 1 >= cap) return ExpandResult::kTooLong;
          out[o++] = *p;
        }
        i += len;
        continue;
      }
    }
    if (o + 1 >= cap) return ExpandResult::kTooLong;
    out[o++] = in[i];
  }
  out[o] = 0;
  return ExpandResult::kOk;
}

// Splits a list at any of the separator characters (":" for DT_RPATH and
// DT_RUNPATH, ":;" for LD_LIBRARY_PATH, ": " for LD_PRELOAD, as glibc
// does). Calls fn(start, length) for each element, including empty ones (an
// empty directory element means the current directory); stops when fn
// returns false.
template <typename Fn>
inline void ForEachPathElement(const char* list, const char* separators, Fn&& fn) {
  const char* start = list;
  for (const char* p = list;; ++p) {
    if (*p == 0 || support::StrChr(separators, *p) != nullptr) {
      if (!fn(start, static_cast<size_t>(p - start))) return;
      if (*p == 0) return;
      start = p + 1;
    }
  }
}

}  // namespace rtld::elf
