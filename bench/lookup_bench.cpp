// Scope walk of symbol lookup, as rtld::LookupName (rtld/core/lookup.cpp)
// does it: for each object of the scope in order, the Bloom filter inline
// (SymbolTable::MayDefine), then SymbolTable::Find. Scopes of 1..400
// synthetic objects shaped like tools/gen-workload.py's libraries (20
// functions and 20 data objects each), queried with a mix of hits (the
// definition sits in a uniformly random object of the scope) and misses (no
// object defines the name: the whole scope is walked, every object's Bloom
// filter is tested). Reports lookups per second and how many objects per
// lookup got past their Bloom filter. Timings only; no test asserts them.
//
// Arguments: scope size, percentage of hits.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/synth_symtab.h"

namespace {

constexpr int kPerObject = 20;  // functions; as many data objects

struct Scope {
  std::vector<std::unique_ptr<bench::SynthObject>> objects;
  std::vector<std::string> queries;  // names to look up, in order
};

Scope MakeScope(int nobjects, int hit_percent, size_t nqueries) {
  Scope s;
  for (int k = 0; k < nobjects; ++k) {
    std::vector<std::string> names;
    for (int j = 0; j < kPerObject; ++j) {
      names.push_back("f_" + std::to_string(k) + "_" + std::to_string(j));
      names.push_back("d_" + std::to_string(k) + "_" + std::to_string(j));
    }
    s.objects.push_back(std::make_unique<bench::SynthObject>(names));
  }
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> obj(0, nobjects - 1), idx(0, kPerObject - 1), pct(0, 99);
  for (size_t q = 0; q < nqueries; ++q) {
    if (pct(rng) < hit_percent)
      s.queries.push_back((q % 2 ? "d_" : "f_") + std::to_string(obj(rng)) + "_" + std::to_string(idx(rng)));
    else  // same shape, an object number no object has
      s.queries.push_back("f_" + std::to_string(nobjects + obj(rng)) + "_" + std::to_string(idx(rng)));
  }
  return s;
}

// The walk of LookupName without its tracing: first definition wins.
inline const rtld::elf::Sym* Lookup(const std::vector<const rtld::elf::SymbolTable*>& scope,
                                    const char* name, uint64_t& finds) {
  rtld::elf::HashedName h(name);
  for (const rtld::elf::SymbolTable* t : scope) {
    if (!t->MayDefine(h.gnu)) continue;
    ++finds;
    const int64_t i = t->Find(h, nullptr);
    if (i >= 0) return &t->syms[i];
  }
  return nullptr;
}

void Run(benchmark::State& state, bool inline_bloom) {
  const int n = static_cast<int>(state.range(0));
  const int hit = static_cast<int>(state.range(1));
  const Scope s = MakeScope(n, hit, 4096);
  std::vector<const rtld::elf::SymbolTable*> scope;
  for (const auto& o : s.objects) scope.push_back(&o->table());
  uint64_t finds = 0, found = 0, lookups = 0;
  for (auto _ : state) {
    for (const std::string& q : s.queries) {
      const rtld::elf::Sym* d;
      if (inline_bloom) {
        d = Lookup(scope, q.c_str(), finds);
      } else {  // Find alone (it tests the Bloom filter itself)
        d = nullptr;
        rtld::elf::HashedName h(q.c_str());
        for (const rtld::elf::SymbolTable* t : scope) {
          const int64_t i = t->Find(h, nullptr);
          if (i >= 0) {
            d = &t->syms[i];
            break;
          }
        }
      }
      found += d != nullptr;
      benchmark::DoNotOptimize(d);
    }
    lookups += s.queries.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(lookups));
  state.counters["found_pct"] = lookups ? 100.0 * static_cast<double>(found) / static_cast<double>(lookups) : 0;
  if (inline_bloom)
    state.counters["finds_per_lookup"] = lookups ? static_cast<double>(finds) / static_cast<double>(lookups) : 0;
}

void BM_ScopeLookup(benchmark::State& state) { Run(state, true); }
void BM_ScopeLookupFindOnly(benchmark::State& state) { Run(state, false); }

void Args(benchmark::internal::Benchmark* b) {
  for (int n : {1, 10, 50, 100, 200, 400})
    for (int hit : {100, 50, 0}) b->Args({n, hit});
  b->ArgNames({"objects", "hit_pct"});
}

BENCHMARK(BM_ScopeLookup)->Apply(Args);
BENCHMARK(BM_ScopeLookupFindOnly)->Args({50, 100})->Args({400, 50})->ArgNames({"objects", "hit_pct"});

}  // namespace

BENCHMARK_MAIN();
