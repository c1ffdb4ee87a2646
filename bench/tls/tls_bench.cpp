// TLS access costs under the loader that runs this binary (run it under
// glibc's loader and under ours: bench/tls.py prints the ratios).
//   general-dynamic  a library's own variable through __tls_get_addr (the
//                    loader's fast path: DTV current, block allocated)
//   descriptor       the same access with -mtls-dialect=gnu2: a call
//                    through the TLS descriptor the loader filled in
//                    (static block: the loader's "return the offset" stub)
//   initial-exec     -ftls-model=initial-exec: a %fs-relative load, no
//                    loader code (the baseline)
// Each iteration calls the library's accessor, which increments the
// variable, so the address computation cannot be hoisted.
#include <benchmark/benchmark.h>

extern "C" {
long tls_gd_access();
long tls_desc_access();
long tls_ie_access();
}

namespace {

void BM_GeneralDynamic(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(tls_gd_access());
}
BENCHMARK(BM_GeneralDynamic);

void BM_Descriptor(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(tls_desc_access());
}
BENCHMARK(BM_Descriptor);

void BM_InitialExec(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(tls_ie_access());
}
BENCHMARK(BM_InitialExec);

}  // namespace

BENCHMARK_MAIN();
