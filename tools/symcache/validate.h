// Checking a recording that an untrusted process wrote, before any of it
// goes into a cache other users' loaders map.
//
// The daemon runs the recording loader with the credentials of the user who
// reported the miss: that user may ptrace it and make it write anything. So
// nothing in a recording is believed because the recording says it:
// - every object is opened again (with the requester's rights: a recording
//   never names a file the requester cannot read) and its key (stat and
//   build ID), soname and symbol count must be the file's; object 0 must be
//   the program asked for, and an object with no file the recording loader
//   itself (keyed by its build ID);
// - the environment hash must be the one of the environment given;
// - every library placement must lie inside the span drawn for the layout,
//   without overlap;
// - every binding is looked up again in the files (rtld/elf's symbol tables,
//   the loader's lookup rules for the initial objects: global scope in load
//   order, DT_SYMBOLIC, protected definitions, copy relocations), and one
//   the files do not give is dropped (the loader looks it up at start);
// - every image page is recomputed from the file (as mapped, the dynamic
//   section's addresses, every relocation at the layout's addresses with the
//   bindings looked up here) and must be equal except where a patch rewrites
//   it at start; every patch must be one of the object's own relocations;
//   and no relocation may be left out of both. Otherwise the closure has no
//   images.
// What cannot be checked this way is refused: a binding the files' lookup
// does not give, an image value that depends on something not known ahead,
// and everything of a recording whose lookup order is not its load order
// (an object with filtees).
#pragma once

#include <stdint.h>

#include <functional>
#include <string>

#include "tools/symcache/recording.h"

namespace symcache {

struct ValidationInput {
  std::string program;   // the program the recording was asked for
  std::string loader;    // the recording loader (the object without a file)
  uint64_t env_hash = 0; // of the environment the recording was given
  uint64_t layout_base = 0;  // where the libraries were asked to go, or 0
  // Opens a file for reading with the rights of whoever asked for the
  // recording: a descriptor, or -1 with *error set.
  std::function<int(const std::string& path, std::string* error)> open;
};

struct ValidationResult {
  bool ok = false;            // usable (perhaps with less than recorded)
  std::string error;          // why not usable at all
  size_t dropped_binds = 0;   // bindings the files do not give
  std::string dropped_example;
  std::string images_refused; // why the images were removed, if they were
  // Why no binding or image could be checked at all (then none is kept):
  // filters (DT_FILTER, DT_AUXILIARY) put their filtees before them in the
  // lookup order, which the recording does not show.
  std::string unchecked;
};

// Checks *rec (parsed, image pages read) and removes what does not hold.
ValidationResult ValidateRecording(const ValidationInput& in, Recording* rec);

}  // namespace symcache
