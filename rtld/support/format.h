// Formatting into a fixed buffer, flushed to a file descriptor by the
// caller's sink. No allocation; truncates rather than overflows.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "rtld/support/string.h"

namespace rtld::support {

class Buffer {
 public:
  Buffer(char* storage, size_t capacity) : data_(storage), cap_(capacity) {}

  Buffer& Str(const char* s) {
    if (s == nullptr) s = "(null)";
    while (*s) Char(*s++);
    return *this;
  }
  Buffer& Str(const char* s, size_t n) {
    for (size_t i = 0; i < n && s[i]; ++i) Char(s[i]);
    return *this;
  }
  Buffer& Char(char c) {
    if (len_ < cap_) data_[len_++] = c;
    else truncated_ = true;
    return *this;
  }
  Buffer& Dec(uint64_t v) {
    char tmp[24];
    int n = 0;
    do tmp[n++] = static_cast<char>('0' + v % 10), v /= 10;
    while (v);
    while (n) Char(tmp[--n]);
    return *this;
  }
  Buffer& SDec(int64_t v) {
    if (v < 0) {
      Char('-');
      return Dec(static_cast<uint64_t>(0) - static_cast<uint64_t>(v));
    }
    return Dec(static_cast<uint64_t>(v));
  }
  // Lower-case hex, zero-padded to at least `width` digits.
  Buffer& Hex(uint64_t v, int width = 1) {
    char tmp[16];
    int n = 0;
    do tmp[n++] = "0123456789abcdef"[v & 0xf], v >>= 4;
    while (v);
    for (int i = n; i < width; ++i) Char('0');
    while (n) Char(tmp[--n]);
    return *this;
  }
  // "0x" followed by 16 digits, as glibc prints addresses in ldd output.
  Buffer& Ptr(uint64_t v) { return Str("0x").Hex(v, 16); }

  const char* data() const { return data_; }
  size_t size() const { return len_; }
  bool truncated() const { return truncated_; }
  void Clear() { len_ = 0, truncated_ = false; }
  // NUL-terminates (overwriting the last byte if full) and returns the text.
  const char* CStr() {
    if (cap_ == 0) return "";
    if (len_ == cap_) --len_;
    data_[len_] = 0;
    return data_;
  }

 private:
  char* data_;
  size_t cap_;
  size_t len_ = 0;
  bool truncated_ = false;
};

}  // namespace rtld::support
