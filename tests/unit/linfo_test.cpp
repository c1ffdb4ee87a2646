// rtld::glibc::LInfoIndex (rtld/glibc/layout.h): the l_info slot of every
// dynamic tag, against glibc's own index macros in the system's <elf.h>
// (DT_NUM, DT_VERSIONTAGIDX, DT_EXTRATAGIDX, DT_VALTAGIDX, DT_ADDRTAGIDX)
// combined the way elf/get-dynamic-info.h combines them.
#include <elf.h>
#include <stdint.h>

#include <catch2/catch.hpp>
#include <vector>

#include "rtld/glibc/layout.h"

using rtld::glibc::kLInfoCount;
using rtld::glibc::LInfoIndex;

namespace {

// elf_get_dynamic_info's choice of slot, written with <elf.h>'s macros.
// DT_THISPROCNUM is 0 on x86-64 (sysdeps/generic/dl-dtprocnum.h; no
// processor-specific tags get a slot). VERSYMIDX is ldsodefs.h's.
int GlibcSlot(int64_t tag) {
  using DTagUtype = Elf64_Xword;  // get-dynamic-info.h's d_tag_utype
  constexpr int64_t kThisProcNum = 0;
  if (static_cast<DTagUtype>(tag) < DT_NUM) return static_cast<int>(tag);
  if (tag >= DT_LOPROC && tag < DT_LOPROC + kThisProcNum) return static_cast<int>(tag - DT_LOPROC + DT_NUM);
  if (static_cast<DTagUtype>(DT_VERSIONTAGIDX(tag)) < DT_VERSIONTAGNUM)
    return static_cast<int>(DT_NUM + kThisProcNum + DT_VERSIONTAGIDX(tag));
  if (static_cast<DTagUtype>(DT_EXTRATAGIDX(tag)) < DT_EXTRANUM)
    return static_cast<int>(DT_EXTRATAGIDX(tag) + DT_NUM + kThisProcNum + DT_VERSIONTAGNUM);
  if (static_cast<DTagUtype>(DT_VALTAGIDX(tag)) < DT_VALNUM)
    return static_cast<int>(DT_VALTAGIDX(tag) + DT_NUM + kThisProcNum + DT_VERSIONTAGNUM + DT_EXTRANUM);
  if (static_cast<DTagUtype>(DT_ADDRTAGIDX(tag)) < DT_ADDRNUM)
    return static_cast<int>(DT_ADDRTAGIDX(tag) + DT_NUM + kThisProcNum + DT_VERSIONTAGNUM + DT_EXTRANUM +
                            DT_VALNUM);
  return -1;
}

}  // namespace

TEST_CASE("LInfoIndex: l_info has glibc 2.36's size", "[linfo]") {
  CHECK(kLInfoCount == DT_NUM + DT_VERSIONTAGNUM + DT_EXTRANUM + DT_VALNUM + DT_ADDRNUM);
  CHECK(DT_NUM == 38);  // glibc 2.36: up to DT_RELRENT
}

TEST_CASE("LInfoIndex: every tag <elf.h> names gets glibc's slot", "[linfo]") {
  const int64_t named[] = {
      DT_NULL, DT_NEEDED, DT_PLTRELSZ, DT_PLTGOT, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_RELA, DT_RELASZ,
      DT_RELAENT, DT_STRSZ, DT_SYMENT, DT_INIT, DT_FINI, DT_SONAME, DT_RPATH, DT_SYMBOLIC, DT_REL, DT_RELSZ,
      DT_RELENT, DT_PLTREL, DT_DEBUG, DT_TEXTREL, DT_JMPREL, DT_BIND_NOW, DT_INIT_ARRAY, DT_FINI_ARRAY,
      DT_INIT_ARRAYSZ, DT_FINI_ARRAYSZ, DT_RUNPATH, DT_FLAGS, DT_PREINIT_ARRAY, DT_PREINIT_ARRAYSZ,
      DT_SYMTAB_SHNDX, DT_RELRSZ, DT_RELR, DT_RELRENT, DT_GNU_PRELINKED, DT_GNU_CONFLICTSZ, DT_GNU_LIBLISTSZ,
      DT_CHECKSUM, DT_PLTPADSZ, DT_MOVEENT, DT_MOVESZ, DT_FEATURE_1, DT_POSFLAG_1, DT_SYMINSZ, DT_SYMINENT,
      DT_GNU_HASH, DT_TLSDESC_PLT, DT_TLSDESC_GOT, DT_GNU_CONFLICT, DT_GNU_LIBLIST, DT_CONFIG, DT_DEPAUDIT,
      DT_AUDIT, DT_PLTPAD, DT_MOVETAB, DT_SYMINFO, DT_VERSYM, DT_RELACOUNT, DT_RELCOUNT, DT_FLAGS_1,
      DT_VERDEF, DT_VERDEFNUM, DT_VERNEED, DT_VERNEEDNUM, DT_AUXILIARY, DT_FILTER, DT_LOPROC, DT_HIPROC,
      DT_LOOS, DT_HIOS,
  };
  for (int64_t tag : named) {
    INFO("tag 0x" << std::hex << tag);
    CHECK(LInfoIndex(tag) == GlibcSlot(tag));
  }
  // The slots libc.so.6 reads (contract §2.4).
  CHECK(LInfoIndex(DT_GNU_HASH) == 79);
  CHECK(LInfoIndex(DT_VERSYM) == 53);
  CHECK(LInfoIndex(DT_FLAGS_1) == 42);
  CHECK(LInfoIndex(DT_FILTER) == 54);
  CHECK(LInfoIndex(DT_AUXILIARY) == 56);
}

TEST_CASE("LInfoIndex: every value around the ranges, and hostile tags, as glibc", "[linfo]") {
  std::vector<int64_t> tags;
  for (int64_t t = -40; t < 100; ++t) tags.push_back(t);
  for (int64_t t = 0x6ffffcf0; t <= 0x70000010; ++t) tags.push_back(t);  // DT_VALRNGLO .. DT_LOPROC
  for (int64_t t = 0x7fffff00; t <= 0x80000010; ++t) tags.push_back(t);
  for (int64_t t = 0xfffffff0; t <= 0x100000010; ++t) tags.push_back(t);
  for (int64_t t = 0x17ffffff0; t <= 0x180000010; ++t) tags.push_back(t);
  // (Not below -2^63 + 2^31: glibc's macros would overflow a signed word.)
  tags.push_back(INT64_MAX);
  tags.push_back(-int64_t{0x80000003});  // low 32 bits DT_AUXILIARY's
  tags.push_back(INT64_MIN + int64_t{0x80000000});
  for (int64_t tag : tags) {
    INFO("tag 0x" << std::hex << tag);
    const int slot = LInfoIndex(tag);
    REQUIRE(slot == GlibcSlot(tag));
    CHECK(slot < static_cast<int>(kLInfoCount));
  }
}
