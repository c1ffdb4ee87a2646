// Builds synthetic dynamic symbol tables in memory for SymbolTable::Find:
// symbols, string table, a GNU hash section (with its Bloom filter) and/or
// a SysV hash section, symbol versions. Every table lives in its own
// exact-size heap allocation, so ASan reports any read past a table.
#pragma once

#include <elf.h>
#include <stdint.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference.h"
#include "rtld/elf/symbols.h"

namespace unit {

struct SymSpec {
  std::string name;
  uint64_t value = 0;  // tests give each symbol a distinct value
  unsigned bind = STB_GLOBAL;
  unsigned type = STT_FUNC;
  unsigned visibility = STV_DEFAULT;
  uint16_t shndx = 12;  // some section of the object
  uint16_t versym = 1;  // VER_NDX_GLOBAL; bit 15 = hidden
};

enum class HashKind { kGnu, kSysv };

inline const char* KindName(HashKind k) { return k == HashKind::kGnu ? "DT_GNU_HASH" : "DT_HASH"; }

// A version as a reference asks for it (name, ELF hash, hidden flag).
inline rtld::elf::Version Want(const char* name, bool hidden = false) {
  return rtld::elf::Version{name, RefElfHash(name), hidden, nullptr};
}

// An exact-size heap array (new T[n]) that ASan guards on both sides.
template <typename T>
struct Exact {
  std::unique_ptr<T[]> p;
  size_t n = 0;
  void Assign(const std::vector<T>& v) {
    n = v.size();
    p.reset(new T[n == 0 ? 1 : n]);
    std::copy(v.begin(), v.end(), p.get());
  }
  T* get() const { return p.get(); }
};

class TableBuilder {
 public:
  // Symbols placed before GNU hash's symoffset (not in any GNU chain; in
  // the SysV chains like every symbol).
  TableBuilder& Unhashed(SymSpec s) {
    unhashed_.push_back(std::move(s));
    return *this;
  }
  TableBuilder& Add(SymSpec s) {
    hashed_.push_back(std::move(s));
    return *this;
  }
  // Version names at indices 2, 3, ... (0 and 1 stay empty, as glibc leaves
  // the local and base entries).
  TableBuilder& Versions(std::vector<std::string> names) {
    version_names_ = std::move(names);
    with_versym_ = true;
    return *this;
  }
  TableBuilder& NoVersym() {
    with_versym_ = false;
    return *this;
  }

  struct Options {
    uint32_t nbuckets = 3;
    uint32_t bloom_words = 2;  // power of two
    uint32_t bloom_shift = 6;
  };

  const rtld::elf::SymbolTable& Build(HashKind kind) { return Build(kind, Options{}); }

  const rtld::elf::SymbolTable& Build(HashKind kind, Options opt) {
    // Symbol order: null symbol, unhashed ones, then hashed ones grouped by
    // GNU bucket (the GNU hash section requires it; SysV does not care).
    std::vector<SymSpec> order;
    order.push_back(SymSpec{});
    order.back().shndx = SHN_UNDEF;
    order.back().versym = 0;
    order.back().bind = STB_LOCAL;
    order.back().type = STT_NOTYPE;
    for (auto& s : unhashed_) order.push_back(s);
    const uint32_t symoffset = static_cast<uint32_t>(order.size());
    std::vector<SymSpec> h = hashed_;
    std::stable_sort(h.begin(), h.end(), [&](const SymSpec& a, const SymSpec& b) {
      return RefGnuHash(a.name) % opt.nbuckets < RefGnuHash(b.name) % opt.nbuckets;
    });
    for (auto& s : h) order.push_back(s);
    const uint32_t nsyms = static_cast<uint32_t>(order.size());

    // String table and symbols.
    std::string strtab(1, '\0');
    std::vector<rtld::elf::Sym> syms;
    std::vector<rtld::elf::Half> versym;
    index_of_value_.clear();
    for (uint32_t i = 0; i < nsyms; ++i) {
      const SymSpec& s = order[i];
      rtld::elf::Sym sym{};
      if (!s.name.empty()) {
        sym.name = static_cast<uint32_t>(strtab.size());
        strtab += s.name;
        strtab += '\0';
      }
      sym.info = static_cast<unsigned char>((s.bind << 4) | (s.type & 0xf));
      sym.other = static_cast<unsigned char>(s.visibility & 3);
      sym.shndx = s.shndx;
      sym.value = s.value;
      sym.size = 8;
      syms.push_back(sym);
      versym.push_back(s.versym);
      if (i != 0) {
        if (index_of_value_.count(s.value) != 0)
          throw std::logic_error("TableBuilder: symbol values must be distinct");
        index_of_value_[s.value] = i;
      }
    }
    syms_.Assign(syms);
    strtab_.Assign(std::vector<char>(strtab.begin(), strtab.end()));
    versym_.Assign(versym);

    // Versions.
    std::vector<rtld::elf::Version> versions(2);
    for (const auto& n : version_names_) versions.push_back(Want(n.c_str()));
    versions_.Assign(versions);

    table_ = rtld::elf::SymbolTable{};
    table_.syms = syms_.get();
    table_.nsyms = nsyms;
    table_.strtab = strtab_.get();
    table_.strsz = strtab.size();
    table_.versym = with_versym_ ? versym_.get() : nullptr;
    table_.versions = versions_.get();
    table_.nversions = static_cast<uint32_t>(versions.size());

    if (kind == HashKind::kGnu) {
      std::vector<uint64_t> bloom(opt.bloom_words, 0);
      std::vector<uint32_t> buckets(opt.nbuckets, 0);
      std::vector<uint32_t> chain(nsyms - symoffset, 0);
      for (uint32_t i = symoffset; i < nsyms; ++i) {
        const uint32_t hash = RefGnuHash(order[i].name);
        const uint32_t b = hash % opt.nbuckets;
        if (buckets[b] == 0) buckets[b] = i;
        const bool last = i + 1 == nsyms || RefGnuHash(order[i + 1].name) % opt.nbuckets != b;
        chain[i - symoffset] = (hash & ~1u) | (last ? 1u : 0u);
        uint64_t& word = bloom[(hash / 64) % opt.bloom_words];
        word |= uint64_t{1} << (hash % 64);
        word |= uint64_t{1} << ((hash >> opt.bloom_shift) % 64);
      }
      bloom_.Assign(bloom);
      buckets_.Assign(buckets);
      chain_.Assign(chain);
      table_.has_gnu = true;
      table_.gnu.nbuckets = opt.nbuckets;
      table_.gnu.symoffset = symoffset;
      table_.gnu.bloom_size = opt.bloom_words;
      table_.gnu.bloom_shift = opt.bloom_shift;
      table_.gnu.bloom = bloom_.get();
      table_.gnu.buckets = buckets_.get();
      table_.gnu.chain = chain_.get();
    } else {
      std::vector<uint32_t> buckets(opt.nbuckets, 0);
      std::vector<uint32_t> chains(nsyms, 0);
      for (uint32_t i = nsyms; i-- > 1;) {  // insert at bucket heads
        const uint32_t b = RefElfHash(order[i].name) % opt.nbuckets;
        chains[i] = buckets[b];
        buckets[b] = i;
      }
      buckets_.Assign(buckets);
      chain_.Assign(chains);
      table_.has_sysv = true;
      table_.sysv.nbucket = opt.nbuckets;
      table_.sysv.nchain = nsyms;
      table_.sysv.buckets = buckets_.get();
      table_.sysv.chains = chain_.get();
    }
    return table_;
  }

  // Mutable access to the built tables, for tests that corrupt them.
  uint64_t* bloom() { return bloom_.get(); }
  uint32_t* buckets() { return buckets_.get(); }
  uint32_t* chain() { return chain_.get(); }
  rtld::elf::SymbolTable& table() { return table_; }

  // Index of the symbol with this value (values are distinct), for
  // comparing with Find's result.
  int64_t Idx(uint64_t value) const {
    auto it = index_of_value_.find(value);
    if (it == index_of_value_.end())
      throw std::logic_error("TableBuilder: no symbol with that value");
    return it->second;
  }

  // Find with a fresh HashedName.
  int64_t Find(const char* name, const rtld::elf::Version* want = nullptr, bool plt = false,
               bool newest = false) const {
    rtld::elf::HashedName h(name);
    return table_.Find(h, want, plt, newest);
  }

 private:
  std::vector<SymSpec> unhashed_, hashed_;
  std::vector<std::string> version_names_;
  bool with_versym_ = true;
  Exact<rtld::elf::Sym> syms_;
  Exact<char> strtab_;
  Exact<rtld::elf::Half> versym_;
  Exact<rtld::elf::Version> versions_;
  Exact<uint64_t> bloom_;
  Exact<uint32_t> buckets_;
  Exact<uint32_t> chain_;
  rtld::elf::SymbolTable table_;
  std::map<uint64_t, int64_t> index_of_value_;
};

}  // namespace unit
