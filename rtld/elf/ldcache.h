// Reader of glibc's /etc/ld.so.cache ("glibc-ld.so.cache1.1", optionally
// behind the old "ld.so-1.7.0" table). Pure: works on a byte range that
// the caller mapped; every offset is bounds-checked.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "rtld/support/string.h"

namespace rtld::elf {

// glibc's ordering of library names in the cache: digit runs compare as
// numbers, so libfoo.so.10 sorts after libfoo.so.9; other bytes compare as
// (signed, on x86-64) chars, as ldconfig sorted them. The table is sorted in
// descending order of this comparison.
constexpr int LdCacheCompare(const char* a, const char* b) {
  while (*a != '\0') {
    const bool da = *a >= '0' && *a <= '9';
    const bool db = *b >= '0' && *b <= '9';
    if (da && db) {
      long va = 0, vb = 0;
      while (*a >= '0' && *a <= '9') va = va * 10 + (*a++ - '0');
      while (*b >= '0' && *b <= '9') vb = vb * 10 + (*b++ - '0');
      if (va != vb) return va < vb ? -1 : 1;
    } else if (da) {
      return 1;
    } else if (db) {
      return -1;
    } else if (*a != *b) {
      return static_cast<signed char>(*a) - static_cast<signed char>(*b);
    } else {
      ++a, ++b;
    }
  }
  return -static_cast<signed char>(*b);
}

class LdCache {
 public:
  static constexpr int32_t kFlagsX8664Libc6 = 0x0303;  // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64
  static constexpr uint64_t kHwcapExtension = uint64_t{1} << 62;  // glibc-hwcaps entries

  struct Entry {
    int32_t flags;
    uint32_t key;    // offset of the soname
    uint32_t value;  // offset of the path
    uint32_t osversion;
    uint64_t hwcap;
  };
  static_assert(sizeof(Entry) == 24);

  // Parses the file image. Returns false (and stays empty) on any format
  // error, so a corrupt cache is simply not used.
  bool Parse(const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    size_t off = 0;
    static constexpr char kOldMagic[] = "ld.so-1.7.0";
    if (size >= 16 && support::MemCmp(p, kOldMagic, 11) == 0) {
      uint32_t nold;
      support::MemCpy(&nold, p + 12, 4);
      uint64_t end = 16 + uint64_t{nold} * 12;
      off = static_cast<size_t>((end + 7) & ~uint64_t{7});
      if (end > size) return false;
    }
    static constexpr char kMagic[] = "glibc-ld.so.cache1.1";
    if (off + kHeaderSize > size || support::MemCmp(p + off, kMagic, 20) != 0) return false;
    uint32_t nlibs, len_strings;
    support::MemCpy(&nlibs, p + off + 20, 4);
    support::MemCpy(&len_strings, p + off + 24, 4);
    const size_t avail = size - off;
    if ((avail - kHeaderSize) / sizeof(Entry) < nlibs) return false;
    base_ = p + off;
    size_ = avail;
    entries_ = reinterpret_cast<const Entry*>(base_ + kHeaderSize);
    nlibs_ = nlibs;
    return true;
  }

  bool valid() const { return base_ != nullptr; }
  uint32_t size() const { return nlibs_; }
  const Entry& entry(uint32_t i) const { return entries_[i]; }

  // A NUL-terminated string at offset off inside the cache, or nullptr.
  const char* String(uint32_t off) const {
    if (off >= size_) return nullptr;
    for (size_t i = off; i < size_; ++i)
      if (base_[i] == 0) return base_ + off;
    return nullptr;
  }

  // The path recorded for soname `name` (x86-64 libc6 entries, no hwcaps
  // subdirectory), or nullptr.
  const char* Find(const char* name) const {
    if (!valid()) return nullptr;
    int64_t left = 0, right = static_cast<int64_t>(nlibs_) - 1;
    while (left <= right) {
      const int64_t mid = (left + right) / 2;
      const char* key = String(entries_[mid].key);
      if (key == nullptr) return nullptr;
      const int cmp = LdCacheCompare(name, key);
      if (cmp == 0) {
        // Back up to the first entry with this name, then take the first
        // acceptable one.
        int64_t i = mid;
        while (i > 0) {
          const char* k = String(entries_[i - 1].key);
          if (k == nullptr || LdCacheCompare(name, k) != 0) break;
          --i;
        }
        for (; i < static_cast<int64_t>(nlibs_); ++i) {
          const Entry& e = entries_[i];
          const char* k = String(e.key);
          if (k == nullptr || LdCacheCompare(name, k) != 0) break;
          if (e.flags == kFlagsX8664Libc6 && e.hwcap == 0) return String(e.value);
        }
        return nullptr;
      }
      if (cmp < 0) left = mid + 1;
      else right = mid - 1;
    }
    return nullptr;
  }

 private:
  static constexpr size_t kHeaderSize = 48;
  const char* base_ = nullptr;
  size_t size_ = 0;
  const Entry* entries_ = nullptr;
  uint32_t nlibs_ = 0;
};

}  // namespace rtld::elf
