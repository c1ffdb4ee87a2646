// Dynamic string tokens ($ORIGIN, $LIB, $PLATFORM; glibc's is_dst and
// _dl_dst_substitute rules) and search-list splitting.
#include "rtld/elf/path.h"

#include <string.h>

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

using rtld::elf::DstValues;
using rtld::elf::ExpandDst;
using rtld::elf::ExpandResult;
using rtld::elf::ForEachPathElement;

namespace {

const DstValues kValues{"/opt/app/bin", "lib/x86_64-linux-gnu", "x86_64"};

const char* Name(ExpandResult r) {
  switch (r) {
    case ExpandResult::kOk: return "kOk";
    case ExpandResult::kTooLong: return "kTooLong";
    case ExpandResult::kUnusable: return "kUnusable";
  }
  return "?";
}

// "kOk:<text>", or the result's name; a description of the fault if the
// output broke the contract (past cap, no NUL).
std::string Expand(const std::string& in, const DstValues& v = kValues, bool secure = false,
                   size_t cap = 4096) {
  std::vector<char> out(cap + 1, '#');  // one guard byte past cap
  const ExpandResult r = ExpandDst(in.data(), in.size(), v, secure, out.data(), cap);
  if (out[cap] != '#') return std::string(Name(r)) + ", but wrote past cap";
  if (r != ExpandResult::kOk) return Name(r);
  if (memchr(out.data(), 0, cap) == nullptr) return "kOk, but no NUL inside cap";
  return std::string("kOk:") + out.data();
}

}  // namespace

TEST_CASE("ExpandDst substitutes $ORIGIN, $LIB and $PLATFORM, bare and braced", "[path]") {
  CHECK(Expand("$ORIGIN") == "kOk:/opt/app/bin");
  CHECK(Expand("$ORIGIN/../lib") == "kOk:/opt/app/bin/../lib");
  CHECK(Expand("${ORIGIN}/../lib") == "kOk:/opt/app/bin/../lib");
  CHECK(Expand("/usr/$LIB/tls") == "kOk:/usr/lib/x86_64-linux-gnu/tls");
  CHECK(Expand("/usr/${LIB}") == "kOk:/usr/lib/x86_64-linux-gnu");
  CHECK(Expand("/p/$PLATFORM/x") == "kOk:/p/x86_64/x");
  CHECK(Expand("/p/${PLATFORM}") == "kOk:/p/x86_64");
  CHECK(Expand("$ORIGIN/$LIB/$PLATFORM") == "kOk:/opt/app/bin/lib/x86_64-linux-gnu/x86_64");
  // Braced tokens may be followed by anything.
  CHECK(Expand("/a/${LIB}b") == "kOk:/a/lib/x86_64-linux-gnub");
  CHECK(Expand("${ORIGIN}${ORIGIN}") == "kOk:/opt/app/bin/opt/app/bin");
  // A bare token ends at any character that cannot continue a name.
  CHECK(Expand("$ORIGIN-x") == "kOk:/opt/app/bin-x");
  CHECK(Expand("$LIB.so") == "kOk:lib/x86_64-linux-gnu.so");
  CHECK(Expand("$PLATFORM:") == "kOk:x86_64:");
}

TEST_CASE("ExpandDst copies what is not a known token", "[path]") {
  CHECK(Expand("") == "kOk:");
  CHECK(Expand("/usr/lib") == "kOk:/usr/lib");
  CHECK(Expand("$FOO/bar") == "kOk:$FOO/bar");
  CHECK(Expand("${FOO}/bar") == "kOk:${FOO}/bar");
  CHECK(Expand("$") == "kOk:$");
  CHECK(Expand("a$") == "kOk:a$");
  CHECK(Expand("$ORIGINX") == "kOk:$ORIGINX");
  CHECK(Expand("$ORIGIN_/a") == "kOk:$ORIGIN_/a");
  CHECK(Expand("$ORIGIN9") == "kOk:$ORIGIN9");
  CHECK(Expand("$LIBRARY") == "kOk:$LIBRARY");
  CHECK(Expand("$PLATFORMS") == "kOk:$PLATFORMS");
  CHECK(Expand("${ORIGIN") == "kOk:${ORIGIN");
  CHECK(Expand("${ORIGIN]") == "kOk:${ORIGIN]");
  CHECK(Expand("$origin") == "kOk:$origin");
  CHECK(Expand("${LIB }") == "kOk:${LIB }");
  // The first '$' is literal, the second starts a token.
  CHECK(Expand("$$ORIGIN") == "kOk:$/opt/app/bin");
}

TEST_CASE("ExpandDst: $ORIGIN with an unknown origin, or in secure mode, is unusable", "[path]") {
  const DstValues no_origin{nullptr, "lib/x86_64-linux-gnu", "x86_64"};
  CHECK(Expand("$ORIGIN", no_origin) == "kUnusable");
  CHECK(Expand("${ORIGIN}/lib", no_origin) == "kUnusable");
  CHECK(Expand("/x/$LIB/$ORIGIN", no_origin) == "kUnusable");
  CHECK(Expand("/usr/$LIB", no_origin) == "kOk:/usr/lib/x86_64-linux-gnu");
  CHECK(Expand("$ORIGINAL", no_origin) == "kOk:$ORIGINAL");  // not the token

  CHECK(Expand("$ORIGIN", kValues, /*secure=*/true) == "kUnusable");
  CHECK(Expand("${ORIGIN}/../lib", kValues, true) == "kUnusable");
  CHECK(Expand("/usr/$LIB/${PLATFORM}", kValues, true) == "kOk:/usr/lib/x86_64-linux-gnu/x86_64");
  CHECK(Expand("/plain", kValues, true) == "kOk:/plain");
}

TEST_CASE("ExpandDst: output that does not fit is kTooLong, exactly at the boundary", "[path]") {
  // (input, expansion) pairs; the NUL needs one more byte.
  const std::pair<std::string, std::string> cases[] = {
      {"/usr/lib", "/usr/lib"},
      {"$ORIGIN", "/opt/app/bin"},
      {"/x/${LIB}/y", "/x/lib/x86_64-linux-gnu/y"},
      {"$FOO", "$FOO"},
  };
  for (const auto& [in, want] : cases) {
    INFO(in);
    CHECK(Expand(in, kValues, false, want.size() + 1) == "kOk:" + want);
    CHECK(Expand(in, kValues, false, want.size()) == "kTooLong");
    CHECK(Expand(in, kValues, false, 1) == "kTooLong");
  }
  CHECK(Expand("", kValues, false, 1) == "kOk:");
}

TEST_CASE("ExpandDst with no room at all writes nothing", "[path]") {
  // cap == 0: not even the NUL fits. Expand() puts a guard byte at out[cap].
  CHECK(Expand("", kValues, false, 0) == "kTooLong");
  CHECK(Expand("a", kValues, false, 0) == "kTooLong");
}

TEST_CASE("ExpandDst reads only in[0, n)", "[path]") {
  // Callers pass one element of a longer list; what follows the element is
  // not part of it.
  const char list[] = "$ORIGIN/lib:/other";
  std::vector<char> out(256);
  REQUIRE(ExpandDst(list, 11, kValues, false, out.data(), out.size()) == ExpandResult::kOk);
  CHECK(std::string(out.data()) == "/opt/app/bin/lib");
  REQUIRE(ExpandDst(list, 0, kValues, false, out.data(), out.size()) == ExpandResult::kOk);
  CHECK(std::string(out.data()).empty());
  // A token cut by n is not a token.
  REQUIRE(ExpandDst("$LIB", 3, kValues, false, out.data(), out.size()) == ExpandResult::kOk);
  CHECK(std::string(out.data()) == "$LI");
  REQUIRE(ExpandDst("${LIB}", 5, kValues, false, out.data(), out.size()) == ExpandResult::kOk);
  CHECK(std::string(out.data()) == "${LIB");
  // A bare token that ends at n is a token, whatever follows in memory.
  REQUIRE(ExpandDst("$LIBX", 4, kValues, false, out.data(), out.size()) == ExpandResult::kOk);
  CHECK(std::string(out.data()) == "lib/x86_64-linux-gnu");
  REQUIRE(ExpandDst("$ORIGIN_more", 7, kValues, false, out.data(), out.size()) ==
          ExpandResult::kOk);
  CHECK(std::string(out.data()) == "/opt/app/bin");
}

// --- ForEachPathElement ------------------------------------------------------------

namespace {

std::vector<std::string> Split(const char* list, const char* seps) {
  std::vector<std::string> out;
  ForEachPathElement(list, seps, [&](const char* start, size_t n) {
    // Each element is a slice of the list itself.
    CHECK(start >= list);
    CHECK(start + n <= list + strlen(list));
    out.emplace_back(start, n);
    return true;
  });
  return out;
}

using S = std::vector<std::string>;

}  // namespace

TEST_CASE("ForEachPathElement splits at the separators, keeping empty elements", "[path]") {
  CHECK(Split("/a:/b:/c", ":") == (S{"/a", "/b", "/c"}));
  CHECK(Split("/a", ":") == (S{"/a"}));
  CHECK(Split("", ":") == (S{""}));
  CHECK(Split(":", ":") == (S{"", ""}));
  CHECK(Split("/a::/b", ":") == (S{"/a", "", "/b"}));
  CHECK(Split(":/a:", ":") == (S{"", "/a", ""}));
  // DT_RPATH/DT_RUNPATH split only at ':'; spaces and ';' are data there.
  CHECK(Split("/a b;c:/d", ":") == (S{"/a b;c", "/d"}));
}

TEST_CASE("ForEachPathElement with the LD_LIBRARY_PATH and LD_PRELOAD separators", "[path]") {
  CHECK(Split("/x;/y:/z", ":;") == (S{"/x", "/y", "/z"}));
  CHECK(Split("/x;;/y", ":;") == (S{"/x", "", "/y"}));
  CHECK(Split("liba.so libb.so:libc.so", ": ") == (S{"liba.so", "libb.so", "libc.so"}));
  CHECK(Split("liba.so  libb.so", ": ") == (S{"liba.so", "", "libb.so"}));
  CHECK(Split(" liba.so ", ": ") == (S{"", "liba.so", ""}));
}

TEST_CASE("ForEachPathElement stops when the callback says so", "[path]") {
  std::vector<std::string> seen;
  ForEachPathElement("/a:/b:/c:/d", ":", [&](const char* s, size_t n) {
    seen.emplace_back(s, n);
    return seen.size() < 2;
  });
  CHECK(seen == (S{"/a", "/b"}));
  unsigned calls = 0;
  ForEachPathElement("", ":", [&](const char*, size_t) {
    ++calls;
    return false;
  });
  CHECK(calls == 1);
}
