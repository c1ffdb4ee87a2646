// support::Arena, the loader's allocator for its records: alignment, fresh
// zeroed memory, large requests, and construction of objects with default
// member initialisers (a raw allocation once left them unset, so absent
// DT_RPATH/DT_RUNPATH offsets read as 0 instead of "absent").
#include "rtld/support/arena.h"

#include <stdint.h>
#include <string.h>

#include <catch2/catch.hpp>

namespace {

struct WithDefaults {
  uint64_t absent = ~uint64_t{0};
  int count = 7;
  const char* name = "unset";
  bool flag = false;
};

}  // namespace

TEST_CASE("New constructs every object with its default member initialisers", "[arena]") {
  rtld::support::Arena arena;
  WithDefaults* one = arena.New<WithDefaults>();
  REQUIRE(one != nullptr);
  CHECK(one->absent == ~uint64_t{0});
  CHECK(one->count == 7);
  CHECK(strcmp(one->name, "unset") == 0);
  WithDefaults* many = arena.New<WithDefaults>(100);
  REQUIRE(many != nullptr);
  for (int i = 0; i < 100; ++i) {
    CHECK(many[i].absent == ~uint64_t{0});
    CHECK(many[i].count == 7);
  }
  // Distinct objects, not overlapping.
  CHECK(reinterpret_cast<uintptr_t>(many) >= reinterpret_cast<uintptr_t>(one + 1));
}

TEST_CASE("Allocate honours alignment and returns zeroed, writable memory", "[arena]") {
  rtld::support::Arena arena;
  for (size_t align : {size_t{1}, size_t{8}, size_t{16}, size_t{64}, size_t{4096}}) {
    for (size_t size : {size_t{1}, size_t{3}, size_t{100}, size_t{5000}}) {
      auto* p = static_cast<unsigned char*>(arena.Allocate(size, align));
      REQUIRE(p != nullptr);
      CHECK(reinterpret_cast<uintptr_t>(p) % align == 0);
      bool zero = true;
      for (size_t i = 0; i < size; ++i) zero &= p[i] == 0;
      CHECK(zero);
      memset(p, 0xab, size);
    }
  }
}

TEST_CASE("Requests larger than a chunk get their own mapping", "[arena]") {
  rtld::support::Arena arena;
  const size_t big = 3 * 1024 * 1024;
  auto* p = static_cast<unsigned char*>(arena.Allocate(big, 64));
  REQUIRE(p != nullptr);
  CHECK(p[0] == 0);
  CHECK(p[big - 1] == 0);
  p[big - 1] = 1;
  auto* q = static_cast<unsigned char*>(arena.Allocate(16));
  REQUIRE(q != nullptr);
  CHECK((q + 16 <= p || q >= p + big));
}

TEST_CASE("Dup copies and terminates", "[arena]") {
  rtld::support::Arena arena;
  char* a = arena.Dup("libfoo.so.1");
  REQUIRE(a != nullptr);
  CHECK(strcmp(a, "libfoo.so.1") == 0);
  char* b = arena.Dup("abcdef", 3);
  REQUIRE(b != nullptr);
  CHECK(strcmp(b, "abc") == 0);
  CHECK(a != b);
}
