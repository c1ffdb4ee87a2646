// The text a loader writes with `ld.so --record-bindings OUTFILE PROGRAM`:
//
//   rtld-bindings 2
//   env <16 hex digits>
//   object <index> <dev> <ino> <size> <mtime_ns> <ctime_ns> <build id hash, 16 hex> <nsyms> <soname or -> <path>
//   (with --record-layout:)
//   layout <index> <load bias, hex>
//   imaged <index>
//   image <index> <vaddr, hex> <npages> <first page in FILE.pages>
//   patch <index> <r_offset, hex> <r_info, hex> <r_addend, hex>
//   lazy <index> <r_offset, hex> <r_info, hex> <r_addend, hex>
//   noimages <reason>
//   bind <object index> <symndx> <def object index or -1> <def symndx>
//   end
//
// Objects in load order (index 0 = the program), one bind line per distinct
// (object, symndx) a relocation references. The path is the rest of the line.
// "lazy" is a patch for a PLT slot left for lazy binding. The image pages
// (FILE.pages, kImagePage each) are read into RecRun::bytes by the runner.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "rtld/elf/symcache.h"

namespace symcache {

using rtld::elf::symcache::ObjectKey;

struct RecRun {
  uint64_t vaddr = 0;
  uint32_t npages = 0;
  uint64_t first_page = 0;  // in FILE.pages
  std::string bytes;        // npages * kImagePage once read
};

struct RecObject {
  ObjectKey key;
  // Matched by its exact stat identity only (kObjExactKey): set by the
  // daemon's check (validate.h), not part of the recording's text.
  bool exact_key = false;
  uint32_t nsyms = 0;
  bool has_soname = false;
  std::string soname;
  std::string path;
  // Layout and image.
  uint64_t bias = 0;       // 0: not placed
  bool imaged = false;
  bool lazy_plt = false;
  std::vector<RecRun> runs;
  std::vector<rtld::elf::symcache::Patch> patches;
  std::vector<bool> patch_lazy;  // parallel to patches when parsed: a "lazy" line
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
  bool has_layout = false;    // some object has a bias
  bool has_images = false;    // images usable (some "imaged", no "noimages")
  std::string no_images;      // why not, if the loader said
  uint64_t npages = 0;        // pages FILE.pages must hold
};

// Parses and validates a recording: the header, consecutive object indices,
// every index in range, no (object, symndx) twice, the final "end". On
// failure returns false with *error describing the first problem (with its
// line number).
bool ParseRecording(const std::string& text, Recording* out, std::string* error);

// The inverse, for tests and the fake generator.
std::string FormatRecording(const Recording& r);

}  // namespace symcache
