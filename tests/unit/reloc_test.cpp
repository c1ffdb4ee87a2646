// x86-64 relocation traits: psABI numbers to generic kinds, and the value
// each kind stores, applied to byte buffers with guard bytes around the
// field.
#include "arch/x86_64/reloc.h"

#include <elf.h>
#include <stdint.h>
#include <string.h>

#include <array>
#include <catch2/catch.hpp>

using rtld::arch::IsPltKind;
using rtld::arch::KindOf;
using rtld::arch::RelocKind;
using rtld::arch::Store;

namespace {

const char* Name(RelocKind k) {
  switch (k) {
    case RelocKind::kNone: return "kNone";
    case RelocKind::kRelative: return "kRelative";
    case RelocKind::kAbsolute: return "kAbsolute";
    case RelocKind::kGlobDat: return "kGlobDat";
    case RelocKind::kJumpSlot: return "kJumpSlot";
    case RelocKind::kPc32: return "kPc32";
    case RelocKind::kAbs32: return "kAbs32";
    case RelocKind::kAbs32S: return "kAbs32S";
    case RelocKind::kCopy: return "kCopy";
    case RelocKind::kIrelative: return "kIrelative";
    case RelocKind::kTpoff: return "kTpoff";
    case RelocKind::kDtpmod: return "kDtpmod";
    case RelocKind::kDtpoff: return "kDtpoff";
    case RelocKind::kTlsdesc: return "kTlsdesc";
    case RelocKind::kUnknown: return "kUnknown";
  }
  return "?";
}

// 8 guard bytes, an 8-byte field, 8 guard bytes; 8-byte aligned.
struct Slot {
  alignas(16) std::array<uint8_t, 24> bytes;
  Slot() { bytes.fill(0xa5); }
  void* field() { return bytes.data() + 8; }
  uint64_t U64() const {
    uint64_t v;
    memcpy(&v, bytes.data() + 8, 8);
    return v;
  }
  uint32_t U32() const {
    uint32_t v;
    memcpy(&v, bytes.data() + 8, 4);
    return v;
  }
  // Bytes outside [8, 8 + width) are untouched.
  bool GuardsIntact(size_t width) const {
    for (size_t i = 0; i < bytes.size(); ++i)
      if ((i < 8 || i >= 8 + width) && bytes[i] != 0xa5) return false;
    return true;
  }
  bool Untouched() const { return GuardsIntact(0); }
};

}  // namespace

TEST_CASE("KindOf maps each dynamic psABI relocation to its kind", "[reloc]") {
  // Numbers from glibc's <elf.h>, not from the header under test.
  struct {
    uint32_t type;
    RelocKind kind;
  } map[] = {
      {R_X86_64_NONE, RelocKind::kNone},         {R_X86_64_64, RelocKind::kAbsolute},
      {R_X86_64_PC32, RelocKind::kPc32},         {R_X86_64_COPY, RelocKind::kCopy},
      {R_X86_64_GLOB_DAT, RelocKind::kGlobDat},  {R_X86_64_JUMP_SLOT, RelocKind::kJumpSlot},
      {R_X86_64_RELATIVE, RelocKind::kRelative}, {R_X86_64_32, RelocKind::kAbs32},
      {R_X86_64_32S, RelocKind::kAbs32S},        {R_X86_64_DTPMOD64, RelocKind::kDtpmod},
      {R_X86_64_DTPOFF64, RelocKind::kDtpoff},   {R_X86_64_TPOFF64, RelocKind::kTpoff},
      {R_X86_64_TLSDESC, RelocKind::kTlsdesc},   {R_X86_64_IRELATIVE, RelocKind::kIrelative},
  };
  for (const auto& m : map) {
    INFO("type " << m.type << ": want " << Name(m.kind) << ", got " << Name(KindOf(m.type)));
    CHECK(KindOf(m.type) == m.kind);
  }
  static_assert(KindOf(R_X86_64_RELATIVE) == RelocKind::kRelative);  // constexpr
  CHECK(rtld::arch::kRelocRelative == R_X86_64_RELATIVE);
  CHECK(rtld::arch::kRelocJumpSlot == R_X86_64_JUMP_SLOT);
  CHECK(rtld::arch::kRelocIrelative == R_X86_64_IRELATIVE);
}

TEST_CASE("KindOf: link-time-only and unassigned numbers are unknown", "[reloc]") {
  // Relocations a static linker resolves; they never reach a loader.
  const uint32_t link_time[] = {
      R_X86_64_GOT32,
      R_X86_64_PLT32,
      R_X86_64_GOTPCREL,
      R_X86_64_16,
      R_X86_64_PC16,
      R_X86_64_8,
      R_X86_64_PC8,
      R_X86_64_TLSGD,
      R_X86_64_TLSLD,
      R_X86_64_DTPOFF32,
      R_X86_64_GOTTPOFF,
      R_X86_64_GOTOFF64,
      R_X86_64_GOTPC32,
      R_X86_64_GOT64,
      R_X86_64_GOTPCREL64,
      R_X86_64_GOTPC64,
      R_X86_64_GOTPLT64,
      R_X86_64_PLTOFF64,
      R_X86_64_GOTPC32_TLSDESC,
      R_X86_64_TLSDESC_CALL,
      R_X86_64_GOTPCRELX,
      R_X86_64_REX_GOTPCRELX,
  };
  for (uint32_t t : link_time) {
    INFO("type " << t << " got " << Name(KindOf(t)));
    CHECK(KindOf(t) == RelocKind::kUnknown);
  }
  for (uint32_t t : {uint32_t{R_X86_64_NUM}, 255u, 0x10000u, 0xffffffffu}) {
    INFO("type " << t);
    CHECK(KindOf(t) == RelocKind::kUnknown);
  }
}

TEST_CASE("IsPltKind: JUMP_SLOT and TLS lookups refuse undefined symbols", "[reloc]") {
  // glibc's elf_machine_type_class: ELF_RTYPE_CLASS_PLT.
  for (RelocKind k : {RelocKind::kJumpSlot, RelocKind::kDtpmod, RelocKind::kDtpoff, RelocKind::kTpoff,
                      RelocKind::kTlsdesc}) {
    INFO(Name(k));
    CHECK(IsPltKind(k));
  }
  for (RelocKind k : {RelocKind::kGlobDat, RelocKind::kAbsolute, RelocKind::kCopy, RelocKind::kPc32,
                      RelocKind::kAbs32, RelocKind::kAbs32S, RelocKind::kRelative, RelocKind::kIrelative}) {
    INFO(Name(k));
    CHECK_FALSE(IsPltKind(k));
  }
}

TEST_CASE("Store: 64-bit kinds write S + A (JUMP_SLOT: S) into 8 bytes", "[reloc]") {
  SECTION("R_X86_64_64") {
    Slot s;
    REQUIRE(Store(RelocKind::kAbsolute, s.field(), 0x7f0000001000, 0x28, 0));
    CHECK(s.U64() == 0x7f0000001028);
    CHECK(s.GuardsIntact(8));
  }
  SECTION("R_X86_64_64 with a negative addend") {
    Slot s;
    REQUIRE(Store(RelocKind::kAbsolute, s.field(), 0x1000, -0x10, 0));
    CHECK(s.U64() == 0xff0);
    CHECK(s.GuardsIntact(8));
  }
  SECTION("R_X86_64_64 wraps modulo 2^64") {
    Slot s;
    REQUIRE(Store(RelocKind::kAbsolute, s.field(), 0, -1, 0));
    CHECK(s.U64() == ~uint64_t{0});
  }
  SECTION("R_X86_64_GLOB_DAT is S: the addend is not used (psABI, glibc)") {
    Slot s;
    REQUIRE(Store(RelocKind::kGlobDat, s.field(), 0x555555554000, 8, 0));
    CHECK(s.U64() == 0x555555554000);
    CHECK(s.GuardsIntact(8));
  }
  SECTION("R_X86_64_JUMP_SLOT is S") {
    Slot s;
    REQUIRE(Store(RelocKind::kJumpSlot, s.field(), 0x7ffff7a00000, 0x10, 0));
    CHECK(s.U64() == 0x7ffff7a00000);
    CHECK(s.GuardsIntact(8));
  }
  SECTION("R_X86_64_RELATIVE is B + A") {
    Slot s;
    REQUIRE(Store(RelocKind::kRelative, s.field(), 0x7f1234560000, 0x3df8, 0));
    CHECK(s.U64() == 0x7f1234563df8);
    CHECK(s.GuardsIntact(8));
  }
  SECTION("an unresolved weak symbol stores the addend alone (R_X86_64_64), 0 (GLOB_DAT)") {
    Slot s;
    REQUIRE(Store(RelocKind::kAbsolute, s.field(), 0, 0x10, 0));
    CHECK(s.U64() == 0x10);
    REQUIRE(Store(RelocKind::kGlobDat, s.field(), 0, 0x10, 0));
    CHECK(s.U64() == 0);
  }
}

TEST_CASE("Store: R_X86_64_PC32 writes S + A - P into 4 bytes", "[reloc]") {
  SECTION("forward") {
    Slot s;
    REQUIRE(Store(RelocKind::kPc32, s.field(), 0x402000, -4, 0x401000));
    CHECK(s.U32() == 0xffcu);
    CHECK(s.GuardsIntact(4));
  }
  SECTION("backward: a negative displacement in two's complement") {
    Slot s;
    REQUIRE(Store(RelocKind::kPc32, s.field(), 0x1000, -4, 0x2000));
    CHECK(s.U32() == 0xffffeffcu);  // -0x1004
    CHECK(s.GuardsIntact(4));
  }
  SECTION("the limits of a signed 32-bit field") {
    Slot a, b;
    REQUIRE(Store(RelocKind::kPc32, a.field(), 0x10000000ull + 0x7fffffff, 0, 0x10000000));
    CHECK(a.U32() == 0x7fffffffu);
    REQUIRE(Store(RelocKind::kPc32, b.field(), 0x90000000, 0, 0x90000000 + 0x80000000ull));
    CHECK(b.U32() == 0x80000000u);
  }
  SECTION("out of range: refused, nothing written") {
    Slot a, b;
    CHECK_FALSE(Store(RelocKind::kPc32, a.field(), 0x10000000 + 0x80000000ull, 0, 0x10000000));
    CHECK(a.Untouched());
    CHECK_FALSE(Store(RelocKind::kPc32, b.field(), 0x7f0000000000, 0, 0x400000));
    CHECK(b.Untouched());
  }
}

TEST_CASE("Store: R_X86_64_32 zero-extends and R_X86_64_32S sign-extends", "[reloc]") {
  SECTION("32 in range") {
    Slot a, b;
    REQUIRE(Store(RelocKind::kAbs32, a.field(), 0x400000, 0x10, 0));
    CHECK(a.U32() == 0x400010u);
    CHECK(a.GuardsIntact(4));
    REQUIRE(Store(RelocKind::kAbs32, b.field(), 0xfffffff0, 0xf, 0));
    CHECK(b.U32() == 0xffffffffu);
  }
  SECTION("32 overflow: above 2^32 - 1 or below 0") {
    Slot a, b;
    CHECK_FALSE(Store(RelocKind::kAbs32, a.field(), 0xffffffff, 1, 0));
    CHECK(a.Untouched());
    CHECK_FALSE(Store(RelocKind::kAbs32, b.field(), 0x10, -0x20, 0));  // -16 is not a u32
    CHECK(b.Untouched());
  }
  SECTION("32S in range, including negative values") {
    Slot a, b, c;
    REQUIRE(Store(RelocKind::kAbs32S, a.field(), 0x7ffffff0, 0xf, 0));
    CHECK(a.U32() == 0x7fffffffu);
    CHECK(a.GuardsIntact(4));
    REQUIRE(Store(RelocKind::kAbs32S, b.field(), 0, -1, 0));
    CHECK(b.U32() == 0xffffffffu);
    REQUIRE(Store(RelocKind::kAbs32S, c.field(), 0xffffffff80000000ull, 0, 0));
    CHECK(c.U32() == 0x80000000u);
  }
  SECTION("32S overflow: 2^31 and a zero-extended 0xffffffff do not fit") {
    Slot a, b, c;
    CHECK_FALSE(Store(RelocKind::kAbs32S, a.field(), 0x80000000, 0, 0));
    CHECK(a.Untouched());
    CHECK_FALSE(Store(RelocKind::kAbs32S, b.field(), 0xffffffff, 0, 0));
    CHECK(b.Untouched());
    CHECK_FALSE(Store(RelocKind::kAbs32S, c.field(), 0xffffffff7fffffffull, 0, 0));
    CHECK(c.Untouched());
  }
}

TEST_CASE("Store refuses the kinds it does not compute", "[reloc]") {
  for (RelocKind k :
       {RelocKind::kNone, RelocKind::kCopy, RelocKind::kIrelative, RelocKind::kTpoff,
        RelocKind::kDtpmod, RelocKind::kDtpoff, RelocKind::kTlsdesc, RelocKind::kUnknown}) {
    INFO(Name(k));
    Slot s;
    CHECK_FALSE(Store(k, s.field(), 0x1000, 8, 0x2000));
    CHECK(s.Untouched());
  }
}
