// Synthetic in-memory dynamic symbol tables for the micro-benchmarks: one
// object's symbols, string table and GNU hash section (buckets, chains and
// a Bloom filter sized roughly as GNU ld sizes it), wrapped in the loader's
// own rtld::elf::SymbolTable so that MayDefine and Find run unchanged.
#pragma once

#include <elf.h>
#include <stdint.h>

#include <algorithm>
#include <string>
#include <vector>

#include "rtld/elf/hash.h"
#include "rtld/elf/symbols.h"

namespace bench {

class SynthObject {
 public:
  // Defines the given names (global default-visibility functions with
  // distinct non-zero values), hashed into a GNU hash section.
  explicit SynthObject(const std::vector<std::string>& names) {
    const uint32_t n = static_cast<uint32_t>(names.size());
    // Bucket count: the largest of GNU ld's (non-optimizing) sizes <= n.
    for (uint32_t b : {1u, 3u, 17u, 37u, 67u, 97u, 131u, 197u, 263u, 521u, 1031u, 2053u, 4099u, 8209u})
      if (b <= std::max<uint32_t>(n, 1)) nbuckets_ = b;
    // Bloom filter sized as GNU ld sizes it for ELF64 (checked against
    // ld's output for a 41-symbol library, libc.so.6 and libm.so.6): 2^k
    // bits, 4 to 11 bits per symbol, at least 64; two bits set per name,
    // the second from the hash shifted right by k.
    uint32_t log2n = 0;
    while ((2u << log2n) <= n) ++log2n;  // floor(log2 n)
    uint32_t k = log2n + 1;
    if (k < 3) k = 5;
    else k += ((1u << (k - 2)) & n) ? 3 : 2;
    if (k < 6) k = 6;
    bloom_words_ = (1u << k) / 64;
    bloom_shift_ = k;

    std::vector<std::string> order = names;
    std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
      return rtld::elf::GnuHash(a.c_str()) % nbuckets_ < rtld::elf::GnuHash(b.c_str()) % nbuckets_;
    });
    strtab_.assign(1, '\0');
    syms_.assign(1, rtld::elf::Sym{});  // the null symbol; symoffset = 1
    for (uint32_t i = 0; i < n; ++i) {
      rtld::elf::Sym s{};
      s.name = static_cast<uint32_t>(strtab_.size());
      strtab_ += order[i];
      strtab_ += '\0';
      s.info = static_cast<unsigned char>((STB_GLOBAL << 4) | STT_FUNC);
      s.shndx = 12;
      s.value = 0x1000 + 16 * (i + 1);
      s.size = 16;
      syms_.push_back(s);
    }
    bloom_.assign(bloom_words_, 0);
    buckets_.assign(nbuckets_, 0);
    chain_.assign(n, 0);
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t h = rtld::elf::GnuHash(order[i].c_str());
      const uint32_t b = h % nbuckets_;
      if (buckets_[b] == 0) buckets_[b] = i + 1;
      const bool last = i + 1 == n || rtld::elf::GnuHash(order[i + 1].c_str()) % nbuckets_ != b;
      chain_[i] = (h & ~1u) | (last ? 1u : 0u);
      uint64_t& w = bloom_[(h / 64) & (bloom_words_ - 1)];
      w |= uint64_t{1} << (h % 64);
      w |= uint64_t{1} << ((h >> bloom_shift_) % 64);
    }
    table_.syms = syms_.data();
    table_.nsyms = n + 1;
    table_.strtab = strtab_.data();
    table_.strsz = strtab_.size();
    table_.has_gnu = true;
    table_.gnu.nbuckets = nbuckets_;
    table_.gnu.symoffset = 1;
    table_.gnu.bloom_size = bloom_words_;
    table_.gnu.bloom_shift = bloom_shift_;
    table_.gnu.bloom = bloom_.data();
    table_.gnu.buckets = buckets_.data();
    table_.gnu.chain = chain_.data();
  }

  SynthObject(const SynthObject&) = delete;
  SynthObject& operator=(const SynthObject&) = delete;

  const rtld::elf::SymbolTable& table() const { return table_; }

 private:
  uint32_t nbuckets_ = 1, bloom_words_ = 1, bloom_shift_ = 6;
  std::string strtab_;
  std::vector<rtld::elf::Sym> syms_;
  std::vector<uint64_t> bloom_;
  std::vector<uint32_t> buckets_, chain_;
  rtld::elf::SymbolTable table_;
};

}  // namespace bench
