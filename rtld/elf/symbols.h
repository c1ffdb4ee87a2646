// One object's dynamic symbol table as lookup sees it: symbols, strings,
// GNU hash (Bloom filter first) or SysV hash, and symbol versions. Every
// index read from the object is bounds-checked against the table sizes that
// were validated when the object was decoded.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "rtld/elf/hash.h"
#include "rtld/elf/types.h"
#include "rtld/support/string.h"

namespace rtld::elf {

// A version as an object defines or requires it.
struct Version {
  const char* name = nullptr;  // nullptr: no version at this index
  uint32_t hash = 0;           // ELF (SysV) hash of name
  bool hidden = false;         // a requirement marked hidden (vna_other bit 15)
  const char* filename = nullptr;  // requirements: the soname it is needed from
};

struct GnuHashTable {
  uint32_t nbuckets = 0;
  uint32_t symoffset = 0;
  uint32_t bloom_size = 0;  // number of 64-bit words, a power of two
  uint32_t bloom_shift = 0;
  const uint64_t* bloom = nullptr;
  const uint32_t* buckets = nullptr;
  const uint32_t* chain = nullptr;  // indexed by symbol index - symoffset
};

struct SysvHashTable {
  uint32_t nbucket = 0;
  uint32_t nchain = 0;
  const uint32_t* buckets = nullptr;
  const uint32_t* chains = nullptr;
};

// Rules of glibc's check_match for versions (dl-lookup.c), restated:
// - a versioned reference matches a definition of that exact version, or a
//   definition at index 0/1 (unversioned) that is not hidden, unless the
//   reference itself is hidden;
// - an unversioned reference takes a definition at index < 3 (unversioned
//   or the first version) at once; otherwise the definition is a candidate
//   if it is not hidden, and is taken only when it is the only such one.
struct SymbolTable {
  const Sym* syms = nullptr;
  uint32_t nsyms = 0;  // known bound on symbol indices
  const char* strtab = nullptr;
  size_t strsz = 0;
  GnuHashTable gnu;
  SysvHashTable sysv;
  bool has_gnu = false;
  bool has_sysv = false;
  const Half* versym = nullptr;      // nsyms entries, or nullptr
  const Version* versions = nullptr;  // indexed by version index
  uint32_t nversions = 0;

  // The string at offset off, or nullptr when out of bounds.
  const char* String(size_t off) const { return off < strsz ? strtab + off : nullptr; }

  const char* SymbolName(const Sym& s) const { return String(s.name); }

  // The GNU hash Bloom filter alone: false means the object certainly does
  // not define the name (objects without DT_GNU_HASH answer true). Cheap
  // enough to test inline for every object of a scope.
  bool MayDefine(uint32_t gnu_hash) const {
    if (!has_gnu) return has_sysv;
    const uint64_t word = gnu.bloom[(gnu_hash / 64) & (gnu.bloom_size - 1)];
    const uint64_t mask = (uint64_t{1} << (gnu_hash % 64)) | (uint64_t{1} << ((gnu_hash >> gnu.bloom_shift) % 64));
    return (word & mask) == mask;
  }

  // Looks name up in this object only. Returns the symbol index of a
  // matching definition, or -1. `newest` selects the latest public version
  // for unversioned lookups (dlsym), as DL_LOOKUP_RETURN_NEWEST does.
  // `plt`: the reference is a PLT slot, which never binds to an undefined
  // symbol; other references may bind to an undefined symbol with a value
  // (a non-PIE program's canonical PLT entry, for pointer equality).
  int64_t Find(HashedName& name, const Version* want, bool plt = false,
               bool newest = false) const {
    int64_t versioned_candidate = -1;
    unsigned candidates = 0;
    if (has_gnu) {
      const GnuHashTable& g = gnu;
      const uint32_t h1 = name.gnu;
      if (!MayDefine(h1)) return -1;
      uint32_t i = g.buckets[h1 % g.nbuckets];
      if (i < g.symoffset) return -1;
      for (; i < nsyms; ++i) {
        const uint32_t h2 = g.chain[i - g.symoffset];
        if (((h1 ^ h2) >> 1) == 0) {
          int r = Check(i, name.name, name.len, want, plt, newest, versioned_candidate, candidates);
          if (r > 0) return i;
          if (r < 0) return -1;
        }
        if (h2 & 1) break;
      }
    } else if (has_sysv) {
      const SysvHashTable& s = sysv;
      const uint32_t h = name.Sysv();
      uint32_t steps = 0;
      for (uint32_t i = s.buckets[h % s.nbucket]; i != STN_UNDEF && i < s.nchain; i = s.chains[i]) {
        int r = Check(i, name.name, name.len, want, plt, newest, versioned_candidate, candidates);
        if (r > 0) return i;
        if (r < 0) return -1;
        if (++steps > s.nchain) break;  // a cyclic chain in a hostile file
      }
    }
    return candidates == 1 ? versioned_candidate : -1;
  }

 private:
  // 1: match; 0: no match (may have recorded an unversioned candidate);
  // -1: the name matched a local or hidden symbol, which ends the search in
  // this object (glibc's do_lookup_x skips the object then).
  // Whether the string at off is want_name (of length want_len): the whole
  // name and its NUL compared at once when they lie inside the table.
  bool NameIs(size_t off, const char* want_name, size_t want_len) const {
    if (off >= strsz) return false;
    if (want_len < strsz - off) return support::MemEq(strtab + off, want_name, want_len + 1);
    return false;  // the name and its NUL would not fit in the table
  }

  int Check(uint32_t i, const char* want_name, size_t want_len, const Version* want, bool plt, bool newest,
            int64_t& candidate, unsigned& candidates) const {
    const Sym& s = syms[i];
    const unsigned type = s.type();
    // Only symbols with a value count; TLS symbols have value 0 legally.
    if ((s.value == 0 && type != STT_TLS && s.shndx != SHN_ABS) || (plt && s.shndx == SHN_UNDEF))
      return 0;
    if (type > STT_FUNC && type != STT_COMMON && type != STT_TLS && type != STT_GNU_IFUNC) return 0;
    if (!NameIs(s.name, want_name, want_len)) return 0;
    if (versym != nullptr && !VersionMatches(i, want, newest, candidate, candidates)) return 0;
    const unsigned bind = s.bind();
    if (s.visibility() == STV_HIDDEN || s.visibility() == STV_INTERNAL) return -1;
    if (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE) return -1;
    return 1;
  }

  bool VersionMatches(uint32_t i, const Version* want, bool newest, int64_t& candidate,
                      unsigned& candidates) const {
    const Half vs = versym[i];
    const Half ndx = vs & kVersymIndexMask;
    if (want != nullptr) {
      const Version* have = ndx < nversions ? &versions[ndx] : nullptr;
      const bool same = have != nullptr && have->name != nullptr && have->hash == want->hash &&
                        support::StrCmp(have->name, want->name) == 0;
      if (same) return true;
      // Accept an unversioned (index 0/1), non-hidden definition for a
      // non-hidden requirement.
      return !want->hidden && ndx < 2 && (vs & kVersymHidden) == 0;
    }
    if (ndx < (newest ? 2 : 3)) return true;
    if ((vs & kVersymHidden) == 0 && candidates++ == 0) candidate = i;
    return false;
  }
};

}  // namespace rtld::elf
