// SymbolTable::Find over real objects: the fixture library built by meson
// (symbol versions, weak, protected, IFUNC, TLS) and the libc.so.6 this
// process runs with. Two oracles: `nm -D` (binutils' reading of the file)
// and glibc's own loader through dlsym/dlvsym on the same file, mapped.
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "elf_file.h"
#include "reference.h"
#include "symtab_builder.h"

using rtld::elf::HashedName;
using rtld::elf::SymbolTable;
using rtld::elf::Version;
using unit::ElfFile;
using unit::Want;

namespace {

struct Mapped {
  void* handle = nullptr;
  uintptr_t base = 0;
};

Mapped Open(const char* path, int extra_flags = 0) {
  Mapped m;
  m.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | extra_flags);
  if (m.handle != nullptr) {
    struct link_map* lm = nullptr;
    if (dlinfo(m.handle, RTLD_DI_LINKMAP, &lm) == 0 && lm != nullptr) m.base = lm->l_addr;
  }
  return m;
}

int64_t Find(const SymbolTable& t, const char* name, const Version* want, bool newest = false) {
  HashedName h(name);
  return t.Find(h, want, /*plt=*/false, newest);
}

// The file's value of the symbol Find returned, or ~0 for "not found".
uint64_t ValueOf(const SymbolTable& t, int64_t i) { return i < 0 ? ~uint64_t{0} : t.syms[i].value; }

uintptr_t Addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

bool Definition(const Elf64_Sym& s) {
  const unsigned bind = ELF64_ST_BIND(s.st_info), type = ELF64_ST_TYPE(s.st_info);
  return s.st_shndx != SHN_UNDEF &&
         (bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE) &&
         type != STT_SECTION && type != STT_FILE;
}

// Symbols whose dlsym address is base + st_value (not IFUNC: dlsym calls
// the resolver; not TLS: dlsym gives this thread's copy; not SHN_ABS).
bool PlainAddress(const Elf64_Sym& s) {
  const unsigned type = ELF64_ST_TYPE(s.st_info);
  return type != STT_GNU_IFUNC && type != STT_TLS && s.st_shndx != SHN_ABS && s.st_value != 0;
}

// Each defined symbol, looked up by its own version as dlvsym asks (a hidden
// reference), must be itself; where glibc can give an address, the address
// must be the same.
void CheckEveryDefinition(const ElfFile& f, const SymbolTable& t, const Mapped& m,
                          size_t* checked) {
  const auto versions = f.Versions();
  for (const ElfFile::DynSym& d : f.DynamicSymbols()) {
    if (!Definition(*d.sym)) continue;
    INFO(f.path() << ": [" << d.index << "] " << d.name << "@" << d.version << " versym 0x"
                  << std::hex << d.versym << std::dec);
    if (!d.version.empty()) {
      const Version want = Want(d.version.c_str(), /*hidden=*/true);
      CHECK(Find(t, d.name.c_str(), &want) == d.index);
      if (PlainAddress(*d.sym) && m.handle != nullptr)
        CHECK(Addr(dlvsym(m.handle, d.name.c_str(), d.version.c_str())) ==
              m.base + d.sym->st_value);
    }
    // dlsym's rule (newest): a default (non-hidden) definition is found.
    if ((d.versym & 0x8000) == 0) {
      const int64_t i = Find(t, d.name.c_str(), nullptr, /*newest=*/true);
      CHECK(i == d.index);
      if (PlainAddress(*d.sym) && m.handle != nullptr)
        CHECK(Addr(dlsym(m.handle, d.name.c_str())) == m.base + d.sym->st_value);
    }
    ++*checked;
  }
}

// `nm -D --defined-only` lines: "VALUE TYPE NAME[@[@]VERSION]".
struct NmSymbol {
  uint64_t value;
  char type;
  std::string name, version;
  bool is_default;  // "@@"
};

std::vector<NmSymbol> Nm(const std::string& path) {
  std::vector<NmSymbol> out;
  std::istringstream in(unit::RunCommand("nm -D --defined-only '" + path + "' 2>/dev/null"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string value, type, name;
    if (!(ls >> value >> type >> name)) continue;
    NmSymbol s{std::stoull(value, nullptr, 16), type[0], name, "", false};
    const size_t at = name.find('@');
    if (at != std::string::npos) {
      s.name = name.substr(0, at);
      s.is_default = name.compare(at, 2, "@@") == 0;
      s.version = name.substr(at + (s.is_default ? 2 : 1));
    }
    out.push_back(s);
  }
  return out;
}

void CheckAgainstNm(const ElfFile& f, const SymbolTable& t, size_t* checked) {
  const auto syms = Nm(f.path());
  REQUIRE(!syms.empty());  // nm is part of binutils, which the build needs
  for (const NmSymbol& s : syms) {
    INFO(f.path() << ": nm says " << s.type << " " << s.name << (s.is_default ? "@@" : "@")
                  << s.version << " = 0x" << std::hex << s.value);
    if (s.version.empty()) {
      CHECK(ValueOf(t, Find(t, s.name.c_str(), nullptr)) == s.value);
    } else {
      const Version want = Want(s.version.c_str());
      CHECK(ValueOf(t, Find(t, s.name.c_str(), &want)) == s.value);
      if (s.is_default) CHECK(ValueOf(t, Find(t, s.name.c_str(), nullptr, true)) == s.value);
    }
    ++*checked;
  }
}

}  // namespace

TEST_CASE("Fixture: version rules agree with glibc's dlsym and dlvsym", "[symbols-real]") {
  ElfFile f;
  REQUIRE(f.Load(unit::FixturePath()));
  const auto versions = f.Versions();
  const bool use_gnu = GENERATE(true, false);
  INFO((use_gnu ? "DT_GNU_HASH" : "DT_HASH"));
  const SymbolTable t = f.Table(versions, use_gnu, !use_gnu);
  REQUIRE((use_gnu ? t.has_gnu : t.has_sysv));
  Mapped m = Open(unit::FixturePath());
  REQUIRE(m.handle != nullptr);
  using Fn = int (*)();
  auto call = [](void* p) { return p ? reinterpret_cast<Fn>(p)() : -1; };

  const Version v1 = Want("V1"), v2 = Want("V2"), v1_hidden = Want("V1", true);

  // The oracle itself behaves as the fixture's source says.
  REQUIRE(call(dlvsym(m.handle, "foo", "V1")) == 1);
  REQUIRE(call(dlvsym(m.handle, "foo", "V2")) == 2);
  REQUIRE(call(dlsym(m.handle, "foo")) == 2);

  // foo@V1 (hidden), foo@@V2.
  CHECK(m.base + ValueOf(t, Find(t, "foo", &v1)) == Addr(dlvsym(m.handle, "foo", "V1")));
  CHECK(m.base + ValueOf(t, Find(t, "foo", &v2)) == Addr(dlvsym(m.handle, "foo", "V2")));
  // An unversioned (old) reference binds to the oldest version ...
  CHECK(ValueOf(t, Find(t, "foo", nullptr)) == ValueOf(t, Find(t, "foo", &v1)));
  // ... dlsym to the default one.
  CHECK(m.base + ValueOf(t, Find(t, "foo", nullptr, true)) == Addr(dlsym(m.handle, "foo")));

  // old_only exists only as old_only@V1 (hidden): old references take it,
  // dlsym does not.
  CHECK(Find(t, "old_only", &v1) >= 0);
  CHECK(Find(t, "old_only", nullptr) == Find(t, "old_only", &v1));
  CHECK(Find(t, "old_only", nullptr, true) == -1);
  CHECK(dlsym(m.handle, "old_only") == nullptr);
  CHECK(call(dlvsym(m.handle, "old_only", "V1")) == 5);

  // new_only@@V2: the single candidate for both kinds of unversioned lookup.
  CHECK(Find(t, "new_only", nullptr) >= 0);
  CHECK(m.base + ValueOf(t, Find(t, "new_only", nullptr, true)) ==
        Addr(dlsym(m.handle, "new_only")));
  CHECK(Find(t, "new_only", &v1) == -1);
  CHECK(dlvsym(m.handle, "new_only", "V1") == nullptr);

  // unversioned_fn has index 1: a non-hidden V1 reference accepts it, a
  // hidden one (which is what dlvsym makes) does not.
  CHECK(Find(t, "unversioned_fn", &v1) >= 0);
  CHECK(Find(t, "unversioned_fn", &v1_hidden) == -1);
  CHECK(dlvsym(m.handle, "unversioned_fn", "V1") == nullptr);
  CHECK(m.base + ValueOf(t, Find(t, "unversioned_fn", nullptr)) ==
        Addr(dlsym(m.handle, "unversioned_fn")));

  // Weak, protected, data and IFUNC definitions.
  CHECK(m.base + ValueOf(t, Find(t, "weak_fn", nullptr)) == Addr(dlsym(m.handle, "weak_fn")));
  CHECK(m.base + ValueOf(t, Find(t, "protected_fn", nullptr)) ==
        Addr(dlsym(m.handle, "protected_fn")));
  CHECK(m.base + ValueOf(t, Find(t, "data_obj", nullptr)) == Addr(dlsym(m.handle, "data_obj")));
  const int64_t ifunc = Find(t, "ifunc_fn", nullptr);
  REQUIRE(ifunc >= 0);
  CHECK(t.syms[ifunc].type() == STT_GNU_IFUNC);
  CHECK(call(dlsym(m.handle, "ifunc_fn")) == 8);

  // The symbols the fixture keeps local are not exported.
  for (const char* local : {"foo_v1", "foo_v2", "old_only_v1", "ifunc_impl", "targets"}) {
    INFO(local);
    CHECK(Find(t, local, nullptr) == -1);
    CHECK(dlsym(m.handle, local) == nullptr);
  }
  dlclose(m.handle);
}

TEST_CASE("Fixture: a TLS symbol with value 0 is found", "[symbols-real]") {
  ElfFile f;
  REQUIRE(f.Load(unit::FixturePath()));
  const auto versions = f.Versions();
  const SymbolTable t = f.Table(versions);
  bool seen = false;
  for (const ElfFile::DynSym& d : f.DynamicSymbols()) {
    if (ELF64_ST_TYPE(d.sym->st_info) != STT_TLS || d.sym->st_value != 0) continue;
    INFO(d.name);
    CHECK(Find(t, d.name.c_str(), nullptr) == d.index);
    seen = true;
  }
  CHECK(seen);
}

TEST_CASE("Fixture: every definition is found by its own version, as glibc finds it",
          "[symbols-real]") {
  ElfFile f;
  REQUIRE(f.Load(unit::FixturePath()));
  const auto versions = f.Versions();
  Mapped m = Open(unit::FixturePath());
  REQUIRE(m.handle != nullptr);
  for (bool use_gnu : {true, false}) {
    INFO((use_gnu ? "DT_GNU_HASH" : "DT_HASH"));
    const SymbolTable t = f.Table(versions, use_gnu, !use_gnu);
    size_t checked = 0;
    CheckEveryDefinition(f, t, m, &checked);
    CHECK(checked >= 10);
    size_t nm_checked = 0;
    CheckAgainstNm(f, t, &nm_checked);
    CHECK(nm_checked >= 10);
  }
  dlclose(m.handle);
}

TEST_CASE("libc.so.6: every definition is found by its own version, as glibc finds it",
          "[symbols-real]") {
  ElfFile f;
  REQUIRE(f.Load(unit::LibcPath()));
  const auto versions = f.Versions();
  const SymbolTable t = f.Table(versions);
  REQUIRE(t.has_gnu);
  Mapped m = Open(unit::LibcPath().c_str(), RTLD_NOLOAD);
  REQUIRE(m.handle != nullptr);
  size_t checked = 0;
  CheckEveryDefinition(f, t, m, &checked);
  CHECK(checked > 1000);
  size_t nm_checked = 0;
  CheckAgainstNm(f, t, &nm_checked);
  CHECK(nm_checked > 1000);
  // Names libc does not define.
  CHECK(Find(t, "rtld_unit_no_such_symbol", nullptr) == -1);
  CHECK(Find(t, "", nullptr) == -1);
  const Version bogus = Want("GLIBC_0.0");
  CHECK(Find(t, "printf", &bogus) == -1);
  dlclose(m.handle);
}

TEST_CASE("Hidden and internal visibility in .dynsym: ignored, as glibc ignores them",
          "[symbols-real]") {
  // A copy of the fixture with two exported symbols patched to STV_HIDDEN
  // and STV_INTERNAL (st_other only; hashes and versions unchanged). glibc's
  // dlsym is the oracle for the lookup rule.
  ElfFile f;
  REQUIRE(f.Load(unit::FixturePath()));
  std::vector<uint8_t> bytes(f.data(), f.data() + f.size());
  unsigned patched = 0;
  for (const ElfFile::DynSym& d : f.DynamicSymbols()) {
    const uint64_t other = f.dynsym()->sh_offset + uint64_t{d.index} * sizeof(Elf64_Sym) +
                           offsetof(Elf64_Sym, st_other);
    if (d.name == "unversioned_fn") bytes[other] = STV_HIDDEN, ++patched;
    if (d.name == "weak_fn") bytes[other] = STV_INTERNAL, ++patched;
  }
  REQUIRE(patched == 2);
  char path[] = "/tmp/rtld-unit-visibility-XXXXXX.so";
  const int fd = mkstemps(path, 3);
  REQUIRE(fd >= 0);
  const bool written = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  close(fd);
  REQUIRE(written);

  ElfFile p;
  REQUIRE(p.Load(path));
  const auto versions = p.Versions();
  Mapped m = Open(path);
  unlink(path);
  REQUIRE(m.handle != nullptr);
  CHECK(dlsym(m.handle, "unversioned_fn") == nullptr);
  CHECK(dlsym(m.handle, "weak_fn") == nullptr);
  CHECK(dlsym(m.handle, "new_only") != nullptr);
  for (bool use_gnu : {true, false}) {
    INFO((use_gnu ? "DT_GNU_HASH" : "DT_HASH"));
    const SymbolTable t = p.Table(versions, use_gnu, !use_gnu);
    CHECK(Find(t, "unversioned_fn", nullptr, true) == -1);
    CHECK(Find(t, "unversioned_fn", nullptr) == -1);
    CHECK(Find(t, "weak_fn", nullptr, true) == -1);
    CHECK(Find(t, "new_only", nullptr, true) >= 0);
  }
  dlclose(m.handle);
}
