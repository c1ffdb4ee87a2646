// An ELF object read from a file into memory as the loader maps it, for
// hosted checks of what a loader recorded (validate.h): the PT_LOAD
// segments at their link-time addresses (file pages, then the zero fill
// past p_filesz, as rtld/core/map.cpp does it), and the dynamic section
// decoded into the same rtld/elf structures the loader uses, with every
// table bounds-checked against the segments (rtld/core/module.cpp's rules).
// Read with pread, never mapped from the file: a file that shrinks while it
// is read is an error, not a SIGBUS.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "rtld/elf/dynamic.h"
#include "rtld/elf/symbols.h"
#include "rtld/elf/types.h"

namespace symcache {

class ElfImage {
 public:
  ElfImage() = default;
  ~ElfImage();
  ElfImage(const ElfImage&) = delete;
  ElfImage& operator=(const ElfImage&) = delete;

  // Reads fd (a regular file of file_size bytes). nsyms: the number of
  // dynamic symbols the loader counted (a recording's), which bounds the
  // symbol, version and GNU-hash chain tables. false with *error set if the
  // file is not an object the loader would map, or a table lies outside it.
  // *budget (if given): bytes that may still be read, decreased.
  bool Load(int fd, uint64_t file_size, uint32_t nsyms, std::string* error, uint64_t* budget = nullptr);

  // Whether [vaddr, vaddr + size) lies inside a PT_LOAD (p_memsz).
  bool InImage(uint64_t vaddr, uint64_t size) const;
  // Whether it lies inside the memory read (the span of the PT_LOADs).
  bool InBuffer(uint64_t vaddr, uint64_t size) const;
  // Whether it lies inside the file-backed pages of a writable PT_LOAD
  // (where images may be; rtld/core/symcache.cpp's WritableFilePages).
  bool InWritableFilePages(uint64_t vaddr, uint64_t size) const;
  // The memory at vaddr (InImage checked by the caller).
  uint8_t* At(uint64_t vaddr) const { return mem_ + (vaddr - lo); }

  uint16_t type = 0;  // e_type
  std::vector<rtld::elf::Phdr> phdrs;
  uint64_t lo = 0, hi = 0;  // page-aligned span of the link-time addresses
  bool has_dynamic = false;
  uint64_t dynamic_vaddr = 0;
  rtld::elf::DynamicInfo dyn;
  rtld::elf::SymbolTable symtab;
  std::vector<rtld::elf::Version> versions;
  rtld::elf::Table<rtld::elf::Rela> rela, jmprel;
  rtld::elf::Table<rtld::elf::Relr> relr;
  const char* soname = nullptr;

 private:
  bool ReadSegments(int fd, uint64_t file_size, bool code, std::string* error, uint64_t* budget);
  bool Decode(uint32_t nsyms, std::string* error);
  bool DecodeVersions(std::string* error);
  template <typename T>
  bool DecodeTable(uint64_t vaddr, uint64_t size, rtld::elf::Table<T>* out);

  uint8_t* mem_ = nullptr;  // [lo, hi), anonymous memory
  std::vector<bool> loaded_;  // per program header: its segment was read

};

}  // namespace symcache
