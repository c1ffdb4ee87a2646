// The ELF model: on-disk structures of 64-bit little-endian ELF as this
// loader reads them. Field names drop the C prefixes (p_, st_, d_, ...);
// packed fields have accessors. Constants come from <elf.h> (musl's inside
// ld.so, glibc's in hosted builds; the values are the gABI's).
#pragma once

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

namespace rtld::elf {

using Addr = uint64_t;
using Off = uint64_t;
using Half = uint16_t;
using Word = uint32_t;
using Sword = int32_t;
using Xword = uint64_t;
using Sxword = int64_t;

struct Ehdr {
  unsigned char ident[16];
  Half type;
  Half machine;
  Word version;
  Addr entry;
  Off phoff;
  Off shoff;
  Word flags;
  Half ehsize;
  Half phentsize;
  Half phnum;
  Half shentsize;
  Half shnum;
  Half shstrndx;
};
static_assert(sizeof(Ehdr) == 64);

struct Phdr {
  Word type;
  Word flags;
  Off offset;
  Addr vaddr;
  Addr paddr;
  Xword filesz;
  Xword memsz;
  Xword align;
};
static_assert(sizeof(Phdr) == 56);

struct Dyn {
  Sxword tag;
  Xword val;  // d_val and d_ptr share the word
};
static_assert(sizeof(Dyn) == 16);

struct Sym {
  Word name;
  unsigned char info;
  unsigned char other;
  Half shndx;
  Addr value;
  Xword size;

  constexpr unsigned bind() const { return info >> 4; }
  constexpr unsigned type() const { return info & 0xf; }
  constexpr unsigned visibility() const { return other & 0x3; }
  constexpr bool defined() const { return shndx != SHN_UNDEF; }
};
static_assert(sizeof(Sym) == 24);

struct Rela {
  Addr offset;
  Xword info;
  Sxword addend;

  constexpr uint32_t type() const { return static_cast<uint32_t>(info); }
  constexpr uint32_t symndx() const { return static_cast<uint32_t>(info >> 32); }
};
static_assert(sizeof(Rela) == 24);

struct Rel {
  Addr offset;
  Xword info;
  constexpr uint32_t type() const { return static_cast<uint32_t>(info); }
  constexpr uint32_t symndx() const { return static_cast<uint32_t>(info >> 32); }
};

using Relr = uint64_t;

struct Verdef {
  Half version;
  Half flags;
  Half ndx;
  Half cnt;
  Word hash;
  Word aux;   // offset from this entry to its first Verdaux
  Word next;  // offset from this entry to the next Verdef (0: last)
};

struct Verdaux {
  Word name;
  Word next;
};

struct Verneed {
  Half version;
  Half cnt;
  Word file;
  Word aux;
  Word next;
};

struct Vernaux {
  Word hash;
  Half flags;
  Half other;  // the version index this requirement is given in DT_VERSYM
  Word name;
  Word next;
};

inline constexpr Half kVersymHidden = 0x8000;  // VERSYM_HIDDEN
inline constexpr Half kVersymIndexMask = 0x7fff;

// The machine this loader loads objects for.
inline constexpr Half kMachine = EM_X86_64;

// Bounds-checked view of a table inside some memory range.
template <typename T>
struct Table {
  const T* data = nullptr;
  size_t count = 0;

  constexpr bool empty() const { return count == 0; }
  constexpr const T* begin() const { return data; }
  constexpr const T* end() const { return data + count; }
  constexpr const T& operator[](size_t i) const { return data[i]; }
  constexpr size_t size() const { return count; }
};

// Verdict on an ELF header (glibc's open_verify rules, so that search and
// messages behave as under glibc's loader).
struct EhdrVerdict {
  enum Kind { kOk, kSkip, kError } kind;
  // kSkip: a file for another class or machine; a path search goes on to
  // the next directory (and "wrong ELF class" is reported only if nothing
  // else is found). kError: text of the error, glibc's wording.
  const char* message;
};

constexpr EhdrVerdict CheckEhdr(const Ehdr& eh, size_t file_size) {
  if (file_size < sizeof(Ehdr)) return {EhdrVerdict::kError, "file too short"};
  const unsigned char* id = eh.ident;
  if (id[EI_MAG0] != ELFMAG0 || id[EI_MAG1] != ELFMAG1 || id[EI_MAG2] != ELFMAG2 ||
      id[EI_MAG3] != ELFMAG3)
    return {EhdrVerdict::kError, "invalid ELF header"};
  if (id[EI_CLASS] != ELFCLASS64) return {EhdrVerdict::kSkip, "wrong ELF class: ELFCLASS32"};
  if (id[EI_DATA] != ELFDATA2LSB)
    return {EhdrVerdict::kError, "ELF file data encoding not little-endian"};
  if (id[EI_VERSION] != EV_CURRENT)
    return {EhdrVerdict::kError, "ELF file version ident does not match current one"};
  if (id[EI_OSABI] != ELFOSABI_SYSV && id[EI_OSABI] != ELFOSABI_GNU)
    return {EhdrVerdict::kError, "ELF file OS ABI invalid"};
  // ABI versions glibc 2.36 accepts: 0 for SYSV; up to 3 for GNU (unique
  // symbols, IFUNC, absolute symbols).
  if (id[EI_ABIVERSION] > (id[EI_OSABI] == ELFOSABI_GNU ? 3 : 0))
    return {EhdrVerdict::kError, "ELF file ABI version invalid"};
  for (unsigned i = EI_PAD; i < EI_NIDENT; ++i)
    if (id[i] != 0) return {EhdrVerdict::kError, "nonzero padding in e_ident"};
  if (eh.version != EV_CURRENT)
    return {EhdrVerdict::kError, "ELF file version does not match current one"};
  if (eh.machine != kMachine) return {EhdrVerdict::kSkip, nullptr};
  if (eh.type != ET_DYN && eh.type != ET_EXEC)
    return {EhdrVerdict::kError, "only ET_DYN and ET_EXEC can be loaded"};
  if (eh.phentsize != sizeof(Phdr))
    return {EhdrVerdict::kError, "ELF file's phentsize not the expected size"};
  return {EhdrVerdict::kOk, nullptr};
}

}  // namespace rtld::elf
