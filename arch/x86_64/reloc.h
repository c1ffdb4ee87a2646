// x86-64 relocation numbers mapped to the loader's generic kinds. Generic
// code switches on RelocKind, never on R_X86_64_* numbers.
#pragma once

#include <stdint.h>

namespace rtld::arch {

enum class RelocKind : uint8_t {
  kNone,
  kRelative,   // B + A
  kAbsolute,   // S + A (64-bit)
  kGlobDat,    // S (the psABI's and glibc's: the addend is not used)
  kJumpSlot,   // S
  kPc32,       // S + A - P, 32-bit, text relocation
  kAbs32,      // S + A, zero-extended 32-bit
  kAbs32S,     // S + A, sign-extended 32-bit
  kCopy,       // copy the definition's bytes into the program
  kIrelative,  // call B + A, store the result
  kTpoff,      // S + A - TP offset (static TLS)
  kDtpmod,     // module id
  kDtpoff,     // S + A within the module's TLS block
  kTlsdesc,    // TLS descriptor
  kUnknown,
};

constexpr RelocKind KindOf(uint32_t type) {
  switch (type) {
    case 0: return RelocKind::kNone;        // R_X86_64_NONE
    case 1: return RelocKind::kAbsolute;    // R_X86_64_64
    case 2: return RelocKind::kPc32;        // R_X86_64_PC32
    case 5: return RelocKind::kCopy;        // R_X86_64_COPY
    case 6: return RelocKind::kGlobDat;     // R_X86_64_GLOB_DAT
    case 7: return RelocKind::kJumpSlot;    // R_X86_64_JUMP_SLOT
    case 8: return RelocKind::kRelative;    // R_X86_64_RELATIVE
    case 10: return RelocKind::kAbs32;      // R_X86_64_32
    case 11: return RelocKind::kAbs32S;     // R_X86_64_32S
    case 16: return RelocKind::kDtpmod;     // R_X86_64_DTPMOD64
    case 17: return RelocKind::kDtpoff;     // R_X86_64_DTPOFF64
    case 18: return RelocKind::kTpoff;      // R_X86_64_TPOFF64
    case 36: return RelocKind::kTlsdesc;    // R_X86_64_TLSDESC
    case 37: return RelocKind::kIrelative;  // R_X86_64_IRELATIVE
    default: return RelocKind::kUnknown;
  }
}

// Relocation kinds whose symbol lookup is a PLT lookup: it never binds to
// an undefined symbol. glibc's elf_machine_type_class puts JUMP_SLOT and the
// TLS relocations (DTPMOD64, DTPOFF64, TPOFF64, TLSDESC) in
// ELF_RTYPE_CLASS_PLT. The TLS ones matter for objects with a SysV hash
// table, which lists undefined symbols too: an undefined STT_TLS symbol has
// the legal TLS value 0 and would otherwise bind to the referring object.
constexpr bool IsPltKind(RelocKind k) {
  return k == RelocKind::kJumpSlot || k == RelocKind::kDtpmod || k == RelocKind::kDtpoff ||
         k == RelocKind::kTpoff || k == RelocKind::kTlsdesc;
}

inline constexpr uint32_t kRelocRelative = 8;   // R_X86_64_RELATIVE
inline constexpr uint32_t kRelocJumpSlot = 7;   // R_X86_64_JUMP_SLOT
inline constexpr uint32_t kRelocIrelative = 37; // R_X86_64_IRELATIVE

// Writes the result of one relocation at `where`, given the resolved
// symbol value `s` (0 when unresolved weak), the addend and the place's
// own address. Returns false if the value does not fit the field.
inline bool Store(RelocKind kind, void* where, uint64_t s, int64_t addend, uint64_t place) {
  switch (kind) {
    case RelocKind::kAbsolute:
    case RelocKind::kRelative:
      *static_cast<uint64_t*>(where) = s + static_cast<uint64_t>(addend);
      return true;
    case RelocKind::kGlobDat:
    case RelocKind::kJumpSlot:
      *static_cast<uint64_t*>(where) = s;
      return true;
    case RelocKind::kPc32: {
      int64_t v = static_cast<int64_t>(s + static_cast<uint64_t>(addend) - place);
      if (v != static_cast<int32_t>(v)) return false;
      __builtin_memcpy(where, &v, 4);  // little-endian: the low 4 bytes
      return true;
    }
    case RelocKind::kAbs32: {
      uint64_t v = s + static_cast<uint64_t>(addend);
      if (v != static_cast<uint32_t>(v)) return false;
      uint32_t w = static_cast<uint32_t>(v);
      __builtin_memcpy(where, &w, 4);
      return true;
    }
    case RelocKind::kAbs32S: {
      int64_t v = static_cast<int64_t>(s + static_cast<uint64_t>(addend));
      if (v != static_cast<int32_t>(v)) return false;
      int32_t w = static_cast<int32_t>(v);
      __builtin_memcpy(where, &w, 4);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace rtld::arch
