// DecodeDynamic (PT_DYNAMIC to DynamicInfo) and ForEachRelr (SHT_RELR
// decoding), on hand-made arrays and on what the system linker wrote.
#include "rtld/elf/dynamic.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "elf_file.h"
#include "reference.h"

namespace elf = rtld::elf;
using elf::DecodeDynamic;
using elf::DynamicInfo;

namespace {

// The entries in an exact-size heap array (ASan guards the end).
struct DynArray {
  std::unique_ptr<elf::Dyn[]> p;
  size_t n;
  explicit DynArray(std::initializer_list<elf::Dyn> l) : p(new elf::Dyn[l.size()]), n(l.size()) {
    std::copy(l.begin(), l.end(), p.get());
  }
};

std::string Err(const char* e) { return e ? e : "(ok)"; }

std::string Decode(std::initializer_list<elf::Dyn> l, DynamicInfo& d) {
  DynArray a(l);
  return Err(DecodeDynamic(a.p.get(), a.n, d));
}

}  // namespace

TEST_CASE("DecodeDynamic stores every tag it knows", "[dynamic]") {
  DynArray a({
      {DT_NEEDED, 1},
      {DT_NEEDED, 9},
      {DT_PLTRELSZ, 48},
      {DT_PLTGOT, 0x3000},
      {DT_HASH, 0x200},
      {DT_STRTAB, 0x400},
      {DT_SYMTAB, 0x300},
      {DT_RELA, 0x500},
      {DT_RELASZ, 96},
      {DT_RELAENT, 24},
      {DT_STRSZ, 77},
      {DT_SYMENT, 24},
      {DT_INIT, 0x1000},
      {DT_FINI, 0x1100},
      {DT_SONAME, 17},
      {DT_RPATH, 21},
      {DT_PLTREL, DT_RELA},
      {DT_DEBUG, 0},
      {DT_JMPREL, 0x600},
      {DT_INIT_ARRAY, 0x2000},
      {DT_FINI_ARRAY, 0x2010},
      {DT_INIT_ARRAYSZ, 16},
      {DT_FINI_ARRAYSZ, 8},
      {DT_RUNPATH, 25},
      {DT_PREINIT_ARRAY, 0x2020},
      {DT_PREINIT_ARRAYSZ, 24},
      {DT_RELRSZ, 32},
      {DT_RELR, 0x700},
      {DT_RELRENT, 8},
      {DT_GNU_HASH, 0x250},
      {DT_VERSYM, 0x800},
      {DT_RELACOUNT, 3},
      {DT_VERDEF, 0x820},
      {DT_VERDEFNUM, 2},
      {DT_VERNEED, 0x860},
      {DT_VERNEEDNUM, 1},
      {0x70000001 /* processor-specific, none on x86-64 */, 5},
      {DT_NULL, 0},
      {DT_NEEDED, 99},  // after DT_NULL: not read
  });
  DynamicInfo d;
  REQUIRE(Err(DecodeDynamic(a.p.get(), a.n, d)) == "(ok)");
  CHECK(d.needed_count == 2);
  CHECK(d.pltrelsz == 48);
  CHECK(d.pltgot == 0x3000);
  CHECK(d.hash == 0x200);
  CHECK(d.strtab == 0x400);
  CHECK(d.symtab == 0x300);
  CHECK(d.rela == 0x500);
  CHECK(d.relasz == 96);
  CHECK(d.relaent == 24);
  CHECK(d.strsz == 77);
  CHECK(d.syment == 24);
  CHECK(d.init == 0x1000);
  CHECK(d.fini == 0x1100);
  CHECK(d.soname == 17);
  CHECK(d.rpath == 21);
  CHECK(d.pltrel == DT_RELA);
  CHECK(d.debug_index == 17);
  CHECK(d.jmprel == 0x600);
  CHECK(d.init_array == 0x2000);
  CHECK(d.fini_array == 0x2010);
  CHECK(d.init_arraysz == 16);
  CHECK(d.fini_arraysz == 8);
  CHECK(d.runpath == 25);
  CHECK(d.preinit_array == 0x2020);
  CHECK(d.preinit_arraysz == 24);
  CHECK(d.relrsz == 32);
  CHECK(d.relr == 0x700);
  CHECK(d.relrent == 8);
  CHECK(d.gnu_hash == 0x250);
  CHECK(d.versym == 0x800);
  CHECK(d.relacount == 3);
  CHECK(d.verdef == 0x820);
  CHECK(d.verdefnum == 2);
  CHECK(d.verneed == 0x860);
  CHECK(d.verneednum == 1);
  CHECK(d.count == 37);  // entries before DT_NULL
  CHECK_FALSE(d.bind_now);
  CHECK_FALSE(d.symbolic);
  CHECK_FALSE(d.textrel);
}

TEST_CASE("DecodeDynamic defaults: absent tags stay absent", "[dynamic]") {
  DynamicInfo d;
  REQUIRE(Decode({{DT_NULL, 0}}, d) == "(ok)");
  CHECK(d.count == 0);
  CHECK(d.soname == DynamicInfo::kNoString);
  CHECK(d.rpath == DynamicInfo::kNoString);
  CHECK(d.runpath == DynamicInfo::kNoString);
  CHECK(d.debug_index == -1);
  CHECK(d.needed_count == 0);
  CHECK(d.strtab == 0);
  // A string-table offset of 0 is a real offset, distinct from absent.
  DynamicInfo z;
  REQUIRE(Decode({{DT_SONAME, 0}, {DT_NULL, 0}}, z) == "(ok)");
  CHECK(z.soname == 0);
}

TEST_CASE("DecodeDynamic counts filtees apart from DT_NEEDED", "[dynamic]") {
  DynamicInfo d;
  REQUIRE(Decode({{DT_NEEDED, 1}, {DT_FILTER, 5}, {DT_AUXILIARY, 9}, {DT_FILTER, 12}, {DT_NULL, 0}}, d) ==
          "(ok)");
  CHECK(d.needed_count == 1);
  CHECK(d.filter_count == 3);  // DT_FILTER and DT_AUXILIARY alike
}

TEST_CASE("DecodeDynamic stops at max_entries when there is no DT_NULL", "[dynamic]") {
  DynArray a({{DT_NEEDED, 1}, {DT_STRSZ, 10}, {DT_NEEDED, 2}});
  DynamicInfo d;
  REQUIRE(Err(DecodeDynamic(a.p.get(), a.n, d)) == "(ok)");  // ASan: no read past 3
  CHECK(d.count == 3);
  CHECK(d.needed_count == 2);
  DynamicInfo two;
  REQUIRE(Err(DecodeDynamic(a.p.get(), 2, two)) == "(ok)");
  CHECK(two.count == 2);
  CHECK(two.needed_count == 1);
  DynamicInfo none;
  REQUIRE(Err(DecodeDynamic(a.p.get(), 0, none)) == "(ok)");
  CHECK(none.count == 0);
  CHECK(none.needed_count == 0);
}

TEST_CASE("DecodeDynamic: binding and text-relocation flags", "[dynamic]") {
  SECTION("DT_BIND_NOW") {
    DynamicInfo d;
    REQUIRE(Decode({{DT_BIND_NOW, 0}, {DT_NULL, 0}}, d) == "(ok)");
    CHECK(d.bind_now);
    CHECK_FALSE(d.symbolic);
  }
  SECTION("DT_FLAGS with DF_BIND_NOW") {
    DynamicInfo d;
    REQUIRE(Decode({{DT_FLAGS, DF_BIND_NOW}, {DT_NULL, 0}}, d) == "(ok)");
    CHECK(d.bind_now);
    CHECK(d.flags == DF_BIND_NOW);
    CHECK_FALSE(d.textrel);
  }
  SECTION("DT_FLAGS_1 with DF_1_NOW") {
    DynamicInfo d;
    REQUIRE(Decode({{DT_FLAGS_1, DF_1_NOW | DF_1_PIE}, {DT_NULL, 0}}, d) == "(ok)");
    CHECK(d.bind_now);
    CHECK(d.flags_1 == (DF_1_NOW | DF_1_PIE));
  }
  SECTION("DT_FLAGS_1 without DF_1_NOW") {
    DynamicInfo d;
    REQUIRE(Decode({{DT_FLAGS_1, DF_1_NODELETE | DF_1_PIE}, {DT_NULL, 0}}, d) == "(ok)");
    CHECK_FALSE(d.bind_now);
  }
  SECTION("DT_SYMBOLIC and DF_SYMBOLIC") {
    DynamicInfo a, b;
    REQUIRE(Decode({{DT_SYMBOLIC, 0}, {DT_NULL, 0}}, a) == "(ok)");
    REQUIRE(Decode({{DT_FLAGS, DF_SYMBOLIC}, {DT_NULL, 0}}, b) == "(ok)");
    CHECK(a.symbolic);
    CHECK(b.symbolic);
    CHECK_FALSE(a.bind_now);
    CHECK_FALSE(b.bind_now);
  }
  SECTION("DT_TEXTREL and DF_TEXTREL") {
    DynamicInfo a, b;
    REQUIRE(Decode({{DT_TEXTREL, 0}, {DT_NULL, 0}}, a) == "(ok)");
    REQUIRE(Decode({{DT_FLAGS, DF_TEXTREL | DF_STATIC_TLS}, {DT_NULL, 0}}, b) == "(ok)");
    CHECK(a.textrel);
    CHECK(b.textrel);
    CHECK_FALSE(b.symbolic);
  }
  SECTION("flags with none of those bits") {
    DynamicInfo d;
    REQUIRE(Decode({{DT_FLAGS, DF_ORIGIN | DF_STATIC_TLS}, {DT_FLAGS_1, DF_1_ORIGIN}, {DT_NULL, 0}},
                   d) == "(ok)");
    CHECK_FALSE(d.bind_now);
    CHECK_FALSE(d.symbolic);
    CHECK_FALSE(d.textrel);
    CHECK(d.flags == (DF_ORIGIN | DF_STATIC_TLS));
  }
}

TEST_CASE("DecodeDynamic rejects entry sizes and tables x86-64 does not use", "[dynamic]") {
  DynamicInfo d1, d2, d3, d4, d5, d6, d7;
  CHECK(Decode({{DT_RELAENT, 16}, {DT_NULL, 0}}, d1) == "unsupported DT_RELAENT");
  CHECK(Decode({{DT_SYMENT, 16}, {DT_NULL, 0}}, d2) == "unsupported DT_SYMENT");
  CHECK(Decode({{DT_RELRENT, 4}, {DT_NULL, 0}}, d3) == "unsupported DT_RELRENT");
  CHECK(Decode({{DT_JMPREL, 0x600}, {DT_PLTREL, DT_REL}, {DT_NULL, 0}}, d4) ==
        "unsupported DT_PLTREL");
  CHECK(Decode({{DT_JMPREL, 0x600}, {DT_NULL, 0}}, d5) == "unsupported DT_PLTREL");
  CHECK(Decode({{DT_REL, 0x500}, {DT_RELSZ, 16}, {DT_NULL, 0}}, d6) ==
        "DT_REL relocations are not used on x86-64");
  // Entry sizes that are right, and DT_PLTREL without DT_JMPREL, are fine.
  CHECK(Decode(
            {{DT_RELAENT, 24}, {DT_SYMENT, 24}, {DT_RELRENT, 8}, {DT_PLTREL, DT_REL}, {DT_NULL, 0}},
            d7) == "(ok)");
}

TEST_CASE("DecodeDynamic: DT_RELACOUNT may not exceed DT_RELASZ", "[dynamic]") {
  DynamicInfo ok, equal, over, none;
  CHECK(Decode({{DT_RELASZ, 72}, {DT_RELACOUNT, 2}, {DT_NULL, 0}}, ok) == "(ok)");
  CHECK(Decode({{DT_RELASZ, 72}, {DT_RELACOUNT, 3}, {DT_NULL, 0}}, equal) == "(ok)");
  CHECK(Decode({{DT_RELASZ, 72}, {DT_RELACOUNT, 4}, {DT_NULL, 0}}, over) ==
        "DT_RELACOUNT exceeds DT_RELASZ");
  CHECK(Decode({{DT_RELACOUNT, 1}, {DT_NULL, 0}}, none) == "DT_RELACOUNT exceeds DT_RELASZ");
}

TEST_CASE("DecodeDynamic: a huge DT_RELACOUNT cannot wrap past the DT_RELASZ check", "[dynamic]") {
  // 2^61 * 24 = 3 * 2^64, which is 0 in 64-bit arithmetic; 2^61 + 1 gives 24.
  // A hostile object must not get 2^61 "relative relocations" accepted.
  for (uint64_t count : {uint64_t{1} << 61, (uint64_t{1} << 61) + 1, ~uint64_t{0} / 3 + 1}) {
    INFO("DT_RELACOUNT 0x" << std::hex << count);
    DynamicInfo d;
    CHECK(Decode({{DT_RELASZ, 24}, {DT_RELACOUNT, static_cast<elf::Xword>(count)}, {DT_NULL, 0}},
                 d) == "DT_RELACOUNT exceeds DT_RELASZ");
  }
}

TEST_CASE("DecodeDynamic on libc.so.6 agrees with its section headers", "[dynamic]") {
  unit::ElfFile f;
  REQUIRE(f.Load(unit::LibcPath()));
  const Elf64_Phdr* dyn = nullptr;
  for (unsigned i = 0; i < f.ehdr().e_phnum; ++i)
    if (f.Phdrs()[i].p_type == PT_DYNAMIC) dyn = &f.Phdrs()[i];
  REQUIRE(dyn != nullptr);
  DynamicInfo d;
  REQUIRE(Err(DecodeDynamic(f.At<elf::Dyn>(dyn->p_offset), dyn->p_filesz / sizeof(elf::Dyn), d)) ==
          "(ok)");
  auto addr = [&](const char* name) {
    const Elf64_Shdr* s = f.SectionNamed(name);
    return s ? s->sh_addr : 0;
  };
  CHECK(d.symtab == addr(".dynsym"));
  CHECK(d.strtab == addr(".dynstr"));
  CHECK(d.strsz == f.SectionNamed(".dynstr")->sh_size);
  CHECK(d.gnu_hash == addr(".gnu.hash"));
  CHECK(d.versym == addr(".gnu.version"));
  CHECK(d.verdef == addr(".gnu.version_d"));
  CHECK(d.verneed == addr(".gnu.version_r"));
  CHECK(d.rela == addr(".rela.dyn"));
  CHECK(d.jmprel == addr(".rela.plt"));
  CHECK(d.syment == sizeof(Elf64_Sym));
  CHECK(d.relaent == sizeof(Elf64_Rela));
  CHECK(d.pltrel == DT_RELA);
  CHECK(d.needed_count >= 1);  // ld-linux-x86-64.so.2
  REQUIRE(d.soname != DynamicInfo::kNoString);
  CHECK(std::string(f.At<char>(f.SectionNamed(".dynstr")->sh_offset) + d.soname) == "libc.so.6");
  CHECK(d.relacount * sizeof(Elf64_Rela) <= d.relasz);
}

// --- RELR --------------------------------------------------------------------

namespace {

std::vector<uint64_t> Decode(const std::vector<uint64_t>& relr) {
  std::vector<uint64_t> out;
  std::unique_ptr<elf::Relr[]> exact(new elf::Relr[relr.empty() ? 1 : relr.size()]);
  std::copy(relr.begin(), relr.end(), exact.get());
  elf::ForEachRelr(exact.get(), relr.size(), [&](elf::Addr a) { out.push_back(a); });
  return out;
}

using V = std::vector<uint64_t>;

}  // namespace

TEST_CASE("ForEachRelr: address entries", "[relr]") {
  CHECK(Decode({}) == V{});
  CHECK(Decode({0x1000}) == V{0x1000});
  CHECK(Decode({0x1000, 0x2000, 0x2008}) == (V{0x1000, 0x2000, 0x2008}));
  // A later address entry restarts the bitmap base.
  CHECK(Decode({0x1000, 0x3, 0x9000, 0x3}) == (V{0x1000, 0x1008, 0x9000, 0x9008}));
}

TEST_CASE("ForEachRelr: a bitmap covers the 63 words after the last address", "[relr]") {
  // Bit i+1 of the entry (bit 0 is the marker) is the word at base + 8 * i.
  CHECK(Decode({0x1000, (0b101u << 1) | 1}) == (V{0x1000, 0x1008, 0x1018}));
  CHECK(Decode({0x1000, 0x1}) == V{0x1000});  // an empty bitmap
  CHECK(Decode({0x1000, (uint64_t{1} << 63) | 1}) == (V{0x1000, 0x1000 + 8 + 62 * 8}));
  V all{0x1000};
  for (int i = 0; i < 63; ++i) all.push_back(0x1008 + 8 * i);
  CHECK(Decode({0x1000, ~uint64_t{0}}) == all);
}

TEST_CASE("ForEachRelr: consecutive bitmaps advance by 63 words", "[relr]") {
  // First bitmap: words 0x1008..; second: 0x1008 + 63*8 = 0x1200; third 0x13f8.
  CHECK(Decode({0x1000, 0x3, 0x3, 0x3}) == (V{0x1000, 0x1008, 0x1200, 0x13f8}));
  // An empty bitmap in the middle still advances.
  CHECK(Decode({0x1000, 0x1, 0x5}) == (V{0x1000, 0x1208}));
  // A bitmap before any address entry starts from 0.
  CHECK(Decode({0x5}) == (V{0x8}));
}

TEST_CASE("ForEachRelr decodes what a reference encoder writes", "[relr]") {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::set<uint64_t> offsets;
    const int n = static_cast<int>(rng() % 300);
    uint64_t at = 0x1000 + (rng() % 64) * 8;
    for (int i = 0; i < n; ++i) {
      // Mostly dense with occasional long jumps, so all entry shapes occur.
      const uint64_t r = rng() % 100;
      at += 8 * (r < 70 ? 1 : r < 90 ? 1 + rng() % 10 : r < 97 ? 60 + rng() % 10 : 1000);
      offsets.insert(at);
    }
    const V sorted(offsets.begin(), offsets.end());
    const V encoded = unit::RefRelrEncode(sorted);
    INFO("round " << round << ", " << sorted.size() << " offsets, " << encoded.size()
                  << " entries");
    CHECK(Decode(encoded) == sorted);
  }
}

TEST_CASE("ForEachRelr on the fixture's .relr.dyn: exactly the relocated pointers", "[relr]") {
  unit::ElfFile f;
  REQUIRE(f.Load(unit::FixturePath()));
  const Elf64_Shdr* relr = f.SectionNamed(".relr.dyn");
  if (relr == nullptr) {
    WARN("the linker did not pack relative relocations (-z pack-relative-relocs)");
    return;
  }
  V got;
  elf::ForEachRelr(f.At<elf::Relr>(relr->sh_offset), relr->sh_size / 8,
                   [&](elf::Addr a) { got.push_back(a); });
  REQUIRE(!got.empty());
  CHECK(std::is_sorted(got.begin(), got.end()));

  // Oracle 1: relr_table's words that hold a pointer are exactly the
  // relocated words inside relr_table.
  uint64_t table = 0, table_size = 0;
  for (const auto& s : f.DynamicSymbols())
    if (s.name == "relr_table") table = s.sym->st_value, table_size = s.sym->st_size;
  REQUIRE(table != 0);
  REQUIRE(table_size == 200 * 8);
  V want_in_table, got_in_table;
  for (uint64_t i = 0; i < 200; ++i) {
    const uint64_t word = *f.At<uint64_t>(f.OffsetOf(table) + 8 * i);
    if (word != 0) want_in_table.push_back(table + 8 * i);
  }
  for (uint64_t a : got)
    if (a >= table && a < table + table_size) got_in_table.push_back(a);
  CHECK(want_in_table.size() == 1 + 1 + 1 + 37 + 1 + 71 + 1);
  CHECK(got_in_table == want_in_table);

  // Oracle 2: readelf's own decoding of the whole section.
  std::istringstream in(unit::RunCommand("readelf -rW '" + f.path() + "' 2>/dev/null"));
  std::string line;
  bool in_relr = false;
  V readelf;
  while (std::getline(in, line)) {
    if (line.rfind("Relocation section", 0) == 0) {
      in_relr = line.find(".relr.dyn") != std::string::npos;
      continue;
    }
    if (!in_relr || line.empty() || !isxdigit(static_cast<unsigned char>(line[0]))) continue;
    if (line.find(' ') != std::string::npos) continue;  // "N offsets" and other prose
    readelf.push_back(std::stoull(line, nullptr, 16));
  }
  if (readelf.empty()) {
    WARN("readelf did not list RELR offsets");
  } else {
    CHECK(got == readelf);
  }
}
