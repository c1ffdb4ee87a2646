// Hosted driver for tests/cpu: computes rtld::glibc::CpuFeatures with the
// loader's own code and prints it for compare.py.
//
//   dump [--out FILE]
//
// Output, one record a line:
//   field <name> <offset> <size>   every named member, in layout order
//   raw <960 hex digits>           all 480 bytes
//   tunable <name> <value> <min> <max>
//                                  what glibc writes back into the
//                                  glibc.cpu.x86_* tunables (default input)
// Exit status 1 when InitCpuFeatures is not deterministic or leaves a byte
// of its output unwritten (it is run over 0x00- and 0xa5-filled buffers).
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "rtld/glibc/cpu_features.h"

using rtld::glibc::CpuFeatures;
using rtld::glibc::CpuidFeatureInternal;
using rtld::glibc::CpuidRegisters;

namespace {

struct Field {
  char name[48];
  size_t offset, size;
};

#define TOP(m) {#m, offsetof(CpuFeatures, m), sizeof(CpuFeatures::m)}

int Fields(Field* out) {
  int n = 0;
  const Field basic[] = {
      {"basic.kind", offsetof(CpuFeatures, basic.kind), 4},
      {"basic.max_cpuid", offsetof(CpuFeatures, basic.max_cpuid), 4},
      {"basic.family", offsetof(CpuFeatures, basic.family), 4},
      {"basic.model", offsetof(CpuFeatures, basic.model), 4},
      {"basic.stepping", offsetof(CpuFeatures, basic.stepping), 4},
  };
  for (const Field& f : basic) out[n++] = f;
  static const char* const kRegs[] = {"eax", "ebx", "ecx", "edx"};
  static const char* const kHalves[] = {"cpuid", "active"};
  const size_t half_off[] = {offsetof(CpuidFeatureInternal, cpuid),
                             offsetof(CpuidFeatureInternal, active)};
  const size_t reg_off[] = {offsetof(CpuidRegisters, eax), offsetof(CpuidRegisters, ebx),
                            offsetof(CpuidRegisters, ecx), offsetof(CpuidRegisters, edx)};
  for (unsigned i = 0; i < rtld::glibc::kCpuidIndexCount; ++i)
    for (int h = 0; h < 2; ++h)
      for (int r = 0; r < 4; ++r) {
        Field& f = out[n++];
        snprintf(f.name, sizeof f.name, "features[%u].%s.%s", i, kHalves[h], kRegs[r]);
        f.offset = offsetof(CpuFeatures, features) + i * sizeof(CpuidFeatureInternal) +
                   half_off[h] + reg_off[r];
        f.size = 4;
      }
  const Field rest[] = {
      {"preferred[0]", offsetof(CpuFeatures, preferred), 4},
      TOP(isa_1),
      TOP(xsave_state_size),
      TOP(xsave_state_full_size),
      TOP(data_cache_size),
      TOP(shared_cache_size),
      TOP(non_temporal_threshold),
      TOP(rep_movsb_threshold),
      TOP(rep_movsb_stop_threshold),
      TOP(rep_stosb_threshold),
      TOP(level1_icache_size),
      TOP(level1_icache_linesize),
      TOP(level1_dcache_size),
      TOP(level1_dcache_assoc),
      TOP(level1_dcache_linesize),
      TOP(level2_cache_size),
      TOP(level2_cache_assoc),
      TOP(level2_cache_linesize),
      TOP(level3_cache_size),
      TOP(level3_cache_assoc),
      TOP(level3_cache_linesize),
      TOP(level4_cache_size),
  };
  for (const Field& f : rest) out[n++] = f;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  FILE* out = stdout;
  if (argc == 3 && strcmp(argv[1], "--out") == 0) {
    out = fopen(argv[2], "w");
    if (out == nullptr) {
      perror(argv[2]);
      return 2;
    }
  } else if (argc != 1) {
    fprintf(stderr, "usage: %s [--out FILE]\n", argv[0]);
    return 2;
  }

  alignas(8) static unsigned char a[sizeof(CpuFeatures)], b[sizeof(CpuFeatures)];
  memset(a, 0x00, sizeof a);
  memset(b, 0xa5, sizeof b);
  rtld::glibc::InitCpuFeatures(reinterpret_cast<CpuFeatures*>(a));
  rtld::glibc::InitCpuFeatures(reinterpret_cast<CpuFeatures*>(b));
  int status = 0;
  for (size_t i = 0; i < sizeof a; ++i) {
    if (a[i] != b[i]) {
      fprintf(stderr, "byte %zu differs between two runs (%02x over zeros, %02x over 0xa5)\n", i,
              a[i], b[i]);
      status = 1;
    }
  }

  Field fields[128];
  const int n = Fields(fields);
  for (int i = 0; i < n; ++i)
    fprintf(out, "field %s %zu %zu\n", fields[i].name, fields[i].offset, fields[i].size);
  fprintf(out, "raw ");
  for (size_t i = 0; i < sizeof a; ++i) fprintf(out, "%02x", a[i]);
  fprintf(out, "\n");

  CpuFeatures c;
  rtld::glibc::X86CacheTunables t;
  rtld::glibc::InitCpuFeatures(&c, &t);
  if (memcmp(&c, a, sizeof c) != 0) {
    fprintf(stderr, "InitCpuFeatures with default tunables differs from without\n");
    status = 1;
  }
  const long long kMax = -1;  // SIZE_MAX as gdb prints a signed 64-bit bound
  fprintf(out, "tunable glibc.cpu.x86_data_cache_size %lld 0 %lld\n",
          static_cast<long long>(t.data_cache_size), kMax);
  fprintf(out, "tunable glibc.cpu.x86_shared_cache_size %lld 0 %lld\n",
          static_cast<long long>(t.shared_cache_size), kMax);
  fprintf(out, "tunable glibc.cpu.x86_non_temporal_threshold %lld %llu %llu\n",
          static_cast<long long>(t.non_temporal_threshold),
          static_cast<unsigned long long>(t.non_temporal_threshold_min),
          static_cast<unsigned long long>(t.non_temporal_threshold_max));
  fprintf(out, "tunable glibc.cpu.x86_rep_movsb_threshold %lld %llu %lld\n",
          static_cast<long long>(t.rep_movsb_threshold),
          static_cast<unsigned long long>(t.rep_movsb_threshold_min), kMax);
  fprintf(out, "tunable glibc.cpu.x86_rep_stosb_threshold %lld 1 %lld\n",
          static_cast<long long>(t.rep_stosb_threshold), kMax);
  if (out != stdout) fclose(out);
  return status;
}
