// Hosted writer of the symbol cache (format: rtld/elf/symcache.h): an
// in-memory model of the closures, loaded from an existing file and merged
// with new recordings, bounded (least-recently-requested closures evicted
// first) and serialized; and atomic publication of a new generation.
#pragma once

#include <stdint.h>

#include <functional>
#include <string>
#include <vector>

#include "rtld/elf/symcache.h"
#include "tools/symcache/recording.h"

namespace symcache {

namespace sc = rtld::elf::symcache;

struct Binding {
  uint32_t symndx;
  uint32_t def_index;  // or sc::kUnresolvedWeak
  uint32_t def_symndx;
};

struct ClosureData {
  uint64_t env_hash = 0;
  std::string program;  // path, may be empty
  std::string env_text; // the keying variables, "NAME=VALUE\n"... (relayout, verify)
  bool has_layout = false, has_images = false;
  uint64_t layout_base = 0;
  uint64_t last_used_s = 0;
  uint64_t created_s = 0;
  std::vector<RecObject> objects;              // load order
  std::vector<std::vector<Binding>> binds;     // per object, sorted by symndx
  std::vector<sc::ObjectKey> Keys() const;
};

// Converts a parsed recording (validated by ParseRecording).
ClosureData FromRecording(const Recording& r, const std::string& program, uint64_t now_s,
                          const std::string& env_text = "", uint64_t layout_base = 0);

struct Limits {
  uint64_t max_bytes = 1ull << 30;  // images make closures of big programs megabytes
  uint64_t max_closures = 4096;
};

struct BuildStats {
  uint64_t file_size = 0;
  size_t closures = 0, objects = 0, symbols = 0, evicted = 0;
  size_t images = 0;          // closures with images
  uint64_t image_pages = 0;
  bool symbol_index = false;
};

class CacheModel {
 public:
  uint64_t generation = 0;
  std::vector<ClosureData> closures;
  // Whether Serialize builds the symbol index (reading each object's
  // .dynsym from its path if the file still has the recorded key).
  bool symbol_index = true;

  // Loads the closures of a valid cache image. false if the image is not a
  // valid cache (the model is then empty, generation 0).
  bool Load(const void* data, size_t size);
  // Adds a closure, replacing one with the same key (env hash, and every
  // object sc::SameObject).
  // Returns true if it replaced one.
  bool Merge(ClosureData c);
  // Evicts the least recently used closures beyond limits.max_closures;
  // then serializes, and while the file exceeds limits.max_bytes evicts
  // more (and finally drops the symbol index). Returns the bytes of the
  // file (generation = this->generation), 8-byte aligned storage.
  std::vector<uint64_t> Build(const Limits& limits, uint64_t now_ns, BuildStats* stats);

 private:
  std::vector<uint64_t> Serialize(uint64_t now_ns, bool with_symbols, BuildStats* stats) const;
};

// Reads the whole file into 8-byte aligned storage. false (errno set) if it
// cannot be read.
bool ReadFileAligned(const std::string& path, std::vector<uint64_t>* words, size_t* size);

// Atomic publication: writes a temporary file in path's directory (mode
// 0644), fsyncs it, renames it over path and fsyncs the directory. A reader
// sees the previous or the new file, never a mix. false with *error set.
bool PublishAtomically(const std::string& path, const void* data, size_t size, std::string* error);

// An exclusive lock (flock on PATH.lock) held for a read-merge-publish
// cycle, so the CLI and the daemon do not lose each other's closures.
class CacheLock {
 public:
  explicit CacheLock(const std::string& cache_path);
  ~CacheLock();
  bool locked() const { return fd_ >= 0; }
  CacheLock(const CacheLock&) = delete;
  CacheLock& operator=(const CacheLock&) = delete;

 private:
  int fd_ = -1;
};

// Load (if present and valid), merge, build, publish with generation + 1.
// The typical cycle of `build` and of the daemon.
struct UpdateResult {
  bool ok = false;
  std::string error;
  uint64_t generation = 0;
  bool previous_invalid = false;  // an existing file was not a valid cache
  BuildStats stats;
};
// remove: closures (env hash, exact keys) to drop first (relayout: the ones
// re-recorded, whose objects may have changed since).
struct ClosureId {
  uint64_t env_hash;
  std::vector<sc::ObjectKey> keys;
};
UpdateResult UpdateCache(const std::string& path, std::vector<ClosureData> add, const Limits& limits,
                         bool symbol_index, const std::vector<ClosureId>& remove = {});

uint64_t NowNs();

}  // namespace symcache
