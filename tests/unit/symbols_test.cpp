// SymbolTable::Find over synthetic tables: hash-table walking (GNU with its
// Bloom filter, SysV as fallback), which symbols count as definitions, and
// glibc's version-matching rules (elf/dl-lookup.c, check_match and
// do_lookup_x). Most cases run once per hash-table kind.
#include <catch2/catch.hpp>

#include "symtab_builder.h"

using rtld::elf::HashedName;
using rtld::elf::Version;
using unit::HashKind;
using unit::SymSpec;
using unit::TableBuilder;
using unit::Want;

namespace {

SymSpec Fn(const char* name, uint64_t value, uint16_t versym = 1) {
  SymSpec s;
  s.name = name;
  s.value = value;
  s.versym = versym;
  return s;
}

constexpr uint16_t kHidden = 0x8000;

}  // namespace

// --- Walking the hash tables -------------------------------------------------

TEST_CASE("Find returns the index of a defined symbol and -1 for an absent name", "[symbols]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Add(Fn("alpha", 0x1000))
      .Add(Fn("beta", 0x2000))
      .Add(Fn("gamma", 0x3000))
      .Add(Fn("delta", 0x4000));
  b.Add(Fn("epsilon", 0x5000)).Add(Fn("zeta", 0x6000)).Add(Fn("eta", 0x7000));
  b.Build(kind);
  CHECK(b.Find("alpha") == b.Idx(0x1000));
  CHECK(b.Find("beta") == b.Idx(0x2000));
  CHECK(b.Find("gamma") == b.Idx(0x3000));
  CHECK(b.Find("delta") == b.Idx(0x4000));
  CHECK(b.Find("epsilon") == b.Idx(0x5000));
  CHECK(b.Find("zeta") == b.Idx(0x6000));
  CHECK(b.Find("eta") == b.Idx(0x7000));
  CHECK(b.Find("theta") == -1);
  CHECK(b.Find("") == -1);
  CHECK(b.Find("alph") == -1);
  CHECK(b.Find("alphaa") == -1);
}

TEST_CASE("Find walks a whole chain when every name shares one bucket", "[symbols]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  const char* names[] = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"};
  for (unsigned i = 0; i < 10; ++i) b.Add(Fn(names[i], 0x100 + i));
  TableBuilder::Options one_bucket;
  one_bucket.nbuckets = 1;
  b.Build(kind, one_bucket);
  for (unsigned i = 0; i < 10; ++i) {
    INFO(names[i]);
    CHECK(b.Find(names[i]) == b.Idx(0x100 + i));
  }
  CHECK(b.Find("n10") == -1);
}

TEST_CASE("Find works with every Bloom filter size and shift", "[symbols]") {
  const uint32_t words = GENERATE(1u, 2u, 4u, 8u);
  const uint32_t shift = GENERATE(5u, 6u, 11u, 26u);
  INFO("bloom words " << words << ", shift " << shift);
  TableBuilder b;
  b.Add(Fn("open", 0x10)).Add(Fn("close", 0x20)).Add(Fn("read", 0x30)).Add(Fn("write", 0x40));
  TableBuilder::Options o;
  o.bloom_words = words;
  o.bloom_shift = shift;
  o.nbuckets = 5;
  b.Build(HashKind::kGnu, o);
  CHECK(b.Find("open") == b.Idx(0x10));
  CHECK(b.Find("close") == b.Idx(0x20));
  CHECK(b.Find("read") == b.Idx(0x30));
  CHECK(b.Find("write") == b.Idx(0x40));
  CHECK(b.Find("lseek") == -1);
}

TEST_CASE("The Bloom filter is consulted before the buckets and needs both bits", "[symbols]") {
  TableBuilder b;
  b.Add(Fn("malloc", 0x10)).Add(Fn("free", 0x20));
  TableBuilder::Options o;
  o.bloom_words = 1;
  o.bloom_shift = 6;
  b.Build(HashKind::kGnu, o);
  REQUIRE(b.Find("malloc") == b.Idx(0x10));

  const uint32_t h = unit::RefGnuHash("malloc");
  const uint32_t bit1 = h % 64, bit2 = (h >> 6) % 64;
  REQUIRE(bit1 != bit2);  // otherwise "only one bit" below means nothing

  SECTION("an empty filter rejects a name the buckets hold") {
    b.bloom()[0] = 0;
    CHECK(b.Find("malloc") == -1);
    CHECK(b.Find("free") == -1);
  }
  SECTION("only the first bit set rejects") {
    b.bloom()[0] = uint64_t{1} << bit1;
    CHECK(b.Find("malloc") == -1);
  }
  SECTION("only the second bit set rejects") {
    b.bloom()[0] = uint64_t{1} << bit2;
    CHECK(b.Find("malloc") == -1);
  }
  SECTION("both bits set pass to the buckets") {
    b.bloom()[0] = (uint64_t{1} << bit1) | (uint64_t{1} << bit2);
    CHECK(b.Find("malloc") == b.Idx(0x10));
  }
  SECTION("a full filter lets absent names through to a failed bucket search") {
    b.bloom()[0] = ~uint64_t{0};
    CHECK(b.Find("calloc") == -1);
    CHECK(b.Find("free") == b.Idx(0x20));
  }
}

TEST_CASE("The Bloom word is chosen by (hash / 64) mod the filter size", "[symbols]") {
  TableBuilder b;
  b.Add(Fn("memcpy", 0x10));
  TableBuilder::Options o;
  o.bloom_words = 4;
  o.bloom_shift = 6;
  b.Build(HashKind::kGnu, o);
  const uint32_t h = unit::RefGnuHash("memcpy");
  const unsigned right = (h / 64) % 4;
  const uint64_t bits = (uint64_t{1} << (h % 64)) | (uint64_t{1} << ((h >> 6) % 64));
  for (unsigned w = 0; w < 4; ++w) b.bloom()[w] = 0;
  b.bloom()[(right + 1) % 4] = bits;  // the bits in the wrong word
  CHECK(b.Find("memcpy") == -1);
  b.bloom()[right] = bits;
  CHECK(b.Find("memcpy") == b.Idx(0x10));
}

TEST_CASE("GNU hash: symbols below symoffset are never found through the table", "[symbols]") {
  TableBuilder b;
  SymSpec early = Fn("early", 0x10);
  b.Unhashed(early).Add(Fn("late", 0x20));
  const auto& t = b.Build(HashKind::kGnu);
  REQUIRE(t.gnu.symoffset == 2);
  CHECK(b.Find("late") == b.Idx(0x20));
  CHECK(b.Find("early") == -1);
}

TEST_CASE("GNU hash: a bucket pointing below symoffset finds nothing", "[symbols]") {
  TableBuilder b;
  b.Unhashed(Fn("u1", 0x10)).Unhashed(Fn("u2", 0x20)).Add(Fn("late", 0x30));
  TableBuilder::Options o;
  o.nbuckets = 1;
  b.Build(HashKind::kGnu, o);
  REQUIRE(b.Find("late") == b.Idx(0x30));
  b.buckets()[0] = 1;  // hostile: the chain would start before the chain array
  CHECK(b.Find("late") == -1);
  CHECK(b.Find("u1") == -1);
}

TEST_CASE("GNU hash: a chain without its end bit stops at the last symbol", "[symbols]") {
  TableBuilder b;
  b.Add(Fn("a1", 0x10)).Add(Fn("a2", 0x20)).Add(Fn("a3", 0x30));
  TableBuilder::Options o;
  o.nbuckets = 1;
  const auto& t = b.Build(HashKind::kGnu, o);
  const uint32_t n = t.nsyms - t.gnu.symoffset;
  for (uint32_t i = 0; i < n; ++i) b.chain()[i] &= ~1u;  // no terminator anywhere
  // ASan (exact-size arrays) reports any read past the chain.
  CHECK(b.Find("a3") == b.Idx(0x30));
  CHECK(b.Find("missing") == -1);
}

TEST_CASE("GNU hash: the end bit of a chain entry ends the walk", "[symbols]") {
  TableBuilder b;
  b.Add(Fn("a1", 0x10)).Add(Fn("a2", 0x20)).Add(Fn("a3", 0x30));
  TableBuilder::Options o;
  o.nbuckets = 1;
  const auto& t = b.Build(HashKind::kGnu, o);
  REQUIRE(b.Find("a3") == b.Idx(0x30));
  // Mark the chain's second entry as its last: the third is then outside
  // every chain, as in a table whose next bucket starts there.
  b.chain()[b.Idx(0x20) - t.gnu.symoffset] |= 1;
  CHECK(b.Find("a1") == b.Idx(0x10));
  CHECK(b.Find("a2") == b.Idx(0x20));
  CHECK(b.Find("a3") == -1);
}

TEST_CASE("GNU hash: a bucket index past the symbol count finds nothing", "[symbols]") {
  TableBuilder b;
  b.Add(Fn("x", 0x10));
  TableBuilder::Options o;
  o.nbuckets = 1;
  b.Build(HashKind::kGnu, o);
  b.buckets()[0] = 1000;
  CHECK(b.Find("x") == -1);
}

TEST_CASE("SysV hash: a cyclic chain in a hostile file ends the search", "[symbols]") {
  TableBuilder b;
  b.Add(Fn("c1", 0x10)).Add(Fn("c2", 0x20)).Add(Fn("c3", 0x30));
  TableBuilder::Options o;
  o.nbuckets = 1;
  b.Build(HashKind::kSysv, o);
  REQUIRE(b.Find("c3") == b.Idx(0x30));
  // Make every chain link point back at the bucket's first symbol.
  const uint32_t first = b.buckets()[0];
  for (uint32_t i = 1; i < 4; ++i) b.chain()[i] = first;
  CHECK(b.Find("missing") == -1);
}

TEST_CASE("SysV hash: bucket and chain indices past nchain end the search", "[symbols]") {
  TableBuilder b;
  b.Add(Fn("s1", 0x10)).Add(Fn("s2", 0x20));
  TableBuilder::Options o;
  o.nbuckets = 1;
  b.Build(HashKind::kSysv, o);
  SECTION("bucket out of range") {
    b.buckets()[0] = 77;
    CHECK(b.Find("s1") == -1);
  }
  SECTION("chain link out of range") {
    const uint32_t first = b.buckets()[0];
    b.chain()[first] = 0xffffffffu;
    CHECK(b.Find("missing") == -1);
  }
}

TEST_CASE("GNU hash is used when present; SysV only as the fallback", "[symbols]") {
  TableBuilder b;
  b.Add(Fn("both", 0x10));
  b.Build(HashKind::kSysv);
  rtld::elf::SymbolTable sysv_only = b.table();
  {
    HashedName n("both");
    CHECK(sysv_only.Find(n, nullptr) == b.Idx(0x10));
    CHECK(n.sysv_known);  // the SysV hash was needed and is now cached
  }
  TableBuilder g;
  g.Add(Fn("both", 0x10));
  g.Build(HashKind::kGnu);
  {
    HashedName n("both");
    CHECK(g.table().Find(n, nullptr) == g.Idx(0x10));
    CHECK_FALSE(n.sysv_known);  // hash once: no SysV hash for a GNU lookup
  }
  // With both tables, a SysV table that cannot find the name does not
  // matter: the GNU table decides.
  rtld::elf::SymbolTable both = g.table();
  uint32_t empty_bucket = 0, no_chain = 0;
  both.has_sysv = true;
  both.sysv.nbucket = 1;
  both.sysv.nchain = 1;
  both.sysv.buckets = &empty_bucket;
  both.sysv.chains = &no_chain;
  HashedName n("both");
  CHECK(both.Find(n, nullptr) == g.Idx(0x10));
}

TEST_CASE("A table with neither hash section finds nothing", "[symbols]") {
  TableBuilder b;
  b.Add(Fn("x", 0x10));
  b.Build(HashKind::kGnu);
  rtld::elf::SymbolTable t = b.table();
  t.has_gnu = false;
  HashedName n("x");
  CHECK(t.Find(n, nullptr) == -1);
}

// --- Which symbols are definitions -------------------------------------------

TEST_CASE("Binding: global, weak and unique are found; local is not", "[symbols]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  SymSpec weak = Fn("weak_sym", 0x10);
  weak.bind = STB_WEAK;
  SymSpec unique = Fn("unique_sym", 0x20);
  unique.bind = STB_GNU_UNIQUE;
  unique.type = STT_OBJECT;
  SymSpec local = Fn("local_sym", 0x30);
  local.bind = STB_LOCAL;
  SymSpec global = Fn("global_sym", 0x40);
  b.Add(weak).Add(unique).Add(local).Add(global).Build(kind);
  CHECK(b.Find("weak_sym") == b.Idx(0x10));
  CHECK(b.Find("unique_sym") == b.Idx(0x20));
  CHECK(b.Find("local_sym") == -1);
  CHECK(b.Find("global_sym") == b.Idx(0x40));
}

TEST_CASE("Type: code and data types are found; section and file symbols are not", "[symbols]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  struct {
    const char* name;
    unsigned type;
    bool found;
  } cases[] = {
      {"t_notype", STT_NOTYPE, true}, {"t_object", STT_OBJECT, true},
      {"t_func", STT_FUNC, true},     {"t_section", STT_SECTION, false},
      {"t_file", STT_FILE, false},    {"t_common", STT_COMMON, true},
      {"t_tls", STT_TLS, true},       {"t_ifunc", STT_GNU_IFUNC, true},
      {"t_seven", 7, false},          {"t_loproc", STT_LOPROC, false},
  };
  TableBuilder b;
  uint64_t v = 0x100;
  for (auto& c : cases) {
    SymSpec s = Fn(c.name, v++);
    s.type = c.type;
    b.Add(s);
  }
  b.Build(kind);
  v = 0x100;
  for (auto& c : cases) {
    INFO(c.name);
    CHECK(b.Find(c.name) == (c.found ? b.Idx(v) : -1));
    ++v;
  }
}

TEST_CASE("Value 0: only TLS and SHN_ABS symbols count as defined", "[symbols]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  SymSpec tls = Fn("tls0", 0);
  tls.type = STT_TLS;
  SymSpec abs = Fn("abs0", 1);  // value patched below (values must be distinct)
  abs.shndx = SHN_ABS;
  abs.type = STT_OBJECT;
  SymSpec obj = Fn("obj0", 2);
  obj.type = STT_OBJECT;
  b.Add(tls).Add(abs).Add(obj).Build(kind);
  const int64_t abs_idx = b.Idx(1), obj_idx = b.Idx(2);
  const_cast<rtld::elf::Sym&>(b.table().syms[abs_idx]).value = 0;
  const_cast<rtld::elf::Sym&>(b.table().syms[obj_idx]).value = 0;
  CHECK(b.Find("tls0") == b.Idx(0));
  CHECK(b.Find("abs0") == abs_idx);
  CHECK(b.Find("obj0") == -1);
}

TEST_CASE("Undefined symbols: never with value 0; with a value only for non-PLT references",
          "[symbols]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  SymSpec undef0 = Fn("undef_zero", 0);
  undef0.shndx = SHN_UNDEF;
  // A non-PIE program's canonical PLT entry: undefined, with a value.
  SymSpec canon = Fn("canonical", 0x401030);
  canon.shndx = SHN_UNDEF;
  SymSpec def = Fn("defined", 0x2000);
  b.Add(undef0).Add(canon).Add(def).Build(kind);
  CHECK(b.Find("undef_zero") == -1);
  CHECK(b.Find("undef_zero", nullptr, /*plt=*/true) == -1);
  CHECK(b.Find("canonical", nullptr, /*plt=*/false) == b.Idx(0x401030));
  CHECK(b.Find("canonical", nullptr, /*plt=*/true) == -1);
  CHECK(b.Find("defined", nullptr, /*plt=*/true) == b.Idx(0x2000));
}

TEST_CASE("Visibility: protected is found; hidden and internal are local and ignored",
          "[symbols]") {
  // glibc's do_lookup_x: "Hidden and internal symbols are local, ignore
  // them" (dl_symbol_visibility_binds_local_p), after check_match accepted
  // the symbol. A linker normally makes such symbols STB_LOCAL, but an
  // object may carry them as STB_GLOBAL in .dynsym.
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  SymSpec prot = Fn("prot", 0x10);
  prot.visibility = STV_PROTECTED;
  SymSpec hidden = Fn("hidden", 0x20);
  hidden.visibility = STV_HIDDEN;
  SymSpec internal = Fn("internal", 0x30);
  internal.visibility = STV_INTERNAL;
  b.Add(prot).Add(hidden).Add(internal).Build(kind);
  CHECK(b.Find("prot") == b.Idx(0x10));
  CHECK(b.Find("hidden") == -1);
  CHECK(b.Find("internal") == -1);
}

TEST_CASE("A symbol whose name offset is outside the string table never matches", "[symbols]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Add(Fn("named", 0x10)).Add(Fn("other", 0x20));
  const auto& t = b.Build(kind);
  const int64_t i = b.Idx(0x10);
  const_cast<rtld::elf::Sym&>(t.syms[i]).name = static_cast<uint32_t>(t.strsz);  // one past
  CHECK(b.Find("named") == -1);
  const_cast<rtld::elf::Sym&>(t.syms[i]).name = 0xffffffffu;
  CHECK(b.Find("named") == -1);
  CHECK(b.Find("other") == b.Idx(0x20));
}

// --- Versions ------------------------------------------------------------------

TEST_CASE("Versioned reference: the exact version is found", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Versions({"V1", "V2"});             // indices 2 and 3
  b.Add(Fn("foo", 0x10, 2 | kHidden));  // foo@V1
  b.Add(Fn("foo", 0x20, 3));            // foo@@V2
  b.Build(kind);
  const Version v1 = Want("V1"), v2 = Want("V2"), v3 = Want("V3");
  CHECK(b.Find("foo", &v1) == b.Idx(0x10));
  CHECK(b.Find("foo", &v2) == b.Idx(0x20));
  CHECK(b.Find("foo", &v3) == -1);
  // A hidden reference to an existing version still matches it exactly.
  const Version v1h = Want("V1", true);
  CHECK(b.Find("foo", &v1h) == b.Idx(0x10));
}

TEST_CASE("Versioned reference: the version hash and name must both match", "[versions]") {
  TableBuilder b;
  b.Versions({"V1"});
  b.Add(Fn("foo", 0x10, 2));
  b.Build(HashKind::kGnu);
  const Version right = Want("V1");
  Version wrong_hash = right;
  wrong_hash.hash ^= 1;
  Version wrong_name{"V9", right.hash, false, nullptr};  // same hash, other name
  CHECK(b.Find("foo", &right) == b.Idx(0x10));
  CHECK(b.Find("foo", &wrong_hash) == -1);
  CHECK(b.Find("foo", &wrong_name) == -1);
}

TEST_CASE("Versioned non-hidden reference accepts an unversioned definition", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  const uint16_t ndx = GENERATE(uint16_t{0}, uint16_t{1});  // VER_NDX_LOCAL, VER_NDX_GLOBAL
  INFO("definition's version index " << ndx);
  TableBuilder b;
  b.Versions({"V1"});
  b.Add(Fn("bar", 0x10, ndx));
  b.Build(kind);
  const Version v1 = Want("V1");
  CHECK(b.Find("bar", &v1) == b.Idx(0x10));
}

TEST_CASE("Hidden reference does not accept an unversioned definition", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Versions({"V1"});
  b.Add(Fn("bar", 0x10, 1));
  b.Build(kind);
  const Version v1h = Want("V1", /*hidden=*/true);
  CHECK(b.Find("bar", &v1h) == -1);
}

TEST_CASE("Versioned reference does not accept a hidden unversioned definition", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Versions({"V1"});
  b.Add(Fn("bar", 0x10, 1 | kHidden));
  b.Build(kind);
  const Version v1 = Want("V1");
  CHECK(b.Find("bar", &v1) == -1);
}

TEST_CASE("Versioned reference does not accept another version", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Versions({"V1", "V2"});
  b.Add(Fn("baz", 0x10, 3));  // baz@@V2 only
  b.Build(kind);
  const Version v1 = Want("V1");
  CHECK(b.Find("baz", &v1) == -1);
}

TEST_CASE("Versioned reference with a definition index past the version table", "[versions]") {
  TableBuilder b;
  b.Versions({"V1"});  // nversions = 3
  b.Add(Fn("odd", 0x10, 9));
  b.Build(HashKind::kGnu);
  const Version v1 = Want("V1");
  CHECK(b.Find("odd", &v1) == -1);
  CHECK(b.Find("odd") == b.Idx(0x10));  // unversioned: the single candidate
}

TEST_CASE("An object without DT_VERSYM satisfies any version", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Add(Fn("plain", 0x10)).NoVersym();
  b.Build(kind);
  const Version v = Want("ANY_1.0"), vh = Want("ANY_1.0", true);
  CHECK(b.Find("plain", &v) == b.Idx(0x10));
  CHECK(b.Find("plain", &vh) == b.Idx(0x10));
  CHECK(b.Find("plain") == b.Idx(0x10));
}

TEST_CASE("Unversioned reference takes index 0, 1 or 2 at once, even hidden", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  const uint16_t vs =
      GENERATE(uint16_t{0}, uint16_t{1}, uint16_t{2}, uint16_t{2 | 0x8000}, uint16_t{1 | 0x8000});
  INFO("versym " << vs);
  const bool early_first = GENERATE(true, false);
  INFO((early_first ? "early definition first in the chain" : "versioned definition first"));
  TableBuilder b;
  b.Versions({"V1", "V2", "V3"});
  // A public foo@@V2 (index 3) competes; chain order must not matter.
  if (early_first)
    b.Add(Fn("qux", 0x10, vs)).Add(Fn("qux", 0x20, 3));
  else
    b.Add(Fn("qux", 0x20, 3)).Add(Fn("qux", 0x10, vs));
  b.Build(kind);
  CHECK(b.Find("qux") == b.Idx(0x10));
}

TEST_CASE("Unversioned reference takes a single non-hidden versioned candidate", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Versions({"V1", "V2", "V3"});
  b.Add(Fn("only", 0x10, 4));
  b.Build(kind);
  CHECK(b.Find("only") == b.Idx(0x10));
}

TEST_CASE("Unversioned reference rejects two versioned candidates", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Versions({"V1", "V2", "V3"});
  b.Add(Fn("amb", 0x10, 3)).Add(Fn("amb", 0x20, 4));
  b.Build(kind);
  CHECK(b.Find("amb") == -1);
}

TEST_CASE("Unversioned reference ignores hidden versioned candidates", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Versions({"V1", "V2", "V3"});
  SECTION("one hidden, one default: the default") {
    b.Add(Fn("h", 0x10, 3 | kHidden)).Add(Fn("h", 0x20, 4));
    b.Build(kind);
    CHECK(b.Find("h") == b.Idx(0x20));
  }
  SECTION("only hidden ones: nothing") {
    b.Add(Fn("h", 0x10, 3 | kHidden)).Add(Fn("h", 0x20, 4 | kHidden));
    b.Build(kind);
    CHECK(b.Find("h") == -1);
  }
  SECTION("two hidden and one default: the default") {
    b.Add(Fn("h", 0x10, 3 | kHidden)).Add(Fn("h", 0x20, 4)).Add(Fn("h", 0x30, 3 | kHidden));
    b.Build(kind);
    CHECK(b.Find("h") == b.Idx(0x20));
  }
}

TEST_CASE("Newest mode (dlsym): the default version rather than the oldest", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Versions({"V1", "V2"});  // 2, 3
  SECTION("foo@V1 hidden, foo@@V2") {
    b.Add(Fn("foo", 0x10, 2 | kHidden)).Add(Fn("foo", 0x20, 3));
    b.Build(kind);
    CHECK(b.Find("foo", nullptr, false, /*newest=*/false) == b.Idx(0x10));
    CHECK(b.Find("foo", nullptr, false, /*newest=*/true) == b.Idx(0x20));
  }
  SECTION("an unversioned definition is still taken at once") {
    b.Add(Fn("foo", 0x10, 1)).Add(Fn("foo", 0x20, 3));
    b.Build(kind);
    CHECK(b.Find("foo", nullptr, false, true) == b.Idx(0x10));
  }
  SECTION("index 2 becomes a candidate: alone it is found") {
    b.Add(Fn("foo", 0x10, 2));
    b.Build(kind);
    CHECK(b.Find("foo", nullptr, false, true) == b.Idx(0x10));
  }
  SECTION("index 2 and 3 both public: ambiguous") {
    b.Add(Fn("foo", 0x10, 2)).Add(Fn("foo", 0x20, 3));
    b.Build(kind);
    CHECK(b.Find("foo", nullptr, false, true) == -1);
    CHECK(b.Find("foo", nullptr, false, false) == b.Idx(0x10));
  }
  SECTION("only a hidden old version: dlsym finds nothing") {
    b.Add(Fn("foo", 0x10, 2 | kHidden));
    b.Build(kind);
    CHECK(b.Find("foo", nullptr, false, true) == -1);
    CHECK(b.Find("foo", nullptr, false, false) == b.Idx(0x10));
  }
}

TEST_CASE("Version rules apply after the definition rules", "[versions]") {
  const HashKind kind = GENERATE(HashKind::kGnu, HashKind::kSysv);
  INFO(unit::KindName(kind));
  TableBuilder b;
  b.Versions({"V1", "V2", "V3"});
  // An undefined foo@V3 does not count as a candidate for a PLT reference
  // and does not make the defined foo@@V2 ambiguous.
  SymSpec undef = Fn("foo", 0x10, 4);
  undef.shndx = SHN_UNDEF;
  b.Add(undef).Add(Fn("foo", 0x20, 3));
  b.Build(kind);
  CHECK(b.Find("foo", nullptr, /*plt=*/true) == b.Idx(0x20));
  const Version v3 = Want("V3");
  CHECK(b.Find("foo", &v3, /*plt=*/true) == -1);
  CHECK(b.Find("foo", &v3, /*plt=*/false) == b.Idx(0x10));
}
