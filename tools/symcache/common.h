// Pieces shared by rtld-symcache and rtld-symcached.
#pragma once

#include <stdint.h>

#include <string>

namespace symcache {

// $RTLD_SYMCACHE if set and non-empty, else the system path.
std::string DefaultCachePath();

// The loader the tools run: $RTLD_SYMCACHE_LOADER if set and non-empty;
// else kLoaderBesideTool taken from the directory of the running executable
// (/proc/self/exe), when that file is executable; else kLoaderPath. A tool
// in the build tree finds that build's loader; an installed tool finds the
// loader installed with it, also in a tree copied or unpacked elsewhere
// (a DESTDIR, a scratch root), and never the build tree.
std::string DefaultLoader();

// Set per executable by meson (loader_path.cpp): the loader relative to the
// executable's directory, and its absolute path.
extern const char kLoaderBesideTool[];
extern const char kLoaderPath[];

// A program named without a slash is searched in $PATH; the result is
// absolute (realpath) when the file exists.
std::string ResolveProgram(const std::string& name);

// Parses a size with an optional K/M/G suffix (powers of 1024).
bool ParseSize(const char* s, uint64_t* out);

// Whether the loader would trust the cache file at path (for `stat`):
// a sentence explaining the verdict.
std::string TrustVerdict(const std::string& path);

std::string Hex16(uint64_t v);

}  // namespace symcache
