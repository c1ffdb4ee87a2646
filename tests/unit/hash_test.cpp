// GNU and SysV symbol hashes: known values, agreement with reference
// implementations, HashedName caching, and agreement with the hash sections
// the system linker wrote into real objects.
#include "rtld/elf/hash.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "elf_file.h"
#include "reference.h"

using rtld::elf::GnuHash;
using rtld::elf::HashedName;
using rtld::elf::SysvHash;

namespace {

// Names that exercise the interesting paths: empty, short, long enough for
// the ELF hash's top nibble to fold back, bytes >= 0x80, C++ mangling.
const std::vector<std::string>& Corpus() {
  static const std::vector<std::string> names = {
      "",
      "a",
      "printf",
      "exit",
      "syscall",
      "flapenguin.me",
      "__libc_start_main",
      "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE",
      "\xff",
      "\x80\x81\x82\xfe",
      "caf\xc3\xa9",
      std::string(300, 'z'),
      "GLIBC_2.2.5",
      "GLIBC_PRIVATE",
      "_ZN9__gnu_cxx13new_allocatorIcED2Ev"};
  return names;
}

}  // namespace

TEST_CASE("GnuHash gives the published values", "[hash]") {
  // Values from the DJB definition, computed outside this code base
  // (Python); "" is the seed, 5381.
  constexpr uint32_t empty = GnuHash("");  // usable at compile time
  CHECK(empty == 5381u);
  CHECK(GnuHash("printf") == 0x156b2bb8u);
  CHECK(GnuHash("exit") == 0x7c967e3fu);
  CHECK(GnuHash("syscall") == 0xbac212a0u);
  CHECK(GnuHash("flapenguin.me") == 0x8ae9f18eu);
  CHECK(GnuHash("_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE") == 0x6f35d33cu);
  // Bytes are unsigned: 5381 * 33 + 255.
  CHECK(GnuHash("\xff") == 0x2b6a4u);
}

TEST_CASE("SysvHash gives the published values", "[hash]") {
  constexpr uint32_t empty = SysvHash("");
  CHECK(empty == 0u);
  CHECK(SysvHash("printf") == 0x077905a6u);
  CHECK(SysvHash("exit") == 0x0006cf04u);
  CHECK(SysvHash("syscall") == 0x0b09985cu);
  CHECK(SysvHash("flapenguin.me") == 0x03987915u);
  CHECK(SysvHash("_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE") == 0x05599875u);
  CHECK(SysvHash("\xff") == 0xffu);
}

TEST_CASE("GnuHash and SysvHash agree with the reference definitions", "[hash]") {
  for (const std::string& s : Corpus()) {
    INFO("name: \"" << s << "\"");
    CHECK(GnuHash(s.c_str()) == unit::RefGnuHash(s));
    CHECK(SysvHash(s.c_str()) == unit::RefElfHash(s));
    // The ELF hash never has its top nibble set.
    CHECK((SysvHash(s.c_str()) & 0xf0000000u) == 0);
  }
}

TEST_CASE("HashedName computes the GNU hash at once and the SysV hash on first need", "[hash]") {
  HashedName n("printf");
  CHECK(n.gnu == 0x156b2bb8u);
  CHECK_FALSE(n.sysv_known);
  CHECK(n.Sysv() == 0x077905a6u);
  CHECK(n.sysv_known);
  CHECK(n.Sysv() == 0x077905a6u);

  // A caller that already has the GNU hash passes it in; it is kept as given.
  HashedName given("printf", 0x12345678u);
  CHECK(given.gnu == 0x12345678u);
  CHECK(given.Sysv() == 0x077905a6u);
}

namespace {

// Checks every hashed symbol of a real object's .gnu.hash: chain value,
// bucket grouping, Bloom bits, all against GnuHash of the symbol's name.
void CheckGnuHashSection(const unit::ElfFile& f) {
  const Elf64_Shdr* g = f.Section(SHT_GNU_HASH);
  REQUIRE(g != nullptr);
  const uint32_t* h = f.At<uint32_t>(g->sh_offset);
  const uint32_t nbuckets = h[0], symoffset = h[1], bloom_size = h[2], shift = h[3];
  const uint64_t* bloom = f.At<uint64_t>(g->sh_offset + 16);
  const uint32_t* buckets = reinterpret_cast<const uint32_t*>(bloom + bloom_size);
  const uint32_t* chain = buckets + nbuckets;
  const uint32_t nsyms = f.nsyms();
  REQUIRE(nbuckets > 0);
  REQUIRE(symoffset <= nsyms);
  size_t checked = 0;
  for (uint32_t i = symoffset; i < nsyms; ++i) {
    const char* name = f.dynstr() + f.syms()[i].st_name;
    INFO(f.path() << ": symbol " << i << " " << name);
    const uint32_t hash = GnuHash(name);
    CHECK((chain[i - symoffset] >> 1) == (hash >> 1));
    // The symbol's bucket starts at or before it.
    const uint32_t first = buckets[hash % nbuckets];
    CHECK(first >= symoffset);
    CHECK(first <= i);
    // Both Bloom bits are set in the right word.
    const uint64_t word = bloom[(hash / 64) % bloom_size];
    CHECK(((word >> (hash % 64)) & 1) == 1);
    CHECK(((word >> ((hash >> shift) % 64)) & 1) == 1);
    ++checked;
  }
  CHECK(checked > 0);
}

}  // namespace

TEST_CASE("GnuHash agrees with the .gnu.hash the linker wrote into libc.so.6", "[hash]") {
  unit::ElfFile libc;
  REQUIRE(libc.Load(unit::LibcPath()));
  CheckGnuHashSection(libc);
}

TEST_CASE("GnuHash and SysvHash agree with the fixture library's hash sections", "[hash]") {
  unit::ElfFile fx;
  REQUIRE(fx.Load(unit::FixturePath()));
  CheckGnuHashSection(fx);

  // .hash (linked with --hash-style=both): every symbol is on the chain of
  // bucket SysvHash(name) % nbucket.
  const Elf64_Shdr* s = fx.Section(SHT_HASH);
  REQUIRE(s != nullptr);
  const uint32_t* h = fx.At<uint32_t>(s->sh_offset);
  const uint32_t nbucket = h[0], nchain = h[1];
  REQUIRE(nchain == fx.nsyms());
  for (uint32_t i = 1; i < nchain; ++i) {
    const char* name = fx.dynstr() + fx.syms()[i].st_name;
    INFO("symbol " << i << " " << name);
    bool on_chain = false;
    unsigned steps = 0;
    for (uint32_t j = h[2 + SysvHash(name) % nbucket]; j != 0 && steps <= nchain;
         j = h[2 + nbucket + j], ++steps)
      if (j == i) on_chain = true;
    CHECK(on_chain);
  }
}
