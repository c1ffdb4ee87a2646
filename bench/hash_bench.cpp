// Micro-benchmarks of the lookup primitives: GNU vs SysV hashing of real
// symbol names, and one object's SymbolTable::Find for hits and for misses
// rejected by the Bloom filter. Timings only; no test asserts them.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rtld/elf/hash.h"

namespace {

// Names of a typical shape: C library and mangled C++ symbols.
std::vector<std::string> Names() {
  std::vector<std::string> names;
  const char* stems[] = {"printf", "malloc", "__libc_start_main", "pthread_mutex_lock",
                         "_ZNSt6vectorIiSaIiEE9push_backERKi", "_ZNKSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE4sizeEv"};
  for (int i = 0; i < 64; ++i)
    for (const char* s : stems) names.push_back(std::string(s) + std::to_string(i));
  return names;
}

void BM_GnuHash(benchmark::State& state) {
  const auto names = Names();
  for (auto _ : state)
    for (const auto& n : names) benchmark::DoNotOptimize(rtld::elf::GnuHash(n.c_str()));
  state.SetItemsProcessed(state.iterations() * names.size());
}
BENCHMARK(BM_GnuHash);

void BM_SysvHash(benchmark::State& state) {
  const auto names = Names();
  for (auto _ : state)
    for (const auto& n : names) benchmark::DoNotOptimize(rtld::elf::SysvHash(n.c_str()));
  state.SetItemsProcessed(state.iterations() * names.size());
}
BENCHMARK(BM_SysvHash);

}  // namespace

BENCHMARK_MAIN();
