// The relocation loop per kind, restating the loop of rtld/core/relocate.cpp
// (Relocator::Run and Table) over an in-memory image: the writable-range
// check of each place, arch::KindOf, then
//  - RELATIVE through RELA entries (the DT_RELACOUNT prefix loop),
//  - RELATIVE through RELR (rtld::elf::ForEachRelr),
//  - symbolic R_X86_64_64 / GLOB_DAT through arch::Store, with the symbol
//    values already resolved in a table indexed by symbol number and the
//    loader's one-entry cache in front of it (no scope walk: see
//    lookup_bench for that).
// Reports relocations per second (items). Timings only.
//
// Argument: relocations per run (1k..512k); the image has one 8-byte slot
// per relocation.
#include <benchmark/benchmark.h>

#include <stdint.h>

#include <random>
#include <vector>

#include "arch/x86_64/reloc.h"
#include "rtld/elf/dynamic.h"
#include "rtld/elf/types.h"

namespace {

using rtld::arch::RelocKind;

struct Image {
  std::vector<uint64_t> words;
  uint64_t base() const { return reinterpret_cast<uint64_t>(words.data()); }
  uint64_t lo() const { return base(); }
  uint64_t hi() const { return base() + words.size() * 8; }
};

inline bool Contains(uint64_t lo, uint64_t hi, uint64_t where, uint64_t size) {
  return where >= lo && where + size <= hi && where + size >= where;
}

rtld::elf::Rela MakeRela(uint64_t offset, uint32_t type, uint32_t sym, int64_t addend) {
  return rtld::elf::Rela{offset, (uint64_t{sym} << 32) | type, addend};
}

void BM_RelativeRela(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Image img{std::vector<uint64_t>(n)};
  std::vector<rtld::elf::Rela> rela;
  for (size_t i = 0; i < n; ++i) rela.push_back(MakeRela(i * 8, rtld::arch::kRelocRelative, 0, 0x100 + 8 * i));
  const uint64_t base = img.base(), lo = img.lo(), hi = img.hi();
  for (auto _ : state) {
    size_t first = 0;
    for (; first < n; ++first) {
      const rtld::elf::Rela& r = rela[first];
      if (r.type() != rtld::arch::kRelocRelative) break;
      const uint64_t where = base + r.offset;
      if (!Contains(lo, hi, where, 8)) state.SkipWithError("bad offset");
      *reinterpret_cast<uint64_t*>(where) = base + static_cast<uint64_t>(r.addend);
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

// RELR for n consecutive words: one address entry, then bitmaps of 63.
std::vector<rtld::elf::Relr> EncodeRelr(size_t n) {
  std::vector<rtld::elf::Relr> out;
  if (n == 0) return out;
  out.push_back(0);  // the first word's offset
  size_t done = 1;
  while (done < n) {
    const size_t take = n - done < 63 ? n - done : 63;
    const uint64_t bits = take == 63 ? ~uint64_t{0} >> 1 : (uint64_t{1} << take) - 1;
    out.push_back((bits << 1) | 1);
    done += take;
  }
  return out;
}

void BM_RelativeRelr(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  Image img{std::vector<uint64_t>(n, 0x100)};
  const std::vector<rtld::elf::Relr> relr = EncodeRelr(n);
  const uint64_t base = img.base(), lo = img.lo(), hi = img.hi();
  size_t count = 0;
  rtld::elf::ForEachRelr(relr.data(), relr.size(), [&](uint64_t) { ++count; });
  if (count != n) state.SkipWithError("RELR encoding does not cover the image");
  for (auto _ : state) {
    rtld::elf::ForEachRelr(relr.data(), relr.size(), [&](uint64_t vaddr) {
      const uint64_t where = base + vaddr;
      if (!Contains(lo, hi, where, 8)) state.SkipWithError("bad offset");
      *reinterpret_cast<uint64_t*>(where) += base;
    });
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["relr_entries"] = static_cast<double>(relr.size());
}

// Symbolic relocations: symbol numbers either all distinct (every entry a
// new symbol: the cache never hits) or in runs of 4 (GLOB_DAT and 64 of
// the same symbol next to each other, as a compiler emits them).
void Symbolic(benchmark::State& state, uint32_t type, unsigned run) {
  const size_t n = static_cast<size_t>(state.range(0));
  Image img{std::vector<uint64_t>(n)};
  const uint32_t nsyms = static_cast<uint32_t>(n / run + 2);
  std::vector<uint64_t> value(nsyms);
  std::mt19937_64 rng(7);
  for (auto& v : value) v = rng() & 0x7fffffffffff;
  std::vector<rtld::elf::Rela> rela;
  for (size_t i = 0; i < n; ++i)
    rela.push_back(MakeRela(i * 8, type, static_cast<uint32_t>(1 + i / run), 0));
  const uint64_t base = img.base(), lo = img.lo(), hi = img.hi();
  uint64_t hits = 0;
  for (auto _ : state) {
    uint32_t cache_sym = 0;
    uint64_t cache_value = 0;
    for (size_t i = 0; i < n; ++i) {
      const rtld::elf::Rela& r = rela[i];
      const RelocKind kind = rtld::arch::KindOf(r.type());
      const uint64_t where = base + r.offset;
      if (kind == RelocKind::kNone) continue;
      if (!Contains(lo, hi, where, 8)) state.SkipWithError("bad offset");
      const uint32_t sym = r.symndx();
      uint64_t s;
      if (sym == cache_sym) {
        s = cache_value;
        ++hits;
      } else {
        s = value[sym];
        cache_sym = sym;
        cache_value = s;
      }
      if (!rtld::arch::Store(kind, reinterpret_cast<void*>(where), s, r.addend, where))
        state.SkipWithError("overflow");
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["cache_hit_pct"] =
      state.iterations() ? 100.0 * static_cast<double>(hits) / static_cast<double>(state.iterations() * n) : 0;
}

void BM_Symbolic64(benchmark::State& state) { Symbolic(state, 1, 1); }
void BM_GlobDat(benchmark::State& state) { Symbolic(state, 6, 1); }
void BM_GlobDatRunsOf4(benchmark::State& state) { Symbolic(state, 6, 4); }

#define SIZES RangeMultiplier(8)->Range(1 << 10, 1 << 19)->ArgName("relocs")
BENCHMARK(BM_RelativeRela)->SIZES;
BENCHMARK(BM_RelativeRelr)->SIZES;
BENCHMARK(BM_Symbolic64)->SIZES;
BENCHMARK(BM_GlobDat)->SIZES;
BENCHMARK(BM_GlobDatRunsOf4)->SIZES;

}  // namespace

BENCHMARK_MAIN();
