// Finding and loading objects: DT_NEEDED names and preloads are resolved
// through DT_RPATH, LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache and the
// default directories, with glibc's precedence and dynamic string tokens.
#pragma once

#include <stddef.h>

#include "rtld/core/module.h"

namespace rtld {

// The object named `name` as needed by `requester` (the program for
// preloads; nullptr searches as the program does): an already loaded one that answers to
// the name, or a newly mapped and decoded one appended to the load order.
// On failure: nullptr with *error set (glibc's wording, the message's object
// name in *objname). Never returns a half-loaded object. `setuid_only`:
// a preload of a secure program, searched as glibc searches it there
// (__RTLD_SECURE): not in /etc/ld.so.cache, and a file found in a search
// directory counts only if it is set-user-ID.
struct SearchError {
  const char* objname = nullptr;
  const char* text = nullptr;
  int err = 0;
};
Module* LoadObject(const char* name, Module* requester, SearchError* error, bool setuid_only = false);

// The loaded object `name` designates, as requested by `requester`, or
// nullptr; loads nothing (RTLD_NOLOAD). The file is searched for as a
// load would: the same file loaded under another name matches, and a file
// that cannot be found sets *error (left untouched otherwise).
Module* FindLoadedObject(const char* name, Module* requester, SearchError* error);

// <dlfcn.h>'s Dl_serinfo: the directories a dlopen from `loader` would
// search, in order (dlinfo RTLD_DI_SERINFOSIZE counts, RTLD_DI_SERINFO
// fills a buffer of the size counted).
struct Serpath {
  char* dls_name;
  unsigned dls_flags;
};
struct Serinfo {
  size_t dls_size;
  unsigned dls_cnt;
  Serpath dls_serpath[1];
};
void FillSerinfo(Module& loader, Serinfo* si, bool counting);

// Maps the program named on the command line (command mode).
Module* LoadProgram(const char* path, SearchError* error);

// Appends m to the load order (the namespace list).
void AppendModule(Module* m);

// Moves m, which comes after `before` in the load order, to just before it
// (a filtee goes before its filter, as glibc's _dl_map_object_deps places it).
void MoveBefore(Module* m, Module* before);

// Whether m answers to `name` (a path it was opened as, a name it was
// requested by, or its soname).
bool NameMatches(const Module& m, const char* name);

// The $ORIGIN directory of m (nullptr when unknown).
const char* OriginOf(Module& m);

}  // namespace rtld
