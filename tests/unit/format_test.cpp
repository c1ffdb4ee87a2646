// support::Buffer: number formatting against snprintf, and truncation
// instead of overflow.
#include "rtld/support/format.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

using rtld::support::Buffer;

namespace {

// Formats with `fn` into a buffer of `cap` bytes plus guard bytes; returns
// the text, or a description of the fault if the guards were written.
template <typename Fn>
std::string Fmt(Fn fn, size_t cap = 128) {
  std::vector<char> storage(cap + 4, '#');
  Buffer b(storage.data(), cap);
  fn(b);
  if (storage[cap] != '#') return "(wrote past capacity)";
  if (b.size() > cap) return "(size past capacity)";
  return std::string(b.data(), b.size());
}

std::string Printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Printf(const char* fmt, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

}  // namespace

TEST_CASE("Buffer::Dec and SDec print decimal, including the extremes", "[format]") {
  CHECK(Fmt([](Buffer& b) { b.Dec(0); }) == "0");
  CHECK(Fmt([](Buffer& b) { b.Dec(7); }) == "7");
  CHECK(Fmt([](Buffer& b) { b.Dec(10); }) == "10");
  CHECK(Fmt([](Buffer& b) { b.Dec(UINT64_MAX); }) == "18446744073709551615");
  CHECK(Fmt([](Buffer& b) { b.SDec(0); }) == "0");
  CHECK(Fmt([](Buffer& b) { b.SDec(-1); }) == "-1");
  CHECK(Fmt([](Buffer& b) { b.SDec(INT64_MAX); }) == "9223372036854775807");
  CHECK(Fmt([](Buffer& b) { b.SDec(INT64_MIN); }) == "-9223372036854775808");
  CHECK(Fmt([](Buffer& b) { b.SDec(INT64_MIN + 1); }) == "-9223372036854775807");
}

TEST_CASE("Buffer::Hex pads to a minimum width; Ptr is 0x and 16 digits", "[format]") {
  CHECK(Fmt([](Buffer& b) { b.Hex(0); }) == "0");
  CHECK(Fmt([](Buffer& b) { b.Hex(0xabc); }) == "abc");
  CHECK(Fmt([](Buffer& b) { b.Hex(0xabc, 8); }) == "00000abc");
  CHECK(Fmt([](Buffer& b) { b.Hex(0x12345, 2); }) == "12345");  // width is a minimum
  CHECK(Fmt([](Buffer& b) { b.Hex(0, 4); }) == "0000");
  CHECK(Fmt([](Buffer& b) { b.Hex(UINT64_MAX); }) == "ffffffffffffffff");
  CHECK(Fmt([](Buffer& b) { b.Hex(0xDEADBEEF); }) == "deadbeef");  // lower case
  CHECK(Fmt([](Buffer& b) { b.Hex(1, 20); }) == "00000000000000000001");
  CHECK(Fmt([](Buffer& b) { b.Ptr(0x7f); }) == "0x000000000000007f");
  CHECK(Fmt([](Buffer& b) { b.Ptr(0x7ffff7fc1000); }) == "0x00007ffff7fc1000");
  CHECK(Fmt([](Buffer& b) { b.Ptr(UINT64_MAX); }) == "0xffffffffffffffff");
}

TEST_CASE("Buffer numbers agree with snprintf", "[format]") {
  std::mt19937_64 rng(2024);
  for (int i = 0; i < 2000; ++i) {
    const uint64_t v = rng() >> (rng() % 64);
    const int64_t s = static_cast<int64_t>(rng()) >> (rng() % 64);
    const int w = static_cast<int>(rng() % 20);
    INFO("v=" << v << " s=" << s << " w=" << w);
    CHECK(Fmt([&](Buffer& b) { b.Dec(v); }) == Printf("%" PRIu64, v));
    CHECK(Fmt([&](Buffer& b) { b.SDec(s); }) == Printf("%" PRId64, s));
    CHECK(Fmt([&](Buffer& b) { b.Hex(v, w); }) == Printf("%0*" PRIx64, w == 0 ? 1 : w, v));
    CHECK(Fmt([&](Buffer& b) { b.Ptr(v); }) == Printf("0x%016" PRIx64, v));
  }
}

TEST_CASE("Buffer strings and characters", "[format]") {
  CHECK(Fmt([](Buffer& b) { b.Str("ld.so").Char(':').Char(' ').Str("x"); }) == "ld.so: x");
  CHECK(Fmt([](Buffer& b) { b.Str(nullptr); }) == "(null)");
  CHECK(Fmt([](Buffer& b) { b.Str(""); }) == "");
  CHECK(Fmt([](Buffer& b) { b.Str("abcdef", 3); }) == "abc");
  CHECK(Fmt([](Buffer& b) { b.Str("ab\0cd", 5); }) == "ab");  // stops at a NUL
  CHECK(Fmt([](Buffer& b) { b.Str("abc", 0); }) == "");
  CHECK(Fmt([](Buffer& b) { b.Str("x=").Dec(5).Str(" y=0x").Hex(255, 4); }) == "x=5 y=0x00ff");
}

TEST_CASE("Buffer truncates at capacity and says so", "[format]") {
  std::vector<char> storage(9, '#');
  Buffer b(storage.data(), 5);
  b.Str("hello");
  CHECK(b.size() == 5);
  CHECK_FALSE(b.truncated());
  b.Str(" world").Dec(12345).Char('!');
  CHECK(b.size() == 5);
  CHECK(b.truncated());
  CHECK(std::string(b.data(), b.size()) == "hello");
  CHECK(storage[5] == '#');
  // CStr overwrites the last byte with the NUL when full.
  CHECK(std::string(b.CStr()) == "hell");
  CHECK(storage[5] == '#');
  b.Clear();
  CHECK(b.size() == 0);
  CHECK_FALSE(b.truncated());
  b.Dec(42);
  CHECK(std::string(b.CStr()) == "42");

  // Numbers are cut digit by digit, most significant first.
  CHECK(Fmt([](Buffer& x) { x.Dec(1234567); }, 3) == "123");
  CHECK(Fmt([](Buffer& x) { x.SDec(-98765); }, 3) == "-98");
  CHECK(Fmt([](Buffer& x) { x.Ptr(0xabcdef); }, 6) == "0x0000");
  CHECK(Fmt([](Buffer& x) { x.Hex(0xabc, 6); }, 4) == "000a");

  // A zero-capacity buffer takes nothing and still gives a string.
  char none = '#';
  Buffer z(&none, 0);
  z.Str("abc");
  CHECK(z.size() == 0);
  CHECK(z.truncated());
  CHECK(std::string(z.CStr()).empty());
  CHECK(none == '#');
}
