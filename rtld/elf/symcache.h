// The shared symbol cache (DESIGN §6): on-disk format, reader, the env hash
// that keys closures, and the trust rules for the cache file and the
// daemon's socket.
//
// Header-only and freestanding-safe: only <stddef.h>/<stdint.h>, no libc
// calls, no exceptions, no data with relocations. The loader maps the file
// read-only and uses Reader; the hosted tools (tools/symcache) write it.
//
// File layout (version 2). Little-endian; every offset is relative to the
// start of the file; every table starts 8-byte aligned.
//
//   Header                320 bytes: magic "RTLDSYMC", version, file size,
//                         generation, index checksum, and seven Section
//                         descriptors {offset, size, count, checksum}:
//   [kSecSlots]           closure hash table: `count` (a power of two)
//                         ClosureSlot {key_hash, record offset / 8, record
//                         checksum}. Linear probing; offset 0 = empty.
//   [kSecClosures]        ClosureRecord blobs, each:
//                           ClosureRecord header
//                           ClosureObject[nobjects]  (key + table ranges)
//                           DenseEntry[ndense]       (per object: indexed by
//                                                     symndx in [0, dense_count))
//                           SparseEntry[nsparse]     (per object: sorted by
//                                                     symndx, >= dense_count)
//                           ImageRun[nruns]          (per object: pages of its
//                                                     relocated image)
//                           Patch[npatches]          (per object: relocations
//                                                     applied at start)
//   [kSecObjects]         ObjectEntry[count], sorted by key: every object any
//                         closure or the symbol index mentions, with soname
//                         and path (offsets into kSecStrings).
//   [kSecStrings]         NUL-terminated strings.
//   [kSecSymbols]         symbol index: SymIndexHeader, bucket starts,
//                         SymIndexEntry[] (name+version -> definers), SymDef[],
//                         its own string pool.
//   [kSecPrograms]        the closures with a layout, by program: `count` (a
//                         power of two) ClosureSlot filed under
//                         ProgramKeyHash(env hash, program key); the loader
//                         finds its layout here before it maps any library.
//   [kSecImages]          page-aligned (kImagePage) pages of relocated
//                         images, referenced by ImageRun.
//
// Checksums (Checksum64 below):
//   - header.index_checksum covers the header (with that field as zero), the
//     slot table and the program table; Open() verifies it. It is the only whole-table pass at
//     open, and the slot table is small (16 bytes per slot, bounded by the
//     daemon's closure limit), so a configured cache costs a start microseconds.
//   - each closure record has its own checksum, stored in its slot (so it is
//     covered by the index checksum), verified by FindClosure() on a hit only:
//     a program pays for the closure it uses, never for the others.
//   - kSecObjects, kSecStrings and kSecSymbols carry a checksum in their
//     descriptor, verified on first use by VerifyObjects()/VerifySymbols()
//     (tools; the loader need not touch them).
//   - image pages are not checksummed at start (reading them all would cost
//     what images save): they are covered by the trust rules (the file is
//     written only by its owner, root or the user, and published by rename)
//     and by `rtld-symcache verify`, which recomputes every image.
// Any inconsistency anywhere is a miss: a corrupt file can make a lookup
// fail, never read out of bounds, never return an index >= nkeys.
//
// Pre-relocated images (DESIGN §6.1). A closure recorded with a layout gives
// every library it loads a load bias (objects placed without overlap from a
// base drawn at random when the closure is recorded) and, per object, the
// pages that relocation writes, relocated for that layout (ImageRun), plus
// the relocations whose values cannot be known ahead (Patch: references to
// the program when the kernel places it, to the loader and the vDSO,
// IFUNC results, TLS offsets and module ids, TLS descriptors). A loader that
// placed every object at its bias maps the runs from this file over the
// object (shared page-cache pages) and applies only the patches.
//
// Why a dense table per object (with a sparse overflow): the loader binds
// by walking relocations and asking (object, symndx) for each; a dense array
// indexed by symndx makes that one load and two compares, with no search —
// what makes binding several times faster than symbolic lookup. A fully
// dense table over all of .dynsym would waste space (libc's 3000 symbols
// for a program that references 100), but with DT_GNU_HASH all undefined
// symbols come first in .dynsym (below symoffset), and those are what
// relocations mostly reference; so the writer picks, per object, the prefix
// [0, dense_count) minimizing size, and puts the few references above it
// (references to the object's own exported symbols) in a sorted array
// searched by bisection.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rtld::elf::symcache {

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the symbol cache format is little-endian; this reader reads it natively"
#endif

// --- Constants ----------------------------------------------------------

inline constexpr char kMagic[8] = {'R', 'T', 'L', 'D', 'S', 'Y', 'M', 'C'};
inline constexpr uint32_t kFormatVersion = 2;

// Default locations.
inline constexpr const char* kDefaultCachePath = "/var/cache/rtld/symcache";
inline constexpr const char* kDefaultSocketPath = "/run/rtld/symcache.sock";
// Environment variable naming the cache (the loader and the tools).
inline constexpr const char* kCacheEnvVar = "RTLD_SYMCACHE";

// Sentinels in DenseEntry/SparseEntry::def_index and Lookup()'s result.
inline constexpr uint32_t kNotRecorded = 0xffffffffu;     // fall back to lookup
inline constexpr uint32_t kUnresolvedWeak = 0xfffffffeu;  // weak undefined: value 0
inline constexpr uint32_t kNoString = 0xffffffffu;

// --- Env hash: what, besides the object list, changes resolution ----------
//
// The environment variables that key a closure, in hash order. The loader
// hashes the ones present in its environment (an empty value counts as
// present) and sends exactly these in a miss datagram; the tools pass them
// to `ld.so --record-bindings`, whose `env` line is this same hash.
// - LD_LIBRARY_PATH, LD_PRELOAD: which files load (also in the object keys,
//   but kept: cheap and conservative).
// - LD_BIND_NOW: bind mode.
// - LD_DYNAMIC_WEAK: weak definitions stop/do not stop a lookup.
// - LD_AUDIT: auditors may rebind symbols (la_symbind).
// Not included: GLIBC_TUNABLES/LD_HWCAP_MASK/LD_ORIGIN_PATH only change
// which files load, which the object keys already capture; LD_BIND_NOT and
// LD_DEBUG do not change any binding.
inline constexpr int kNumEnvVars = 5;
inline constexpr const char* kEnvVars[kNumEnvVars] = {
    "LD_LIBRARY_PATH", "LD_PRELOAD", "LD_BIND_NOW", "LD_DYNAMIC_WEAK", "LD_AUDIT",
};

// The mode byte, last input of the env hash.
inline constexpr uint8_t kModeSecure = 0x01;   // AT_SECURE: env paths ignored
inline constexpr uint8_t kModeBindNow = 0x02;  // eager binding in effect (LD_BIND_NOW non-empty)

inline constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ull;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ull;

// FNV-1a 64 over the bytes "NAME=VALUE\0" of each variable present, in
// kEnvVars order, then over the mode byte:
//   h = EnvHashBegin(); for each present i: h = EnvHashAdd(h, kEnvVars[i], value);
//   h = EnvHashFinish(h, mode);
constexpr uint64_t EnvHashBegin() { return kFnvBasis; }
constexpr uint64_t FnvByte(uint64_t h, uint8_t b) { return (h ^ b) * kFnvPrime; }
constexpr uint64_t EnvHashAdd(uint64_t h, const char* name, const char* value) {
  for (; *name; ++name) h = FnvByte(h, static_cast<uint8_t>(*name));
  h = FnvByte(h, '=');
  for (; *value; ++value) h = FnvByte(h, static_cast<uint8_t>(*value));
  return FnvByte(h, 0);
}
constexpr uint64_t EnvHashFinish(uint64_t h, uint8_t mode) { return FnvByte(h, mode); }
// values[i]: the value of kEnvVars[i], or nullptr when absent.
constexpr uint64_t EnvHash(const char* const* values, uint8_t mode) {
  uint64_t h = EnvHashBegin();
  for (int i = 0; i < kNumEnvVars; ++i)
    if (values[i] != nullptr) h = EnvHashAdd(h, kEnvVars[i], values[i]);
  return EnvHashFinish(h, mode);
}

// Index in kEnvVars of "NAME=..." (s points at NAME), or -1.
constexpr int EnvVarIndex(const char* s) {
  for (int i = 0; i < kNumEnvVars; ++i) {
    const char* n = kEnvVars[i];
    const char* p = s;
    while (*n && *p == *n) ++p, ++n;
    if (*n == 0 && *p == '=') return i;
  }
  return -1;
}

// --- Miss datagram (loader -> daemon) ----------------------------------
//
//   "rtld-miss 1\n" <program path> "\n" <env hash, 16 lowercase hex> "\n"
//   then "NAME=VALUE\n" for each kEnvVars entry present, in list order.
// No NUL bytes; a path or value containing '\n' is not sent. At most
// kMaxDatagram bytes (the loader does not send a larger one).
inline constexpr const char* kMissMagic = "rtld-miss 1\n";
inline constexpr size_t kMaxDatagram = 8192;

// --- Checksum ------------------------------------------------------------
//
// Four independent lanes over 8-byte little-endian words (32-byte blocks),
// each step h = ((h ^ w) * K) ^ (... >> 29), a bijection of h for a fixed
// word and of the word for a fixed h: a change of any one word always
// changes the result; the lanes keep four multiplies in flight. The tail
// (n % 8 bytes) is zero-padded; the length is mixed in at the end.

namespace detail {
constexpr uint64_t Mix(uint64_t h, uint64_t w) {
  h ^= w;
  h *= 0x9e3779b97f4a7c15ull;
  return h ^ (h >> 29);
}
inline uint64_t Load64(const unsigned char* p) {
  uint64_t v;
  __builtin_memcpy(&v, p, 8);
  return v;
}
}  // namespace detail

inline uint64_t Checksum64(const void* data, size_t n, uint64_t seed = 0) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  uint64_t a = kFnvBasis ^ seed, b = a + 1, c = a + 2, d = a + 3;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a = detail::Mix(a, detail::Load64(p + i));
    b = detail::Mix(b, detail::Load64(p + i + 8));
    c = detail::Mix(c, detail::Load64(p + i + 16));
    d = detail::Mix(d, detail::Load64(p + i + 24));
  }
  for (; i + 8 <= n; i += 8) a = detail::Mix(a, detail::Load64(p + i));
  if (i < n) {
    uint64_t t = 0;
    for (size_t k = 0; i + k < n; ++k) t |= uint64_t{p[i + k]} << (8 * k);
    b = detail::Mix(b, t);
  }
  uint64_t h = detail::Mix(n, a);
  h = detail::Mix(h, b);
  h = detail::Mix(h, c);
  return detail::Mix(h, d);
}

inline uint32_t Fold32(uint64_t h) { return static_cast<uint32_t>(h ^ (h >> 32)); }

// --- Format structures ---------------------------------------------------

// A file's identity: what fstat returned when the object was loaded, and a
// hash of its ELF build ID (NT_GNU_BUILD_ID; 0 without one). The vDSO has an
// all-zero key.
//
// Two keys name the same object (SameObject) when both have the same build
// ID, size and modification time to the second — what survives `cp -a`, a
// tar round trip, a container layer or a package install — or, without a
// build ID, when the whole stat identity is equal. A rewrite that keeps the
// size, the second of the mtime and the build ID defeats the first rule;
// `rtld-symcache verify` recomputes every binding and image and finds it.
struct ObjectKey {
  uint64_t dev = 0, ino = 0, size = 0, mtime_ns = 0, ctime_ns = 0;
  uint64_t build_id = 0;
};
static_assert(sizeof(ObjectKey) == 48);

constexpr bool operator==(const ObjectKey& a, const ObjectKey& b) {
  return a.dev == b.dev && a.ino == b.ino && a.size == b.size && a.mtime_ns == b.mtime_ns &&
         a.ctime_ns == b.ctime_ns && a.build_id == b.build_id;
}
constexpr bool SameObject(const ObjectKey& a, const ObjectKey& b) {
  if (a.build_id != 0 || b.build_id != 0)
    return a.build_id == b.build_id && a.size == b.size && a.mtime_ns / 1000000000u == b.mtime_ns / 1000000000u;
  return a == b;
}
constexpr int CompareKeys(const ObjectKey& a, const ObjectKey& b) {
  const uint64_t x[6] = {a.dev, a.ino, a.size, a.mtime_ns, a.ctime_ns, a.build_id};
  const uint64_t y[6] = {b.dev, b.ino, b.size, b.mtime_ns, b.ctime_ns, b.build_id};
  for (int i = 0; i < 6; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

// The build-ID hash of ObjectKey: FNV-1a 64 of the note's descriptor bytes,
// never 0 for a present note.
inline uint64_t BuildIdHash(const void* desc, size_t n) {
  const unsigned char* p = static_cast<const unsigned char*>(desc);
  uint64_t h = kFnvBasis;
  for (size_t i = 0; i < n; ++i) h = FnvByte(h, p[i]);
  return h == 0 ? 1 : h;
}

namespace detail {
// Mixes in what SameObject compares.
inline uint64_t MixKey(uint64_t h, const ObjectKey& k) {
  if (k.build_id != 0) {
    h = Mix(h, k.build_id);
    h = Mix(h, k.size);
    return Mix(h, k.mtime_ns / 1000000000u);
  }
  h = Mix(h, k.dev);
  h = Mix(h, k.ino);
  h = Mix(h, k.size);
  h = Mix(h, k.mtime_ns);
  return Mix(h, k.ctime_ns);
}
}  // namespace detail

// The hash a closure is filed under: env hash, count and every key.
inline uint64_t ClosureKeyHash(uint64_t env_hash, const ObjectKey* keys, unsigned nkeys) {
  uint64_t h = detail::Mix(kFnvBasis, env_hash);
  h = detail::Mix(h, nkeys);
  for (unsigned i = 0; i < nkeys; ++i) h = detail::MixKey(h, keys[i]);
  return h;
}

// The hash a closure with a layout is also filed under (kSecPrograms): its
// env hash and its program's key alone, known before any library is mapped.
inline uint64_t ProgramKeyHash(uint64_t env_hash, const ObjectKey& program) {
  uint64_t h = detail::Mix(kFnvBasis ^ 0x70726f67ull /* "prog" */, env_hash);
  return detail::MixKey(h, program);
}

struct Section {
  uint64_t offset;    // from file start, 8-aligned
  uint64_t size;      // bytes
  uint64_t count;     // entries (meaning per section)
  uint64_t checksum;  // Checksum64 of the bytes (unused for slots/closures: 0)
};
static_assert(sizeof(Section) == 32);

enum SectionId : unsigned {
  kSecSlots = 0,     // count = number of slots (power of two, or 0)
  kSecClosures = 1,  // count = number of closure records
  kSecObjects = 2,   // count = number of ObjectEntry
  kSecStrings = 3,   // count = 0
  kSecSymbols = 4,   // count = number of SymIndexEntry
  kSecPrograms = 5,  // count = number of slots (power of two, or 0)
  kSecImages = 6,    // count = number of pages; offset kImagePage-aligned
  kNumSections = 7,
};

// Image pages are mapped from the file: their offsets are multiples of this.
inline constexpr uint64_t kImagePage = 4096;

struct Header {
  char magic[8];             // kMagic
  uint32_t version;          // kFormatVersion
  uint32_t header_size;      // sizeof(Header)
  uint64_t file_size;        // exact size of the file
  uint64_t generation;       // increases with each publication
  uint64_t index_checksum;   // Checksum64(header with this field 0) then slots, seeded
  uint64_t created_ns;       // CLOCK_REALTIME at publication (informational)
  uint64_t flags;            // 0
  uint64_t reserved0;
  Section sections[kNumSections];
  uint64_t reserved[4];
};
static_assert(sizeof(Header) == 320);

struct ClosureSlot {
  uint64_t key_hash;
  uint32_t record_off8;   // record offset / 8; 0 = empty slot
  uint32_t record_check;  // Fold32(Checksum64(record bytes))
};
static_assert(sizeof(ClosureSlot) == 16);

struct ClosureRecord {
  uint64_t key_hash;     // ClosureKeyHash(env_hash, keys, nobjects)
  uint64_t env_hash;
  uint64_t record_size;  // bytes, this header included; = RecordSize(...)
  uint32_t nobjects;
  uint32_t program;      // kSecStrings offset of the program's path, or kNoString
  uint32_t ndense;
  uint32_t nsparse;
  uint64_t last_used_s;  // last requested (Unix seconds): LRU eviction
  uint64_t created_s;    // recorded (Unix seconds)
  uint32_t nruns;        // ImageRun entries
  uint32_t npatches;     // Patch entries
  uint32_t env_text;     // kSecStrings offset of the keying variables
                         // ("NAME=VALUE\n"...), or kNoString
  uint32_t flags;        // kRecordLayout, kRecordImages
  uint64_t layout_base;  // the base the layout was drawn from (informational)
};
static_assert(sizeof(ClosureRecord) == 80);
inline constexpr uint32_t kRecordLayout = 1;  // objects have load biases
inline constexpr uint32_t kRecordImages = 2;  // and images (runs + patches)

struct ClosureObject {
  ObjectKey key;
  uint32_t object_id;    // index in kSecObjects
  uint32_t nsyms;        // number of .dynsym entries when recorded
  uint32_t dense_first;  // index in the record's DenseEntry array
  uint32_t dense_count;  // covers symndx [0, dense_count)
  uint32_t sparse_first;
  uint32_t sparse_count;
  uint64_t bias;         // load bias of the layout; 0: not placed (the
                         // program, the loader, the vDSO, or no layout)
  uint32_t run_first;    // index in the record's ImageRun array
  uint32_t run_count;
  uint32_t patch_first;  // index in the record's Patch array
  uint32_t patch_count;
  uint32_t flags;        // kObjLazyPlt, kObjImage, kObjExactKey
  uint32_t reserved;
};
static_assert(sizeof(ClosureObject) == 104);
// Some PLT slot stays for lazy binding (its symbol was undefined when
// recorded): the PLT header (GOT[1], GOT[2]) is set at start.
inline constexpr uint32_t kObjLazyPlt = 1;
// The object has an image: its runs replace the pages relocation writes and
// relocating it means applying its patches only. Without it, a placed
// object (e.g. one with DT_TEXTREL) is relocated as usual.
inline constexpr uint32_t kObjImage = 2;
// The object stands only for a file with exactly its stat identity
// (ObjectKey ==), not for any file SameObject would match: its build ID,
// size and mtime do not vouch for its contents. The daemon sets it for a
// file not only root can have written (a user can give a file of theirs
// another file's build ID, size and mtime, and have it recorded).
inline constexpr uint32_t kObjExactKey = 4;

// Whether a closure's object stands for the file with this key.
constexpr bool ObjectMatches(const ClosureObject& o, const ObjectKey& key) {
  return (o.flags & kObjExactKey) != 0 ? o.key == key : SameObject(o.key, key);
}

// Pages [vaddr, vaddr + npages * kImagePage) of an object (vaddr relative to
// its bias, page-aligned, inside one writable PT_LOAD's file-backed pages or
// its PT_GNU_RELRO) are the file's pages at file_offset.
struct ImageRun {
  uint64_t vaddr;
  uint64_t file_offset;  // in kSecImages, kImagePage-aligned
  uint32_t npages;
  uint32_t reserved;
};
static_assert(sizeof(ImageRun) == 24);

// One relocation applied at start by the loader's relocation code, as an
// Elf64_Rela: r_offset, r_info, r_addend.
struct Patch {
  uint64_t offset;
  uint64_t info;
  int64_t addend;
};
static_assert(sizeof(Patch) == 24);

struct DenseEntry {
  uint32_t def_index;   // load-order position, kNotRecorded or kUnresolvedWeak
  uint32_t def_symndx;
};
static_assert(sizeof(DenseEntry) == 8);

struct SparseEntry {
  uint32_t symndx;
  uint32_t def_index;
  uint32_t def_symndx;
  uint32_t reserved;
};
static_assert(sizeof(SparseEntry) == 16);

constexpr uint64_t RecordSize(uint64_t nobjects, uint64_t ndense, uint64_t nsparse, uint64_t nruns = 0,
                             uint64_t npatches = 0) {
  return sizeof(ClosureRecord) + nobjects * sizeof(ClosureObject) + ndense * sizeof(DenseEntry) +
         nsparse * sizeof(SparseEntry) + nruns * sizeof(ImageRun) + npatches * sizeof(Patch);
}

struct ObjectEntry {
  ObjectKey key;
  uint32_t soname;  // kSecStrings offset or kNoString
  uint32_t path;    // kSecStrings offset or kNoString
  uint32_t nsyms;
  uint32_t flags;   // 0
};
static_assert(sizeof(ObjectEntry) == 64);

// Symbol index (kSecSymbols), offsets relative to the section start:
//   SymIndexHeader
//   uint32_t bucket_start[nbuckets + 1]   (entries of bucket b: [start[b], start[b+1]))
//   SymIndexEntry entries[nentries]        (grouped by GnuHash(name) % nbuckets)
//   SymDef defs[ndefs]
//   char strings[strings_size]
struct SymIndexHeader {
  uint32_t nbuckets;
  uint32_t nentries;
  uint32_t ndefs;
  uint32_t strings_size;
  uint64_t buckets_off;
  uint64_t entries_off;
  uint64_t defs_off;
  uint64_t strings_off;
};
static_assert(sizeof(SymIndexHeader) == 48);

struct SymIndexEntry {
  uint32_t gnu_hash;    // GnuHash(name)
  uint32_t name;        // offset in the index's strings
  uint32_t version;     // offset in the index's strings, or kNoString (unversioned)
  uint32_t defs_first;  // index in defs
  uint32_t ndefs;
  uint32_t flags;       // kSymDefault: the default (@@) version of the name
};
static_assert(sizeof(SymIndexEntry) == 24);
inline constexpr uint32_t kSymDefault = 1;

// Definers in link-map order: objects in the order of their first load
// position over the recorded programs (for one program: its link-map order).
struct SymDef {
  uint32_t object_id;  // index in kSecObjects
  uint32_t symndx;     // the definition's index in that object's .dynsym
};
static_assert(sizeof(SymDef) == 8);

// --- Reader --------------------------------------------------------------

// One validated closure. Lookup is an array read (a bisection for the rare
// references above the dense prefix).
class Closure {
 public:
  bool valid() const { return rec_ != nullptr; }
  uint32_t nobjects() const { return valid() ? rec_->nobjects : 0; }
  const ClosureRecord* record() const { return rec_; }
  const ClosureObject* object(uint32_t i) const {
    return valid() && i < rec_->nobjects ? &objs_[i] : nullptr;
  }
  // The .dynsym count recorded for object i (0 if out of range). The loader
  // may compare it with its own count as an extra consistency check.
  uint32_t nsyms(uint32_t i) const { return valid() && i < rec_->nobjects ? objs_[i].nsyms : 0; }
  bool has_layout() const { return valid() && (rec_->flags & kRecordLayout) != 0; }
  bool has_images() const { return valid() && (rec_->flags & kRecordImages) != 0; }
  // Object i's image runs and patches (bounds checked when the record was
  // validated); empty when out of range.
  const ImageRun* runs(uint32_t i, uint32_t* n) const {
    *n = valid() && i < rec_->nobjects ? objs_[i].run_count : 0;
    return *n ? runs_ + objs_[i].run_first : nullptr;
  }
  const Patch* patches(uint32_t i, uint32_t* n) const {
    *n = valid() && i < rec_->nobjects ? objs_[i].patch_count : 0;
    return *n ? patches_ + objs_[i].patch_first : nullptr;
  }

  // The recorded binding of symbol symndx referenced by the object at load
  // position obj. false: not recorded, fall back to symbolic lookup. true:
  // *def_index is kUnresolvedWeak (weak undefined, value 0; *def_symndx 0)
  // or a load position < nobjects() with *def_symndx < nsyms(*def_index).
  bool Lookup(uint32_t obj, uint32_t symndx, uint32_t* def_index, uint32_t* def_symndx) const {
    if (rec_ == nullptr || obj >= rec_->nobjects) return false;
    const ClosureObject& o = objs_[obj];
    if (symndx >= o.nsyms) return false;
    uint32_t di, ds;
    if (symndx < o.dense_count) {
      const DenseEntry& e = dense_[o.dense_first + symndx];
      di = e.def_index;
      ds = e.def_symndx;
    } else {
      const SparseEntry* s = sparse_ + o.sparse_first;
      uint32_t lo = 0, hi = o.sparse_count;
      for (;;) {
        if (lo >= hi) return false;
        const uint32_t mid = lo + (hi - lo) / 2;
        if (s[mid].symndx == symndx) {
          di = s[mid].def_index;
          ds = s[mid].def_symndx;
          break;
        }
        if (s[mid].symndx < symndx) lo = mid + 1;
        else hi = mid;
      }
    }
    if (di == kUnresolvedWeak) {
      *def_index = kUnresolvedWeak;
      *def_symndx = 0;
      return true;
    }
    if (di >= rec_->nobjects || ds >= objs_[di].nsyms) return false;
    *def_index = di;
    *def_symndx = ds;
    return true;
  }

 private:
  friend class Reader;
  const ClosureRecord* rec_ = nullptr;
  const ClosureObject* objs_ = nullptr;
  const DenseEntry* dense_ = nullptr;
  const SparseEntry* sparse_ = nullptr;
  const ImageRun* runs_ = nullptr;
  const Patch* patches_ = nullptr;
};

// The definers of one (name, version) in the symbol index.
struct SymDefs {
  const SymDef* defs = nullptr;
  uint32_t count = 0;
  uint32_t flags = 0;
};

class Reader {
 public:
  // Validates the header, every section's bounds and the index checksum.
  // data must be 8-byte aligned (mmap is). false on any inconsistency; the
  // reader is then unusable.
  bool Open(const void* data, size_t size) {
    *this = Reader();
    const uintptr_t addr = reinterpret_cast<uintptr_t>(data);
    if (data == nullptr || (addr & 7) != 0 || size < sizeof(Header)) return false;
    const unsigned char* p = static_cast<const unsigned char*>(data);
    const Header* h = reinterpret_cast<const Header*>(p);
    for (int i = 0; i < 8; ++i)
      if (h->magic[i] != kMagic[i]) return false;
    if (h->version != kFormatVersion || h->header_size != sizeof(Header)) return false;
    if (h->file_size != size || (size & 7) != 0) return false;
    for (unsigned i = 0; i < kNumSections; ++i) {
      const Section& s = h->sections[i];
      if ((s.offset & 7) != 0 || (s.size & 7) != 0) return false;
      if (s.size != 0 && s.offset < sizeof(Header)) return false;
      if (s.offset > size || s.size > size - s.offset) return false;
    }
    const Section& slots = h->sections[kSecSlots];
    if (slots.count != 0 && (slots.count & (slots.count - 1)) != 0) return false;
    if (slots.count > (uint64_t{1} << 31) || slots.size != slots.count * sizeof(ClosureSlot))
      return false;
    const Section& objs = h->sections[kSecObjects];
    if (objs.count > 0xffffffffu || objs.size != objs.count * sizeof(ObjectEntry)) return false;
    if (h->sections[kSecStrings].size > 0xffffffffu) return false;
    if (h->sections[kSecClosures].offset / 8 + h->sections[kSecClosures].size / 8 > 0xffffffffu)
      return false;
    const Section& progs = h->sections[kSecPrograms];
    if (progs.count != 0 && (progs.count & (progs.count - 1)) != 0) return false;
    if (progs.count > (uint64_t{1} << 31) || progs.size != progs.count * sizeof(ClosureSlot)) return false;
    const Section& images = h->sections[kSecImages];
    // (size / kImagePage, not count * kImagePage: a huge count must not wrap
    // to the size.)
    if (images.offset % kImagePage != 0 || images.size % kImagePage != 0 || images.size / kImagePage != images.count)
      return false;
    // Index checksum: the header with the checksum field zero, then the slots.
    // (Copied word by word: no memcpy call in the freestanding build.)
    uint64_t copy[sizeof(Header) / 8];
    const uint64_t* words = reinterpret_cast<const uint64_t*>(p);
    for (size_t w = 0; w < sizeof(Header) / 8; ++w) copy[w] = words[w];
    copy[offsetof(Header, index_checksum) / 8] = 0;
    uint64_t c = Checksum64(copy, sizeof(Header));
    c = Checksum64(p + slots.offset, slots.size, c);
    c = Checksum64(p + progs.offset, progs.size, c);
    if (c != h->index_checksum) return false;
    base_ = p;
    size_ = size;
    hdr_ = h;
    slots_ = reinterpret_cast<const ClosureSlot*>(p + slots.offset);
    nslots_ = static_cast<uint32_t>(slots.count);
    progs_ = reinterpret_cast<const ClosureSlot*>(p + progs.offset);
    nprogs_ = static_cast<uint32_t>(progs.count);
    return true;
  }

  bool valid() const { return hdr_ != nullptr; }
  const Header* header() const { return hdr_; }
  uint64_t generation() const { return valid() ? hdr_->generation : 0; }
  uint32_t slot_count() const { return nslots_; }

  // The closure for exactly this env hash and ordered key list, or an
  // invalid Closure (a miss). Verifies the record's checksum and bounds.
  Closure FindClosure(uint64_t env_hash, const ObjectKey* keys, unsigned nkeys) const {
    if (!valid() || nkeys == 0) return Closure();
    const uint64_t kh = ClosureKeyHash(env_hash, keys, nkeys);
    return Probe(slots_, nslots_, kh, [&](const Closure& c) {
      return c.rec_->key_hash == kh && Matches(c, env_hash, keys, nkeys);
    });
  }

  // Whether a validated closure is the one for exactly this env hash and
  // ordered key list (each object ObjectMatches).
  static bool Matches(const Closure& c, uint64_t env_hash, const ObjectKey* keys, unsigned nkeys) {
    const ClosureRecord* r = c.rec_;
    if (r == nullptr || r->env_hash != env_hash || r->nobjects != nkeys) return false;
    for (unsigned k = 0; k < nkeys; ++k)
      if (!ObjectMatches(c.objs_[k], keys[k])) return false;
    return true;
  }

  // The closure with a layout recorded for this program (its key, load
  // position 0) and env hash, or an invalid Closure. Verifies the record.
  Closure FindByProgram(uint64_t env_hash, const ObjectKey& program) const {
    if (!valid()) return Closure();
    return Probe(progs_, nprogs_, ProgramKeyHash(env_hash, program), [&](const Closure& c) {
      const ClosureRecord* r = c.rec_;
      return c.has_layout() && r->env_hash == env_hash && r->nobjects != 0 && ObjectMatches(c.objs_[0], program);
    });
  }

  // The file offset range of the image pages (for the loader's mappings).
  const Section& images() const { return hdr_->sections[kSecImages]; }

  // The closure filed in slot i (tools: enumeration), or an invalid one.
  Closure ClosureInSlot(uint32_t i) const {
    if (!valid() || i >= nslots_ || slots_[i].record_off8 == 0) return Closure();
    return RecordAt(slots_[i]);
  }

  // --- Objects and strings (verified on first use) ---
  bool VerifyObjects() {
    if (!valid()) return false;
    if (objects_ok_) return true;
    const Section& o = hdr_->sections[kSecObjects];
    const Section& s = hdr_->sections[kSecStrings];
    if (Checksum64(base_ + o.offset, o.size) != o.checksum) return false;
    if (Checksum64(base_ + s.offset, s.size) != s.checksum) return false;
    objects_ok_ = true;
    return true;
  }
  uint32_t object_count() const {
    return objects_ok_ ? static_cast<uint32_t>(hdr_->sections[kSecObjects].count) : 0;
  }
  const ObjectEntry* Object(uint32_t id) const {
    if (!objects_ok_ || id >= object_count()) return nullptr;
    return reinterpret_cast<const ObjectEntry*>(base_ + hdr_->sections[kSecObjects].offset) + id;
  }
  // Object table index of key (the table is sorted by key), or -1.
  int64_t FindObject(const ObjectKey& key) const {
    const ObjectEntry* t = Object(0);
    if (t == nullptr) return -1;
    uint32_t lo = 0, hi = object_count();
    while (lo < hi) {
      const uint32_t mid = lo + (hi - lo) / 2;
      const int c = CompareKeys(t[mid].key, key);
      if (c == 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }
  // A string of kSecStrings (NUL-terminated inside the section), or nullptr.
  const char* String(uint32_t off) const {
    if (!objects_ok_) return nullptr;
    const Section& s = hdr_->sections[kSecStrings];
    return StringIn(reinterpret_cast<const char*>(base_ + s.offset), s.size, off);
  }

  // --- Symbol index (verified on first use) ---
  bool VerifySymbols() {
    if (!valid()) return false;
    if (symbols_ok_) return true;
    const Section& s = hdr_->sections[kSecSymbols];
    if (s.size == 0) return false;
    if (Checksum64(base_ + s.offset, s.size) != s.checksum) return false;
    if (s.size < sizeof(SymIndexHeader)) return false;
    const unsigned char* sec = base_ + s.offset;
    const SymIndexHeader* sh = reinterpret_cast<const SymIndexHeader*>(sec);
    if (sh->nentries != s.count || sh->nbuckets == 0) return false;
    if (!Fits(sh->buckets_off, (uint64_t{sh->nbuckets} + 1) * 4, s.size, 4) ||
        !Fits(sh->entries_off, uint64_t{sh->nentries} * sizeof(SymIndexEntry), s.size, 8) ||
        !Fits(sh->defs_off, uint64_t{sh->ndefs} * sizeof(SymDef), s.size, 8) ||
        !Fits(sh->strings_off, sh->strings_size, s.size, 1))
      return false;
    sym_hdr_ = sh;
    sym_buckets_ = reinterpret_cast<const uint32_t*>(sec + sh->buckets_off);
    sym_entries_ = reinterpret_cast<const SymIndexEntry*>(sec + sh->entries_off);
    sym_defs_ = reinterpret_cast<const SymDef*>(sec + sh->defs_off);
    sym_strings_ = reinterpret_cast<const char*>(sec + sh->strings_off);
    symbols_ok_ = true;
    return true;
  }
  uint32_t symbol_count() const { return symbols_ok_ ? sym_hdr_->nentries : 0; }
  const SymIndexEntry* SymbolEntry(uint32_t i) const {
    return symbols_ok_ && i < sym_hdr_->nentries ? &sym_entries_[i] : nullptr;
  }
  const char* SymbolString(uint32_t off) const {
    return symbols_ok_ ? StringIn(sym_strings_, sym_hdr_->strings_size, off) : nullptr;
  }
  SymDefs DefsOf(const SymIndexEntry& e) const {
    SymDefs r;
    if (!symbols_ok_ || e.defs_first > sym_hdr_->ndefs || e.ndefs > sym_hdr_->ndefs - e.defs_first)
      return r;
    r.defs = sym_defs_ + e.defs_first;
    r.count = e.ndefs;
    r.flags = e.flags;
    return r;
  }
  // The objects that define name with version (nullptr: unversioned),
  // in link-map order. Empty when unknown or the index is not verified.
  SymDefs FindSymbol(const char* name, const char* version, uint32_t gnu_hash) const {
    if (!symbols_ok_) return SymDefs();
    const uint32_t b = gnu_hash % sym_hdr_->nbuckets;
    uint32_t first = sym_buckets_[b], last = sym_buckets_[b + 1];
    if (last > sym_hdr_->nentries) last = sym_hdr_->nentries;
    for (uint32_t i = first; i < last; ++i) {
      const SymIndexEntry& e = sym_entries_[i];
      if (e.gnu_hash != gnu_hash) continue;
      const char* n = SymbolString(e.name);
      if (n == nullptr || !StrEq(n, name)) continue;
      if (version == nullptr ? e.version != kNoString : e.version == kNoString) continue;
      if (version != nullptr) {
        const char* v = SymbolString(e.version);
        if (v == nullptr || !StrEq(v, version)) continue;
      }
      return DefsOf(e);
    }
    return SymDefs();
  }

 private:
  static bool Fits(uint64_t off, uint64_t len, uint64_t size, uint64_t align) {
    return off % align == 0 && off <= size && len <= size - off;
  }
  static bool StrEq(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
  }
  static const char* StringIn(const char* base, uint64_t size, uint32_t off) {
    if (off >= size) return nullptr;
    for (uint64_t i = off; i < size; ++i)
      if (base[i] == 0) return base + off;
    return nullptr;
  }

  // Linear probing over a slot table for key hash kh: the first record
  // that validates and that accept takes, or an invalid Closure.
  template <typename Accept>
  Closure Probe(const ClosureSlot* slots, uint32_t n, uint64_t kh, Accept&& accept) const {
    if (n == 0) return Closure();
    const uint32_t mask = n - 1;
    uint32_t i = static_cast<uint32_t>(kh) & mask;
    for (uint32_t probes = 0; probes < n; ++probes, i = (i + 1) & mask) {
      const ClosureSlot& s = slots[i];
      if (s.record_off8 == 0) break;
      if (s.key_hash != kh) continue;
      Closure c = RecordAt(s);
      if (c.valid() && accept(c)) return c;
    }
    return Closure();
  }

  Closure RecordAt(const ClosureSlot& s) const {
    const Section& cs = hdr_->sections[kSecClosures];
    const uint64_t off = uint64_t{s.record_off8} * 8;
    if (off < cs.offset || off - cs.offset > cs.size) return Closure();
    const uint64_t avail = cs.size - (off - cs.offset);
    if (avail < sizeof(ClosureRecord)) return Closure();
    const ClosureRecord* r = reinterpret_cast<const ClosureRecord*>(base_ + off);
    if (r->record_size > avail ||
        r->record_size != RecordSize(r->nobjects, r->ndense, r->nsparse, r->nruns, r->npatches))
      return Closure();
    if (Fold32(Checksum64(r, r->record_size)) != s.record_check) return Closure();
    Closure c;
    c.objs_ = reinterpret_cast<const ClosureObject*>(r + 1);
    c.dense_ = reinterpret_cast<const DenseEntry*>(c.objs_ + r->nobjects);
    c.sparse_ = reinterpret_cast<const SparseEntry*>(c.dense_ + r->ndense);
    c.runs_ = reinterpret_cast<const ImageRun*>(c.sparse_ + r->nsparse);
    c.patches_ = reinterpret_cast<const Patch*>(c.runs_ + r->nruns);
    const Section& images = hdr_->sections[kSecImages];
    for (uint32_t i = 0; i < r->nobjects; ++i) {
      const ClosureObject& o = c.objs_[i];
      if (o.dense_first > r->ndense || o.dense_count > r->ndense - o.dense_first) return Closure();
      if (o.dense_count > o.nsyms) return Closure();
      if (o.sparse_first > r->nsparse || o.sparse_count > r->nsparse - o.sparse_first)
        return Closure();
      if (o.run_first > r->nruns || o.run_count > r->nruns - o.run_first) return Closure();
      if (o.patch_first > r->npatches || o.patch_count > r->npatches - o.patch_first) return Closure();
      if ((o.bias % kImagePage) != 0) return Closure();
      for (uint32_t k = 0; k < o.run_count; ++k) {
        // Every run lies inside the image section, page-aligned.
        const ImageRun& run = c.runs_[o.run_first + k];
        const uint64_t len = uint64_t{run.npages} * kImagePage;
        if (run.npages == 0 || run.vaddr % kImagePage != 0 || run.file_offset % kImagePage != 0 ||
            run.file_offset < images.offset || run.file_offset - images.offset > images.size ||
            len > images.size - (run.file_offset - images.offset) || run.vaddr + len < run.vaddr)
          return Closure();
      }
    }
    c.rec_ = r;
    return c;
  }

  const unsigned char* base_ = nullptr;
  size_t size_ = 0;
  const Header* hdr_ = nullptr;
  const ClosureSlot* slots_ = nullptr;
  uint32_t nslots_ = 0;
  const ClosureSlot* progs_ = nullptr;
  uint32_t nprogs_ = 0;
  bool objects_ok_ = false;
  bool symbols_ok_ = false;
  const SymIndexHeader* sym_hdr_ = nullptr;
  const uint32_t* sym_buckets_ = nullptr;
  const SymIndexEntry* sym_entries_ = nullptr;
  const SymDef* sym_defs_ = nullptr;
  const char* sym_strings_ = nullptr;
};

// --- Trust rules -----------------------------------------------------------
//
// mode: st_mode (type and permission bits). A cache file is used only if it
// is a regular file, not writable by group or others, and owned by root or
// the current user; in secure mode (AT_SECURE) only a root-owned file at the
// system path (kDefaultCachePath) is used.
inline constexpr uint32_t kModeTypeMask = 0170000, kModeRegular = 0100000, kModeDirectory = 0040000,
                          kModeSocket = 0140000;
inline constexpr uint32_t kModeGroupWrite = 0020, kModeOtherWrite = 0002;

constexpr bool OwnerTrusted(uint32_t owner_uid, uint32_t current_uid, bool secure) {
  return owner_uid == 0 || (!secure && owner_uid == current_uid);
}

constexpr bool CacheFileTrusted(uint32_t file_uid, uint32_t mode, uint32_t current_uid, bool secure,
                                bool is_system_path) {
  if ((mode & kModeTypeMask) != kModeRegular) return false;
  if ((mode & (kModeGroupWrite | kModeOtherWrite)) != 0) return false;
  if (secure) return is_system_path && file_uid == 0;
  return OwnerTrusted(file_uid, current_uid, false);
}

// The daemon's socket: every user must be able to send to it, so the socket
// itself is writable by all by design. What is checked is its owner (root or
// the current user; in secure mode root only, and only the system path) and
// the directory that holds it (same owner rule, and not writable by group or
// others), so no one else can put another socket in its place.
constexpr bool SocketTrusted(uint32_t sock_uid, uint32_t sock_mode, uint32_t dir_uid, uint32_t dir_mode,
                             uint32_t current_uid, bool secure, bool is_system_path) {
  if ((sock_mode & kModeTypeMask) != kModeSocket) return false;
  if ((dir_mode & kModeTypeMask) != kModeDirectory) return false;
  if ((dir_mode & (kModeGroupWrite | kModeOtherWrite)) != 0) return false;
  if (secure && !is_system_path) return false;
  return OwnerTrusted(sock_uid, current_uid, secure) && OwnerTrusted(dir_uid, current_uid, secure);
}

}  // namespace rtld::elf::symcache
