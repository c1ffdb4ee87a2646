// LdCache (glibc's /etc/ld.so.cache reader) and LdCacheCompare: the real
// cache of this system, synthetic caches written the way ldconfig writes
// them, and corrupt ones.
#include "rtld/elf/ldcache.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "elf_file.h"
#include "reference.h"

using rtld::elf::LdCache;
using rtld::elf::LdCacheCompare;
using unit::RefCacheLibCmp;
using unit::Sign;

namespace {

constexpr int32_t kX8664 = 0x0303;  // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64
constexpr int32_t kI386 = 0x0003;   // FLAG_ELF_LIBC6
constexpr int32_t kX32 = 0x0803;    // FLAG_ELF_LIBC6 | FLAG_X8664_LIBX32

struct Entry {
  std::string key, value;
  int32_t flags = kX8664;
  uint64_t hwcap = 0;
};

// A cache image in an exact-size heap buffer (ASan guards its end).
struct Image {
  std::unique_ptr<uint8_t[]> bytes;
  size_t size = 0;
  size_t new_header = 0;  // offset of "glibc-ld.so.cache1.1"

  Image Prefix(size_t n) const {
    Image p;
    p.size = n;
    p.bytes.reset(new uint8_t[n == 0 ? 1 : n]);
    memcpy(p.bytes.get(), bytes.get(), n);
    p.new_header = new_header;
    return p;
  }
  template <typename T>
  void Put(size_t off, T v) {
    memcpy(bytes.get() + off, &v, sizeof v);
  }
};

void Append(std::vector<uint8_t>& out, const void* p, size_t n) {
  auto* b = static_cast<const uint8_t*>(p);
  out.insert(out.end(), b, b + n);
}
template <typename T>
void Append(std::vector<uint8_t>& out, T v) {
  Append(out, &v, sizeof v);
}

// Writes entries as ldconfig does: sorted in descending glibc order
// (unless `sort` is false), new format, optionally behind the old one.
Image Build(std::vector<Entry> entries, bool old_prefix = false, bool sort = true) {
  if (sort)
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return RefCacheLibCmp(a.key.c_str(), b.key.c_str()) > 0;
    });
  std::vector<uint8_t> out;
  if (old_prefix) {
    Append(out, "ld.so-1.7.0", 11);
    Append(out, uint8_t{0});
    Append(out, static_cast<uint32_t>(entries.size()));
    for (size_t i = 0; i < entries.size(); ++i) {
      Append(out, int32_t{1});  // FLAG_ELF
      Append(out, uint32_t{0});
      Append(out, uint32_t{0});
    }
    while (out.size() % 8) out.push_back(0);
  }
  const size_t base = out.size();
  const uint32_t nlibs = static_cast<uint32_t>(entries.size());
  std::string strings;
  std::vector<std::pair<uint32_t, uint32_t>> offs;
  const size_t strings_at = 48 + 24 * entries.size();
  for (const Entry& e : entries) {
    const uint32_t k = static_cast<uint32_t>(strings_at + strings.size());
    strings += e.key + '\0';
    const uint32_t v = static_cast<uint32_t>(strings_at + strings.size());
    strings += e.value + '\0';
    offs.push_back({k, v});
  }
  Append(out, "glibc-ld.so.cache1.1", 20);
  Append(out, nlibs);
  Append(out, static_cast<uint32_t>(strings.size()));
  Append(out, uint8_t{2});  // cache_file_new_flags_endian_little
  Append(out, "\0\0\0", 3);
  Append(out, uint32_t{0});  // extension_offset
  Append(out, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
  for (size_t i = 0; i < entries.size(); ++i) {
    Append(out, entries[i].flags);
    Append(out, offs[i].first);
    Append(out, offs[i].second);
    Append(out, uint32_t{0});  // osversion
    Append(out, entries[i].hwcap);
  }
  Append(out, strings.data(), strings.size());
  Image img;
  img.size = out.size();
  img.bytes.reset(new uint8_t[out.size()]);
  memcpy(img.bytes.get(), out.data(), out.size());
  img.new_header = base;
  return img;
}

// Find's result as a string ("(null)" for nullptr), or a description of
// the fault if it does not lie inside the image.
std::string Found(const LdCache& c, const Image& img, const char* name) {
  const char* p = c.Find(name);
  if (p == nullptr) return "(null)";
  const auto* b = reinterpret_cast<const char*>(img.bytes.get());
  if (p < b || p >= b + img.size) return "(pointer outside the image)";
  if (memchr(p, 0, static_cast<size_t>(b + img.size - p)) == nullptr)
    return "(string runs past the image)";
  return p;
}

// A name with bytes outside printable ASCII written as \xNN, for messages.
std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::vector<Entry> ManyEntries(size_t n) {
  std::vector<Entry> v;
  for (size_t i = 0; i < n; ++i) {
    const std::string name = "lib" + std::string(1, static_cast<char>('a' + i % 26)) +
                             std::to_string(i / 26) + ".so." + std::to_string(i % 13);
    v.push_back({name, "/usr/lib/x86_64-linux-gnu/" + name});
  }
  return v;
}

}  // namespace

// --- LdCacheCompare ------------------------------------------------------------

TEST_CASE("LdCacheCompare orders digit runs as numbers", "[ldcache]") {
  static_assert(LdCacheCompare("libfoo.so.10", "libfoo.so.9") > 0);  // usable at compile time
  CHECK(LdCacheCompare("libfoo.so.10", "libfoo.so.9") > 0);
  CHECK(LdCacheCompare("libfoo.so.9", "libfoo.so.10") < 0);
  CHECK(LdCacheCompare("libfoo.so.2", "libfoo.so.2") == 0);
  CHECK(LdCacheCompare("libfoo.so.1.10", "libfoo.so.1.9") > 0);
  CHECK(LdCacheCompare("libfoo.so.09", "libfoo.so.9") == 0);  // same number
  CHECK(LdCacheCompare("libc.so", "libc.so.6") < 0);          // a prefix sorts first
  CHECK(LdCacheCompare("libc.so.6", "libc.so") > 0);
  CHECK(LdCacheCompare("", "") == 0);
  CHECK(LdCacheCompare("", "a") < 0);
  CHECK(LdCacheCompare("a", "") > 0);
  CHECK(LdCacheCompare("lib3a", "libza") > 0);  // a digit sorts after a non-digit
  CHECK(LdCacheCompare("libza", "lib3a") < 0);
  CHECK(LdCacheCompare("libA.so", "liba.so") < 0);                // plain byte order otherwise
  CHECK(LdCacheCompare("libx265.so.199", "libxxhash.so.0") > 0);  // as ldconfig orders them
}

TEST_CASE("LdCacheCompare has the sign of glibc's _dl_cache_libcmp on ASCII names", "[ldcache]") {
  const char* names[] = {"",
                         "a",
                         "b",
                         "1",
                         "10",
                         "9",
                         "libc.so",
                         "libc.so.6",
                         "libc.so.7",
                         "libc.so.16",
                         "libz.so.1",
                         "libz3.so.4",
                         "libA.so",
                         "lib_x.so",
                         "lib-x.so",
                         "libx.so.1.2",
                         "libx.so.1.10",
                         "ld-linux-x86-64.so.2",
                         "libfoo9",
                         "libfoo10",
                         "libfoo",
                         "libfoo.so.00",
                         "libfoo.so.0"};
  for (const char* a : names)
    for (const char* b : names) {
      INFO("\"" << a << "\" vs \"" << b << "\"");
      CHECK(Sign(LdCacheCompare(a, b)) == Sign(RefCacheLibCmp(a, b)));
      CHECK(Sign(LdCacheCompare(a, b)) == -Sign(LdCacheCompare(b, a)));
    }
}

TEST_CASE("LdCacheCompare has the sign of glibc's _dl_cache_libcmp on bytes >= 0x80", "[ldcache]") {
  // ldconfig sorts with glibc's comparison, whose `char` is signed on
  // x86-64: a name byte >= 0x80 sorts before every ASCII byte (checked with
  // ldconfig -C on Debian 12: "lib\xe9.so.1" lands after "libBrokenLocale").
  const char* names[] = {"lib\xe9.so.1", "lib\xc3x.so.1", "libz.so.1",
                         "liba.so.1",    "lib\xff",       "lib~"};
  for (const char* a : names)
    for (const char* b : names) {
      INFO("\"" << Escape(a) << "\" vs \"" << Escape(b) << "\": LdCacheCompare "
                << LdCacheCompare(a, b) << ", glibc " << RefCacheLibCmp(a, b));
      CHECK(Sign(LdCacheCompare(a, b)) == Sign(RefCacheLibCmp(a, b)));
    }
}

// --- The real cache ---------------------------------------------------------------

TEST_CASE("LdCache reads this system's /etc/ld.so.cache", "[ldcache]") {
  std::vector<uint64_t> words;
  size_t size = 0;
  if (!unit::ReadWholeFile("/etc/ld.so.cache", words, size)) {
    WARN("no /etc/ld.so.cache on this system");
    return;
  }
  LdCache c;
  REQUIRE(c.Parse(words.data(), size));
  REQUIRE(c.valid());
  REQUIRE(c.size() > 0);

  const char* libc = c.Find("libc.so.6");
  REQUIRE(libc != nullptr);
  struct stat st;
  CHECK(stat(libc, &st) == 0);
  CHECK(std::string(libc).substr(std::string(libc).rfind('/') + 1) == "libc.so.6");
  CHECK(c.Find("rtld-unit-no-such-library.so.1") == nullptr);
  CHECK(c.Find("") == nullptr);

  // The file is sorted in descending glibc order (our reference comparator
  // agrees with ldconfig) and LdCacheCompare agrees on each neighbour pair.
  for (uint32_t i = 0; i + 1 < c.size(); ++i) {
    const char* a = c.String(c.entry(i).key);
    const char* b = c.String(c.entry(i + 1).key);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    INFO("entries " << i << " \"" << a << "\" and \"" << b << "\"");
    CHECK(RefCacheLibCmp(a, b) >= 0);
    CHECK(Sign(LdCacheCompare(a, b)) == Sign(RefCacheLibCmp(a, b)));
  }

  // Binary search agrees with a linear scan: for each name, the first
  // x86-64 entry without a hwcaps subdirectory.
  std::map<std::string, const char*> want;
  for (uint32_t i = 0; i < c.size(); ++i) {
    const LdCache::Entry& e = c.entry(i);
    const std::string key = c.String(e.key);
    if (want.count(key) == 0) want[key] = nullptr;
    if (want[key] == nullptr && e.flags == kX8664 && e.hwcap == 0) want[key] = c.String(e.value);
  }
  size_t found = 0;
  for (const auto& [key, path] : want) {
    INFO(key);
    CHECK(c.Find(key.c_str()) == path);
    found += path != nullptr;
  }
  CHECK(found > 10);
}

// --- Synthetic caches ---------------------------------------------------------------

TEST_CASE("LdCache finds every entry of a synthetic cache", "[ldcache]") {
  const bool old_prefix = GENERATE(false, true);
  const size_t n = GENERATE(size_t{1}, size_t{2}, size_t{3}, size_t{17}, size_t{500});
  INFO((old_prefix ? "old+new format" : "new format") << ", " << n << " entries");
  const auto entries = ManyEntries(n);
  Image img = Build(entries, old_prefix);
  LdCache c;
  REQUIRE(c.Parse(img.bytes.get(), img.size));
  CHECK(c.size() == n);
  for (const Entry& e : entries) {
    INFO(e.key);
    CHECK(Found(c, img, e.key.c_str()) == e.value);
  }
  CHECK(Found(c, img, "libzz.so.1") == "(null)");
  CHECK(Found(c, img, "lib") == "(null)");
  CHECK(Found(c, img, "liba0.so.00") == "/usr/lib/x86_64-linux-gnu/liba0.so.0");  // same numbers
}

TEST_CASE("LdCache takes the first x86-64 entry without hwcaps among equal names", "[ldcache]") {
  std::vector<Entry> v = {
      {"libm.so.6", "/lib/i386-linux-gnu/libm.so.6", kI386},
      {"libm.so.6", "/lib/x32/libm.so.6", kX32},
      {"libm.so.6", "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libm.so.6", kX8664,
       LdCache::kHwcapExtension | 1},
      {"libm.so.6", "/lib/x86_64-linux-gnu/libm.so.6", kX8664},
      {"libm.so.6", "/usr/local/lib/libm.so.6", kX8664},
      {"libma.so.1", "/lib/libma.so.1", kX8664},
      {"libm.so.5", "/lib/libm.so.5", kX8664},
      {"libonly32.so.1", "/lib32/libonly32.so.1", kI386},
  };
  for (bool old_prefix : {false, true}) {
    Image img = Build(v, old_prefix);
    LdCache c;
    REQUIRE(c.Parse(img.bytes.get(), img.size));
    CHECK(Found(c, img, "libm.so.6") == "/lib/x86_64-linux-gnu/libm.so.6");
    CHECK(Found(c, img, "libm.so.5") == "/lib/libm.so.5");
    CHECK(Found(c, img, "libma.so.1") == "/lib/libma.so.1");
    CHECK(Found(c, img, "libonly32.so.1") == "(null)");
  }
}

TEST_CASE("LdCache finds names with bytes >= 0x80 in a cache sorted as ldconfig sorts",
          "[ldcache]") {
  std::vector<Entry> v = ManyEntries(40);
  v.push_back({"lib\xe9.so.1", "/opt/lib\xe9.so.1"});
  v.push_back({"lib\xc3x.so.1", "/opt/lib\xc3x.so.1"});
  v.push_back({"libzzz.so.1", "/opt/libzzz.so.1"});
  Image img = Build(v);
  LdCache c;
  REQUIRE(c.Parse(img.bytes.get(), img.size));
  for (const Entry& e : v) {
    INFO(Escape(e.key));
    CHECK(Escape(Found(c, img, e.key.c_str())) == Escape(e.value));
  }
}

TEST_CASE("LdCache rejects images that are not a glibc cache", "[ldcache]") {
  Image good = Build(ManyEntries(5));
  SECTION("bad magic") {
    Image img = good.Prefix(good.size);
    img.bytes[0] = 'X';
    LdCache c;
    CHECK_FALSE(c.Parse(img.bytes.get(), img.size));
    CHECK_FALSE(c.valid());
    CHECK(c.Find("liba0.so.0") == nullptr);
  }
  SECTION("bad version") {
    Image img = good.Prefix(good.size);
    img.bytes[19] = '2';  // "glibc-ld.so.cache1.2"
    LdCache c;
    CHECK_FALSE(c.Parse(img.bytes.get(), img.size));
  }
  SECTION("only the old format") {
    std::vector<uint8_t> old;
    Append(old, "ld.so-1.7.0", 11);
    Append(old, uint8_t{0});
    Append(old, uint32_t{0});
    LdCache c;
    CHECK_FALSE(c.Parse(old.data(), old.size()));
  }
  SECTION("old format claiming more entries than the file holds") {
    Image img = Build(ManyEntries(5), /*old_prefix=*/true);
    img.Put<uint32_t>(12, 0xffffffffu);
    LdCache c;
    CHECK_FALSE(c.Parse(img.bytes.get(), img.size));
  }
  SECTION("more entries than the file holds") {
    // As glibc checks: nlibs entries must fit in the bytes after the header
    // (they may overlap the strings; only the end of the file is a limit).
    const uint32_t one_too_many = static_cast<uint32_t>((good.size - 48) / 24 + 1);
    for (uint32_t nlibs : {one_too_many, 1000u, 0x0aaaaaabu, 0xffffffffu}) {
      INFO("nlibs " << nlibs);
      Image img = good.Prefix(good.size);
      img.Put<uint32_t>(20, nlibs);
      LdCache c;
      CHECK_FALSE(c.Parse(img.bytes.get(), img.size));
    }
  }
  SECTION("empty") {
    LdCache c;
    uint8_t none = 0;
    CHECK_FALSE(c.Parse(&none, 0));
    CHECK(c.Find("libc.so.6") == nullptr);
  }
}

TEST_CASE("LdCache never reads outside a truncated image", "[ldcache]") {
  // Every prefix of a valid image, in an exact-size buffer: Parse fails or
  // Find works within the bytes that exist (ASan checks the reads).
  const bool old_prefix = GENERATE(false, true);
  const auto entries = ManyEntries(6);
  Image good = Build(entries, old_prefix);
  size_t parsed = 0;
  for (size_t n = 0; n <= good.size; ++n) {
    Image img = good.Prefix(n);
    LdCache c;
    if (!c.Parse(img.bytes.get(), img.size)) {
      CHECK(c.Find("liba0.so.0") == nullptr);
      continue;
    }
    ++parsed;
    // Parsing succeeded: the header and all entries are inside.
    CHECK(n >= good.new_header + 48 + 24 * entries.size());
    for (const Entry& e : entries) {
      INFO("prefix " << n << ": " << e.key);
      const std::string r = Found(c, img, e.key.c_str());
      CHECK((r == e.value || r == "(null)"));
    }
  }
  CHECK(parsed > 0);
}

TEST_CASE("LdCache ignores string offsets outside the image", "[ldcache]") {
  const auto entries = ManyEntries(7);
  Image good = Build(entries);
  LdCache probe;
  REQUIRE(probe.Parse(good.bytes.get(), good.size));
  // The entry index that holds "libb0.so.1" (sorted order).
  uint32_t idx = 0;
  while (std::string(probe.String(probe.entry(idx).key)) != "libb0.so.1") ++idx;
  const size_t entry_at = good.new_header + 48 + 24 * idx;

  SECTION("value offset past the end") {
    Image img = good.Prefix(good.size);
    img.Put<uint32_t>(entry_at + 8, static_cast<uint32_t>(good.size - good.new_header));
    LdCache c;
    REQUIRE(c.Parse(img.bytes.get(), img.size));
    CHECK(Found(c, img, "libb0.so.1") == "(null)");
    CHECK(Found(c, img, "liba0.so.0") == "/usr/lib/x86_64-linux-gnu/liba0.so.0");
  }
  SECTION("key offset past the end") {
    for (uint32_t off : {static_cast<uint32_t>(good.size - good.new_header), 0xffffffffu}) {
      Image img = good.Prefix(good.size);
      img.Put<uint32_t>(entry_at + 4, off);
      LdCache c;
      REQUIRE(c.Parse(img.bytes.get(), img.size));
      // The binary search may step on the bad entry; it must give up, not
      // read outside.
      for (const Entry& e : entries) {
        INFO("key offset " << off << ", looking for " << e.key);
        const std::string r = Found(c, img, e.key.c_str());
        CHECK((r == e.value || r == "(null)"));
      }
      CHECK(c.String(off) == nullptr);
    }
  }
  SECTION("a last string without its NUL") {
    Image img = good.Prefix(good.size - 1);  // drops the final NUL
    LdCache c;
    REQUIRE(c.Parse(img.bytes.get(), img.size));
    // The last string is one entry's path; String() refuses it, so exactly
    // that entry is not found and all others are.
    unsigned missing = 0;
    for (uint32_t i = 0; i < c.size(); ++i) {
      const char* key = c.String(c.entry(i).key);
      REQUIRE(key != nullptr);
      const std::string r = Found(c, img, key);
      if (r == "(null)")
        ++missing;
      else
        CHECK(r == "/usr/lib/x86_64-linux-gnu/" + std::string(key));
    }
    CHECK(missing == 1);
    CHECK(c.String(static_cast<uint32_t>(img.size - img.new_header - 1)) == nullptr);
  }
}
