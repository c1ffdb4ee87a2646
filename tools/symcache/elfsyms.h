// The dynamic symbols of an ELF file on disk (hosted; for the symbol index
// and for `dump`): names, the version each definition carries, and whether
// it is defined and exported.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "rtld/elf/symcache.h"

namespace symcache {

struct ElfSymbol {
  std::string name;
  std::string version;  // empty: unversioned (or base version)
  bool has_version = false;
  bool default_version = true;  // not marked hidden in DT_VERSYM
  bool exported = false;        // defined, global/weak/unique, default/protected visibility
};

struct ElfSymbols {
  std::vector<ElfSymbol> syms;  // indexed by symndx
};

// Reads path's .dynsym (via the section headers). When want_key is given,
// the file's fstat must match it (else false: the file changed). false on
// any malformation; the file is bounds-checked throughout.
bool ReadElfSymbols(const std::string& path, const rtld::elf::symcache::ObjectKey* want_key, ElfSymbols* out);

// The key of a file as the loader computes it (stat and build ID).
bool StatKey(const std::string& path, rtld::elf::symcache::ObjectKey* key);

// The build-ID hash of an open file (ObjectKey::build_id), 0 without one.
uint64_t FileBuildId(int fd, uint64_t file_size);

}  // namespace symcache
