// The ELF model's structures (layouts and accessors, against glibc's
// <elf.h>) and CheckEhdr (glibc's open_verify rules and messages).
#include "rtld/elf/types.h"

#include <stddef.h>
#include <string.h>

#include <catch2/catch.hpp>
#include <string>

#include "elf_file.h"

namespace elf = rtld::elf;
using elf::CheckEhdr;
using elf::EhdrVerdict;

// --- Layouts -------------------------------------------------------------------

#define SAME_FIELD(ours, field, theirs, tfield)               \
  do {                                                        \
    CHECK(offsetof(ours, field) == offsetof(theirs, tfield)); \
    CHECK(sizeof(ours::field) == sizeof(theirs::tfield));     \
  } while (0)

TEST_CASE("Structures have the gABI layout of their Elf64_ counterparts", "[types]") {
  CHECK(sizeof(elf::Ehdr) == sizeof(Elf64_Ehdr));
  SAME_FIELD(elf::Ehdr, ident, Elf64_Ehdr, e_ident);
  SAME_FIELD(elf::Ehdr, type, Elf64_Ehdr, e_type);
  SAME_FIELD(elf::Ehdr, machine, Elf64_Ehdr, e_machine);
  SAME_FIELD(elf::Ehdr, version, Elf64_Ehdr, e_version);
  SAME_FIELD(elf::Ehdr, entry, Elf64_Ehdr, e_entry);
  SAME_FIELD(elf::Ehdr, phoff, Elf64_Ehdr, e_phoff);
  SAME_FIELD(elf::Ehdr, shoff, Elf64_Ehdr, e_shoff);
  SAME_FIELD(elf::Ehdr, flags, Elf64_Ehdr, e_flags);
  SAME_FIELD(elf::Ehdr, ehsize, Elf64_Ehdr, e_ehsize);
  SAME_FIELD(elf::Ehdr, phentsize, Elf64_Ehdr, e_phentsize);
  SAME_FIELD(elf::Ehdr, phnum, Elf64_Ehdr, e_phnum);
  SAME_FIELD(elf::Ehdr, shentsize, Elf64_Ehdr, e_shentsize);
  SAME_FIELD(elf::Ehdr, shnum, Elf64_Ehdr, e_shnum);
  SAME_FIELD(elf::Ehdr, shstrndx, Elf64_Ehdr, e_shstrndx);

  CHECK(sizeof(elf::Phdr) == sizeof(Elf64_Phdr));
  SAME_FIELD(elf::Phdr, type, Elf64_Phdr, p_type);
  SAME_FIELD(elf::Phdr, flags, Elf64_Phdr, p_flags);
  SAME_FIELD(elf::Phdr, offset, Elf64_Phdr, p_offset);
  SAME_FIELD(elf::Phdr, vaddr, Elf64_Phdr, p_vaddr);
  SAME_FIELD(elf::Phdr, paddr, Elf64_Phdr, p_paddr);
  SAME_FIELD(elf::Phdr, filesz, Elf64_Phdr, p_filesz);
  SAME_FIELD(elf::Phdr, memsz, Elf64_Phdr, p_memsz);
  SAME_FIELD(elf::Phdr, align, Elf64_Phdr, p_align);

  CHECK(sizeof(elf::Dyn) == sizeof(Elf64_Dyn));
  SAME_FIELD(elf::Dyn, tag, Elf64_Dyn, d_tag);
  SAME_FIELD(elf::Dyn, val, Elf64_Dyn, d_un.d_val);

  CHECK(sizeof(elf::Sym) == sizeof(Elf64_Sym));
  SAME_FIELD(elf::Sym, name, Elf64_Sym, st_name);
  SAME_FIELD(elf::Sym, info, Elf64_Sym, st_info);
  SAME_FIELD(elf::Sym, other, Elf64_Sym, st_other);
  SAME_FIELD(elf::Sym, shndx, Elf64_Sym, st_shndx);
  SAME_FIELD(elf::Sym, value, Elf64_Sym, st_value);
  SAME_FIELD(elf::Sym, size, Elf64_Sym, st_size);

  CHECK(sizeof(elf::Rela) == sizeof(Elf64_Rela));
  SAME_FIELD(elf::Rela, offset, Elf64_Rela, r_offset);
  SAME_FIELD(elf::Rela, info, Elf64_Rela, r_info);
  SAME_FIELD(elf::Rela, addend, Elf64_Rela, r_addend);
  CHECK(sizeof(elf::Rel) == sizeof(Elf64_Rel));
  SAME_FIELD(elf::Rel, offset, Elf64_Rel, r_offset);
  SAME_FIELD(elf::Rel, info, Elf64_Rel, r_info);

  CHECK(sizeof(elf::Verdef) == sizeof(Elf64_Verdef));
  SAME_FIELD(elf::Verdef, version, Elf64_Verdef, vd_version);
  SAME_FIELD(elf::Verdef, flags, Elf64_Verdef, vd_flags);
  SAME_FIELD(elf::Verdef, ndx, Elf64_Verdef, vd_ndx);
  SAME_FIELD(elf::Verdef, cnt, Elf64_Verdef, vd_cnt);
  SAME_FIELD(elf::Verdef, hash, Elf64_Verdef, vd_hash);
  SAME_FIELD(elf::Verdef, aux, Elf64_Verdef, vd_aux);
  SAME_FIELD(elf::Verdef, next, Elf64_Verdef, vd_next);
  CHECK(sizeof(elf::Verdaux) == sizeof(Elf64_Verdaux));
  SAME_FIELD(elf::Verdaux, name, Elf64_Verdaux, vda_name);
  SAME_FIELD(elf::Verdaux, next, Elf64_Verdaux, vda_next);
  CHECK(sizeof(elf::Verneed) == sizeof(Elf64_Verneed));
  SAME_FIELD(elf::Verneed, version, Elf64_Verneed, vn_version);
  SAME_FIELD(elf::Verneed, cnt, Elf64_Verneed, vn_cnt);
  SAME_FIELD(elf::Verneed, file, Elf64_Verneed, vn_file);
  SAME_FIELD(elf::Verneed, aux, Elf64_Verneed, vn_aux);
  SAME_FIELD(elf::Verneed, next, Elf64_Verneed, vn_next);
  CHECK(sizeof(elf::Vernaux) == sizeof(Elf64_Vernaux));
  SAME_FIELD(elf::Vernaux, hash, Elf64_Vernaux, vna_hash);
  SAME_FIELD(elf::Vernaux, flags, Elf64_Vernaux, vna_flags);
  SAME_FIELD(elf::Vernaux, other, Elf64_Vernaux, vna_other);
  SAME_FIELD(elf::Vernaux, name, Elf64_Vernaux, vna_name);
  SAME_FIELD(elf::Vernaux, next, Elf64_Vernaux, vna_next);
}

TEST_CASE("Sym accessors decode st_info and st_other as the ELF64_ST_ macros do", "[types]") {
  for (unsigned info = 0; info < 256; ++info) {
    for (unsigned other : {0u, 1u, 2u, 3u, 0x80u | 2u, 0xfcu}) {
      elf::Sym s{};
      s.info = static_cast<unsigned char>(info);
      s.other = static_cast<unsigned char>(other);
      INFO("info 0x" << std::hex << info << " other 0x" << other);
      CHECK(s.bind() == ELF64_ST_BIND(info));
      CHECK(s.type() == ELF64_ST_TYPE(info));
      CHECK(s.visibility() == ELF64_ST_VISIBILITY(other));
    }
  }
  elf::Sym s{};
  s.shndx = SHN_UNDEF;
  CHECK_FALSE(s.defined());
  s.shndx = SHN_ABS;
  CHECK(s.defined());
  s.shndx = 7;
  CHECK(s.defined());
}

TEST_CASE("Rela and Rel accessors split r_info as ELF64_R_SYM and ELF64_R_TYPE do", "[types]") {
  const uint64_t infos[] = {0,
                            8,
                            ELF64_R_INFO(1, 6),
                            ELF64_R_INFO(0xffffffffu, 0xffffffffu),
                            ELF64_R_INFO(123456, 37),
                            0x8000000000000001ull};
  for (uint64_t info : infos) {
    INFO("r_info 0x" << std::hex << info);
    elf::Rela a{0x1000, info, -8};
    elf::Rel l{0x1000, info};
    CHECK(a.type() == ELF64_R_TYPE(info));
    CHECK(a.symndx() == ELF64_R_SYM(info));
    CHECK(l.type() == ELF64_R_TYPE(info));
    CHECK(l.symndx() == ELF64_R_SYM(info));
  }
}

TEST_CASE("Table is a bounds view of a counted array", "[types]") {
  const uint32_t data[] = {5, 6, 7};
  elf::Table<uint32_t> t{data, 3};
  CHECK_FALSE(t.empty());
  CHECK(t.size() == 3);
  CHECK(t[2] == 7);
  uint32_t sum = 0;
  for (uint32_t v : t) sum += v;
  CHECK(sum == 18);
  elf::Table<uint32_t> none;
  CHECK(none.empty());
  CHECK(none.begin() == none.end());
}

// --- CheckEhdr -----------------------------------------------------------------

namespace {

// A header glibc accepts: ELF64, little-endian, current version, SYSV ABI,
// ET_DYN for x86-64 with 56-byte program headers.
elf::Ehdr GoodHeader() {
  elf::Ehdr eh{};
  memcpy(eh.ident, ELFMAG, SELFMAG);
  eh.ident[EI_CLASS] = ELFCLASS64;
  eh.ident[EI_DATA] = ELFDATA2LSB;
  eh.ident[EI_VERSION] = EV_CURRENT;
  eh.ident[EI_OSABI] = ELFOSABI_SYSV;
  eh.ident[EI_ABIVERSION] = 0;
  eh.type = ET_DYN;
  eh.machine = EM_X86_64;
  eh.version = EV_CURRENT;
  eh.phoff = 64;
  eh.ehsize = 64;
  eh.phentsize = 56;
  eh.phnum = 1;
  return eh;
}

std::string Msg(const EhdrVerdict& v) { return v.message ? v.message : "(null)"; }

}  // namespace

TEST_CASE("CheckEhdr accepts valid headers", "[ehdr]") {
  elf::Ehdr eh = GoodHeader();
  CHECK(CheckEhdr(eh, 64).kind == EhdrVerdict::kOk);
  CHECK(CheckEhdr(eh, 1 << 20).kind == EhdrVerdict::kOk);
  eh.type = ET_EXEC;
  CHECK(CheckEhdr(eh, 4096).kind == EhdrVerdict::kOk);
  // GNU/Linux OS ABI with ABI versions 0..3 (unique symbols, IFUNC, absolute).
  eh.ident[EI_OSABI] = ELFOSABI_GNU;
  for (unsigned char v = 0; v <= 3; ++v) {
    eh.ident[EI_ABIVERSION] = v;
    INFO("ELFOSABI_GNU, ABI version " << int{v});
    CHECK(CheckEhdr(eh, 4096).kind == EhdrVerdict::kOk);
  }
  // Usable at compile time.
  constexpr elf::Ehdr kConst = [] {
    elf::Ehdr e{};
    e.ident[0] = 0x7f, e.ident[1] = 'E', e.ident[2] = 'L', e.ident[3] = 'F';
    e.ident[EI_CLASS] = ELFCLASS64, e.ident[EI_DATA] = ELFDATA2LSB,
    e.ident[EI_VERSION] = EV_CURRENT;
    e.type = ET_DYN, e.machine = EM_X86_64, e.version = EV_CURRENT, e.phentsize = 56;
    return e;
  }();
  constexpr EhdrVerdict kVerdict = CheckEhdr(kConst, 64);
  CHECK(kVerdict.kind == EhdrVerdict::kOk);
}

TEST_CASE("CheckEhdr accepts the real libc.so.6, ld.so and the fixture", "[ehdr]") {
  for (const std::string& path : {unit::LibcPath(), std::string(unit::FixturePath()),
                                  std::string("/lib64/ld-linux-x86-64.so.2")}) {
    INFO(path);
    unit::ElfFile f;
    REQUIRE(f.Load(path));
    const auto v = CheckEhdr(*reinterpret_cast<const elf::Ehdr*>(f.data()), f.size());
    CHECK(v.kind == EhdrVerdict::kOk);
    CHECK(v.message == nullptr);
  }
}

TEST_CASE("CheckEhdr rejects each wrong field with glibc's message", "[ehdr]") {
  struct Case {
    const char* what;
    void (*mutate)(elf::Ehdr&);
    size_t size;
    EhdrVerdict::Kind kind;
    const char* message;
  };
  const Case cases[] = {
      {"short file", [](elf::Ehdr&) {}, 63, EhdrVerdict::kError, "file too short"},
      {"empty file", [](elf::Ehdr&) {}, 0, EhdrVerdict::kError, "file too short"},
      {"bad magic 0", [](elf::Ehdr& e) { e.ident[EI_MAG0] = 0x7e; }, 64, EhdrVerdict::kError,
       "invalid ELF header"},
      {"bad magic 3", [](elf::Ehdr& e) { e.ident[EI_MAG3] = 'f'; }, 64, EhdrVerdict::kError,
       "invalid ELF header"},
      {"32-bit class", [](elf::Ehdr& e) { e.ident[EI_CLASS] = ELFCLASS32; }, 64, EhdrVerdict::kSkip,
       "wrong ELF class: ELFCLASS32"},
      {"no class", [](elf::Ehdr& e) { e.ident[EI_CLASS] = ELFCLASSNONE; }, 64, EhdrVerdict::kSkip,
       "wrong ELF class: ELFCLASS32"},
      {"big-endian", [](elf::Ehdr& e) { e.ident[EI_DATA] = ELFDATA2MSB; }, 64, EhdrVerdict::kError,
       "ELF file data encoding not little-endian"},
      {"no data encoding", [](elf::Ehdr& e) { e.ident[EI_DATA] = ELFDATANONE; }, 64,
       EhdrVerdict::kError, "ELF file data encoding not little-endian"},
      {"ident version 0", [](elf::Ehdr& e) { e.ident[EI_VERSION] = EV_NONE; }, 64,
       EhdrVerdict::kError, "ELF file version ident does not match current one"},
      {"ident version 2", [](elf::Ehdr& e) { e.ident[EI_VERSION] = 2; }, 64, EhdrVerdict::kError,
       "ELF file version ident does not match current one"},
      {"FreeBSD OS ABI", [](elf::Ehdr& e) { e.ident[EI_OSABI] = ELFOSABI_FREEBSD; }, 64,
       EhdrVerdict::kError, "ELF file OS ABI invalid"},
      {"standalone OS ABI", [](elf::Ehdr& e) { e.ident[EI_OSABI] = ELFOSABI_STANDALONE; }, 64,
       EhdrVerdict::kError, "ELF file OS ABI invalid"},
      {"SYSV ABI version 1", [](elf::Ehdr& e) { e.ident[EI_ABIVERSION] = 1; }, 64,
       EhdrVerdict::kError, "ELF file ABI version invalid"},
      {"GNU ABI version 4",
       [](elf::Ehdr& e) {
         e.ident[EI_OSABI] = ELFOSABI_GNU;
         e.ident[EI_ABIVERSION] = 4;
       },
       64, EhdrVerdict::kError, "ELF file ABI version invalid"},
      {"padding byte 9", [](elf::Ehdr& e) { e.ident[EI_PAD] = 1; }, 64, EhdrVerdict::kError,
       "nonzero padding in e_ident"},
      {"padding byte 15", [](elf::Ehdr& e) { e.ident[EI_NIDENT - 1] = 0x80; }, 64,
       EhdrVerdict::kError, "nonzero padding in e_ident"},
      {"e_version 0", [](elf::Ehdr& e) { e.version = EV_NONE; }, 64, EhdrVerdict::kError,
       "ELF file version does not match current one"},
      {"e_version 2", [](elf::Ehdr& e) { e.version = 2; }, 64, EhdrVerdict::kError,
       "ELF file version does not match current one"},
      {"i386", [](elf::Ehdr& e) { e.machine = EM_386; }, 64, EhdrVerdict::kSkip, nullptr},
      {"aarch64", [](elf::Ehdr& e) { e.machine = EM_AARCH64; }, 64, EhdrVerdict::kSkip, nullptr},
      {"ET_REL", [](elf::Ehdr& e) { e.type = ET_REL; }, 64, EhdrVerdict::kError,
       "only ET_DYN and ET_EXEC can be loaded"},
      {"ET_CORE", [](elf::Ehdr& e) { e.type = ET_CORE; }, 64, EhdrVerdict::kError,
       "only ET_DYN and ET_EXEC can be loaded"},
      {"ET_NONE", [](elf::Ehdr& e) { e.type = ET_NONE; }, 64, EhdrVerdict::kError,
       "only ET_DYN and ET_EXEC can be loaded"},
      {"phentsize 32", [](elf::Ehdr& e) { e.phentsize = 32; }, 64, EhdrVerdict::kError,
       "ELF file's phentsize not the expected size"},
      {"phentsize 0", [](elf::Ehdr& e) { e.phentsize = 0; }, 64, EhdrVerdict::kError,
       "ELF file's phentsize not the expected size"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    elf::Ehdr eh = GoodHeader();
    c.mutate(eh);
    const EhdrVerdict v = CheckEhdr(eh, c.size);
    CHECK(v.kind == c.kind);
    CHECK(Msg(v) == (c.message ? c.message : "(null)"));
  }
}

TEST_CASE("CheckEhdr reports the first problem in glibc's order", "[ehdr]") {
  // open_verify tests: size, magic, class, data, ident version, OS ABI, ABI
  // version, padding, e_version, machine, type, phentsize.
  elf::Ehdr eh = GoodHeader();
  eh.phentsize = 1;
  eh.type = ET_REL;
  CHECK(Msg(CheckEhdr(eh, 64)) == "only ET_DYN and ET_EXEC can be loaded");
  eh.machine = EM_ARM;  // another machine: skipped before the type is looked at
  CHECK(CheckEhdr(eh, 64).kind == EhdrVerdict::kSkip);
  eh.version = 0;  // e_version is checked before the machine
  CHECK(Msg(CheckEhdr(eh, 64)) == "ELF file version does not match current one");
  eh.ident[EI_PAD + 2] = 9;
  CHECK(Msg(CheckEhdr(eh, 64)) == "nonzero padding in e_ident");
  eh.ident[EI_ABIVERSION] = 7;
  CHECK(Msg(CheckEhdr(eh, 64)) == "ELF file ABI version invalid");
  eh.ident[EI_OSABI] = ELFOSABI_SOLARIS;
  CHECK(Msg(CheckEhdr(eh, 64)) == "ELF file OS ABI invalid");
  eh.ident[EI_VERSION] = 0;
  CHECK(Msg(CheckEhdr(eh, 64)) == "ELF file version ident does not match current one");
  eh.ident[EI_DATA] = ELFDATA2MSB;
  CHECK(Msg(CheckEhdr(eh, 64)) == "ELF file data encoding not little-endian");
  eh.ident[EI_CLASS] = ELFCLASS32;
  CHECK(CheckEhdr(eh, 64).kind == EhdrVerdict::kSkip);
  eh.ident[EI_MAG2] = 'l';
  CHECK(Msg(CheckEhdr(eh, 64)) == "invalid ELF header");
  CHECK(Msg(CheckEhdr(eh, 10)) == "file too short");
}
