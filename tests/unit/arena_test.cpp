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

TEST_CASE("Freed blocks are reused, zeroed, by requests of their size class", "[arena]") {
  rtld::support::Arena arena;
  auto* a = static_cast<unsigned char*>(arena.Allocate(200));
  REQUIRE(a != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(a) % 16 == 0);
  memset(a, 0xcd, 200);
  const size_t used = arena.InUse();
  CHECK(used >= 200);
  arena.Free(a);
  CHECK(arena.InUse() == 0);  // the only block is back
  auto* b = static_cast<unsigned char*>(arena.Allocate(180));  // same class
  CHECK(b == a);
  bool zero = true;
  for (size_t i = 0; i < 180; ++i) zero &= b[i] == 0;
  CHECK(zero);
  // A different class does not take it.
  arena.Free(b);
  auto* c = static_cast<unsigned char*>(arena.Allocate(20));
  CHECK(c != a);
  arena.Free(nullptr);  // ignored
}

TEST_CASE("Large freeable blocks are mappings of their own, returned on Free", "[arena]") {
  rtld::support::Arena arena;
  const size_t big = 200 * 1024;
  auto* p = static_cast<unsigned char*>(arena.Allocate(big));
  REQUIRE(p != nullptr);
  p[big - 1] = 1;
  CHECK(arena.InUse() >= big);
  arena.Free(p);
  CHECK(arena.InUse() == 0);
  // 1000 allocate/free cycles of mixed sizes keep the footprint flat.
  for (int i = 0; i < 1000; ++i) {
    void* x = arena.Allocate(static_cast<size_t>(16 + (i % 7) * 100));
    void* y = arena.Allocate(600);
    arena.Free(x);
    arena.Free(y);
  }
  CHECK(arena.InUse() == 0);
}
