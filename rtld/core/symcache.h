// The loader's side of the shared symbol cache (DESIGN §6): recording the
// bindings of a start-up for the cache tools (--record-bindings), and
// replacing symbolic lookups with a binding closure read from the cache.
#pragma once

#include <stdint.h>

#include "rtld/core/lookup.h"
#include "rtld/core/map.h"
#include "rtld/core/module.h"

namespace rtld::symcache {

// Opens the cache (if configured and trusted) once the program is known and
// before any other object is mapped, and finds the layout recorded for this
// program and environment. Also called (to set up placement) when recording
// with a layout (--record-layout).
void Open();

// Whether objects need their full key (build ID included) when mapped: a
// cache is open, or bindings are being recorded.
bool WantKeys();

// The build-ID hash (elf::symcache::BuildIdHash) of an object: from its
// notes in memory, or from the file's first bytes (one pread when the note
// lies past them). 0 without a build ID.
uint64_t BuildIdInMemory(uint64_t base, const elf::Phdr* phdr, unsigned phnum);
uint64_t BuildIdInFile(int fd, const FileHead& head, const elf::Phdr* phdr, unsigned phnum);

// Where to map the object about to take the next load position: the address
// for its lowest page (lo, the lowest page-aligned p_vaddr; span bytes;
// alignment align), or 0 for anywhere. The caller maps there with
// MAP_FIXED_NOREPLACE and reports the outcome with Placed().
uint64_t Placement(Module& m, uint64_t lo, uint64_t span, uint64_t align);
void Placed(Module& m, bool ok);

// Image recording (--record-layout): a relocation of m whose value cannot be
// part of the image (it is applied at start), or a PLT slot left lazy
// (undefined when recorded), or a reason the closure can have no images.
void RecordPatch(const Module& m, const elf::Rela& r);
void RecordLazySlot(const Module& m, const elf::Rela& r);
void RecordNoImages(const char* why);

// Recording (--record-bindings; callers check g.opt.record_bindings):
// every resolution ResolveSymbol makes is noted; a reference
// resolved differently by two relocation kinds (a PLT slot and a data
// reference of a non-PIE program, a copy relocation) is left out.
void Record(Module& from, uint32_t symndx, const Definition& d);
// Writes the recording of the initial objects to g.opt.record_bindings
// and exits (0, or 127 with a message when the file cannot be written).
[[noreturn]] void WriteRecordingAndExit();

// The closure for this start-up, if the cache is configured and has one:
// decided once the initial objects are loaded.
void Attach();

// The closure's answer for symbol symndx of m: true with *d set (module
// nullptr for an unresolved weak reference), or false (not recorded: look
// it up).
bool Lookup(const Module& m, uint32_t symndx, Definition* d);

// Whether lookups may use the closure (the global scope is the one it was
// computed for).
extern bool g_closure_usable;

// Counters for LD_DEBUG=statistics.
struct Stats {
  uint64_t hits = 0, misses = 0;
  const char* state = "off";  // off, no file, rejected, miss, hit
  // Images: objects mapped from images, bytes mapped, patches applied and
  // the pages those patches wrote (each a private copy).
  uint64_t image_objects = 0, image_bytes = 0, image_patches = 0, image_pages_copied = 0;
  const char* images = "off";  // off, used, or why not
};
extern Stats g_stats;

}  // namespace rtld::symcache
