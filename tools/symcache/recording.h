// The text a loader writes with `ld.so --record-bindings OUTFILE PROGRAM`:
//
//   rtld-bindings 1
//   env <16 hex digits>
//   object <index> <dev> <ino> <size> <mtime_ns> <ctime_ns> <nsyms> <soname or -> <path>
//   bind <object index> <symndx> <def object index or -1> <def symndx>
//   end
//
// Objects in load order (index 0 = the program), one bind line per distinct
// (object, symndx) a relocation references. The path is the rest of the line.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "rtld/elf/symcache.h"

namespace symcache {

using rtld::elf::symcache::ObjectKey;

struct RecObject {
  ObjectKey key;
  uint32_t nsyms = 0;
  bool has_soname = false;
  std::string soname;
  std::string path;
};

struct RecBind {
  uint32_t object;
  uint32_t symndx;
  uint32_t def_index;  // rtld::elf::symcache::kUnresolvedWeak for -1
  uint32_t def_symndx;
};

struct Recording {
  uint64_t env_hash = 0;
  std::vector<RecObject> objects;
  std::vector<RecBind> binds;
};

// Parses and validates a recording: the header, consecutive object indices,
// every index in range, no (object, symndx) twice, the final "end". On
// failure returns false with *error describing the first problem (with its
// line number).
bool ParseRecording(const std::string& text, Recording* out, std::string* error);

// The inverse, for tests and the fake generator.
std::string FormatRecording(const Recording& r);

}  // namespace symcache
