// Mapping an ELF object's segments and decoding its dynamic section into a
// Module. Every table the loader will read is checked to lie inside the
// object's loaded image here, once.
#pragma once

#include <stddef.h>

#include "rtld/core/module.h"
#include "rtld/support/sys.h"

namespace rtld {

// The first bytes of a file, as read once when it is opened.
struct FileHead {
  alignas(8) char bytes[832];
  size_t size = 0;
};

// An error as text plus an optional errno, formatted by the caller.
struct LoadError {
  const char* text = nullptr;
  int err = 0;
  // Found while reading the file's headers (glibc's open_verify stage):
  // the message names the file's path rather than the requested name.
  bool reading_headers = false;
  explicit operator bool() const { return text != nullptr; }
};

// Maps the PT_LOAD segments of the open file fd into memory (ET_DYN at an
// address the kernel picks, honouring p_align up to 2 MiB and beyond; ET_EXEC
// at its fixed addresses) and fills m's image fields.
[[nodiscard]] LoadError MapSegments(int fd, const sys::Stat& st, const FileHead& head, Module& m);

// Fills m's image fields for an object already in memory (the program
// mapped by the kernel, the loader itself, the vDSO).
void AdoptImage(Module& m, uint64_t base, const elf::Phdr* phdr, uint16_t phnum);

// Decodes the dynamic section and validates every table against the image.
[[nodiscard]] LoadError DecodeModule(Module& m);

// Records a file's stat identity in m (the symbol cache's key).
void SetFileKey(Module& m, const sys::Stat& st);

// Whether [vaddr, vaddr + size) lies inside one PT_LOAD of m.
bool InImage(const Module& m, uint64_t vaddr, uint64_t size);

}  // namespace rtld
