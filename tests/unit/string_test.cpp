// support string and memory helpers, against the C library's.
#include "rtld/support/string.h"

#include <string.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "reference.h"

namespace s = rtld::support;
using unit::Sign;

namespace {

const std::vector<std::string>& Words() {
  static const std::vector<std::string> w = {"",      "a",     "b",  "ab",       "abc",
                                             "abd",   "abcd",  "A",  "\x80",     "\xff",
                                             "a\xff", "a\x01", "zz", "libc.so.6"};
  return w;
}

}  // namespace

TEST_CASE("StrLen, StrCmp, StrNCmp and StrEq agree with the C library", "[string]") {
  for (const auto& a : Words()) {
    CHECK(s::StrLen(a.c_str()) == strlen(a.c_str()));
    for (const auto& b : Words()) {
      INFO("\"" << a << "\" vs \"" << b << "\"");
      // Sign as strcmp: bytes compare as unsigned char.
      CHECK(Sign(s::StrCmp(a.c_str(), b.c_str())) == Sign(strcmp(a.c_str(), b.c_str())));
      CHECK(s::StrEq(a.c_str(), b.c_str()) == (a == b));
      for (size_t n = 0; n <= 5; ++n)
        CHECK(Sign(s::StrNCmp(a.c_str(), b.c_str(), n)) == Sign(strncmp(a.c_str(), b.c_str(), n)));
    }
  }
}

TEST_CASE("StrChr and StrRChr find bytes and the terminator as strchr does", "[string]") {
  const char* text = "/usr/lib/x86_64-linux-gnu";
  for (int c : {int{'/'}, int{'u'}, int{'x'}, int{'-'}, int{'q'}, 0}) {
    INFO("char " << c);
    CHECK(s::StrChr(text, c) == strchr(text, c));
    if (c != 0) CHECK(s::StrRChr(text, c) == strrchr(text, c));
  }
  CHECK(s::StrChr("", 'a') == nullptr);
  const char* empty = "";
  CHECK(s::StrChr(empty, 0) == empty);
  CHECK(s::StrRChr("abc", 'z') == nullptr);
}

TEST_CASE("StartsWith", "[string]") {
  CHECK(s::StartsWith("LD_LIBRARY_PATH=/x", "LD_LIBRARY_PATH="));
  CHECK(s::StartsWith("abc", ""));
  CHECK(s::StartsWith("", ""));
  CHECK(s::StartsWith("abc", "abc"));
  CHECK_FALSE(s::StartsWith("ab", "abc"));
  CHECK_FALSE(s::StartsWith("LD_PRELOAD", "LD_LIBRARY"));
}

TEST_CASE("MemCpy, MemSet and MemCmp agree with the C library", "[string]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const size_t n = rng() % 64;
    std::vector<unsigned char> a(n + 2), b(n + 2);
    for (auto& x : a) x = static_cast<unsigned char>(rng());
    b = a;
    if (n > 0 && rng() % 2) b[rng() % n] ^= static_cast<unsigned char>(1 + rng() % 255);
    INFO("round " << round << " n " << n);
    CHECK(Sign(s::MemCmp(a.data(), b.data(), n)) == Sign(memcmp(a.data(), b.data(), n)));

    std::vector<unsigned char> dst(n + 2, 0xee);
    s::MemCpy(dst.data(), a.data(), n);
    CHECK(memcmp(dst.data(), a.data(), n) == 0);
    CHECK(dst[n] == 0xee);

    const int c = static_cast<int>(rng() % 256);
    s::MemSet(dst.data(), c, n);
    for (size_t i = 0; i < n; ++i) CHECK(dst[i] == c);
    CHECK(dst[n] == 0xee);
  }
}

TEST_CASE("ParseUnsigned: decimal and 0x hex, refusing junk and overflow", "[string]") {
  struct {
    const char* in;
    bool ok;
    uint64_t value;
  } cases[] = {
      {"0", true, 0},
      {"42", true, 42},
      {"007", true, 7},
      {"18446744073709551615", true, UINT64_MAX},
      {"18446744073709551616", false, 0},
      {"99999999999999999999", false, 0},
      {"0x0", true, 0},
      {"0x1F", true, 31},
      {"0X1f", true, 31},
      {"0xffffffffffffffff", true, UINT64_MAX},
      {"0x10000000000000000", false, 0},
      {"", false, 0},
      {"0x", false, 0},
      {"-1", false, 0},
      {"+1", false, 0},
      {" 1", false, 0},
      {"1 ", false, 0},
      {"12a", false, 0},
      {"ff", false, 0},  // hex needs the prefix
      {"0xg", false, 0},
  };
  for (const auto& c : cases) {
    INFO("\"" << c.in << "\"");
    uint64_t out = 0xdeadbeef;
    CHECK(s::ParseUnsigned(c.in, out) == c.ok);
    CHECK(out == (c.ok ? c.value : uint64_t{0xdeadbeef}));  // untouched on failure
  }
}
