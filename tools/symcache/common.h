// Pieces shared by rtld-symcache and rtld-symcached.
#pragma once

#include <stdint.h>

#include <string>

namespace symcache {

// $RTLD_SYMCACHE if set and non-empty, else the system path.
std::string DefaultCachePath();

// The loader the tools run: RTLD_SYMCACHE_LOADER, else the one this build
// made (RTLD_DEFAULT_LOADER, set by meson).
std::string DefaultLoader();

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
