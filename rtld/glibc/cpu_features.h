// glibc 2.36's `struct cpu_features` (Debian 12, x86-64): the CPU
// description libc.so.6, libm.so.6 and libmvec.so.1 read from
// _rtld_global_ro + 112 to choose IFUNC implementations, and from which
// libc's __x86_cacheinfo resolver copies the memcpy/memset thresholds once.
// (contract §2.3, §7.1 item 1.)
//
// The layout is a fact about that build, from its debug information
// (`gdb -batch -ex 'ptype /o struct cpu_features' <ld.so's .debug file>`);
// tests/cpu (suite 'cpu') checks every member's offset against it and every
// value InitCpuFeatures computes against what glibc's own loader stores on
// the machine running the test.
//
// Member names are glibc's. Freestanding-safe: <stdint.h> and <stddef.h> only.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rtld::glibc {

// basic.kind (enum cpu_features_kind).
enum : uint32_t {
  kCpuKindUnknown = 0,
  kCpuKindIntel = 1,
  kCpuKindAmd = 2,  // also Hygon
  kCpuKindZhaoxin = 3,  // "CentaurHauls" and "  Shanghai  "
  kCpuKindOther = 4,
};

// features[] indices: which cpuid leaf (and subleaf) a row holds.
enum : unsigned {
  kCpuidIndex1 = 0,          // leaf 1
  kCpuidIndex7 = 1,          // leaf 7, subleaf 0
  kCpuidIndex80000001 = 2,   // leaf 0x80000001
  kCpuidIndexD_Ecx1 = 3,     // leaf 0xd, subleaf 1
  kCpuidIndex80000007 = 4,   // leaf 0x80000007
  kCpuidIndex80000008 = 5,   // leaf 0x80000008
  kCpuidIndex7_Ecx1 = 6,     // leaf 7, subleaf 1
  kCpuidIndex19 = 7,         // leaf 0x19
  kCpuidIndex14_Ecx0 = 8,    // leaf 0x14, subleaf 0
  kCpuidIndexCount = 9,
};

// Register positions inside a row (cpuid_array[] / active_array[]).
enum : unsigned { kRegEax = 0, kRegEbx = 1, kRegEcx = 2, kRegEdx = 3 };

// preferred[0] bits (cpu-features-preferred_feature_index_1.def order).
enum : uint32_t {
  kPrefFastRepString = 1u << 0,
  kPrefFastCopyBackward = 1u << 1,
  kPrefSlowBSF = 1u << 2,
  kPrefFastUnalignedLoad = 1u << 3,
  kPrefPreferPMINUBForStringop = 1u << 4,
  kPrefFastUnalignedCopy = 1u << 5,
  kPrefI586 = 1u << 6,
  kPrefI686 = 1u << 7,
  kPrefSlowSSE4_2 = 1u << 8,
  kPrefAVXFastUnalignedLoad = 1u << 9,
  kPrefPreferNoVZEROUPPER = 1u << 10,
  kPrefPreferERMS = 1u << 11,
  kPrefPreferNoAVX512 = 1u << 12,
  kPrefMathVecPreferNoAVX512 = 1u << 13,
  kPrefPreferFSRM = 1u << 14,
  kPrefAvoidShortDistanceRepMovsb = 1u << 15,
};

// isa_1 bits (GNU_PROPERTY_X86_ISA_1_*).
enum : uint32_t {
  kIsa1Baseline = 1u << 0,
  kIsa1V2 = 1u << 1,
  kIsa1V3 = 1u << 2,
  kIsa1V4 = 1u << 3,
};

struct CpuidRegisters {
  uint32_t eax, ebx, ecx, edx;
};

// struct cpuid_feature_internal: what cpuid reported, and the subset that is
// usable (the CPU has it and the OS enabled the state it needs).
struct CpuidFeatureInternal {
  union {
    uint32_t cpuid_array[4];
    CpuidRegisters cpuid;
  };
  union {
    uint32_t active_array[4];
    CpuidRegisters active;
  };
};
static_assert(sizeof(CpuidFeatureInternal) == 32);

struct CpuFeaturesBasic {  // struct cpu_features_basic
  uint32_t kind;
  int32_t max_cpuid;
  uint32_t family;
  uint32_t model;
  uint32_t stepping;
};
static_assert(sizeof(CpuFeaturesBasic) == 20);

struct CpuFeatures {  // struct cpu_features
  CpuFeaturesBasic basic;
  CpuidFeatureInternal features[kCpuidIndexCount];
  uint32_t preferred[1];
  uint32_t isa_1;
  uint64_t xsave_state_size;
  uint32_t xsave_state_full_size;
  uint64_t data_cache_size;
  uint64_t shared_cache_size;
  uint64_t non_temporal_threshold;
  uint64_t rep_movsb_threshold;
  uint64_t rep_movsb_stop_threshold;
  uint64_t rep_stosb_threshold;
  uint64_t level1_icache_size;
  uint64_t level1_icache_linesize;
  uint64_t level1_dcache_size;
  uint64_t level1_dcache_assoc;
  uint64_t level1_dcache_linesize;
  uint64_t level2_cache_size;
  uint64_t level2_cache_assoc;
  uint64_t level2_cache_linesize;
  uint64_t level3_cache_size;
  uint64_t level3_cache_assoc;
  uint64_t level3_cache_linesize;
  uint64_t level4_cache_size;
};
static_assert(sizeof(CpuFeatures) == 480);
static_assert(alignof(CpuFeatures) == 8);
static_assert(offsetof(CpuFeatures, basic) == 0);
static_assert(offsetof(CpuFeatures, features) == 20);
static_assert(offsetof(CpuFeatures, preferred) == 308);
static_assert(offsetof(CpuFeatures, isa_1) == 312);
static_assert(offsetof(CpuFeatures, xsave_state_size) == 320);
static_assert(offsetof(CpuFeatures, xsave_state_full_size) == 328);
static_assert(offsetof(CpuFeatures, data_cache_size) == 336);
static_assert(offsetof(CpuFeatures, shared_cache_size) == 344);
static_assert(offsetof(CpuFeatures, non_temporal_threshold) == 352);
static_assert(offsetof(CpuFeatures, rep_movsb_threshold) == 360);
static_assert(offsetof(CpuFeatures, rep_movsb_stop_threshold) == 368);
static_assert(offsetof(CpuFeatures, rep_stosb_threshold) == 376);
static_assert(offsetof(CpuFeatures, level1_icache_size) == 384);
static_assert(offsetof(CpuFeatures, level4_cache_size) == 472);

// The glibc.cpu.x86_* tunables around the cache computation. On input: the
// values GLIBC_TUNABLES gave them, or their defaults (as initialised here),
// which change nothing. On output: what glibc's loader writes back into the
// tunables with TUNABLE_SET_WITH_BOUNDS (value, minimum, maximum). The
// bounds not reported here are fixed: data and shared cache size [0,
// SIZE_MAX], rep_movsb maximum SIZE_MAX, rep_stosb [1, SIZE_MAX].
struct X86CacheTunables {
  int64_t data_cache_size = 0;          // 0: not set
  int64_t shared_cache_size = 0;        // 0: not set
  int64_t non_temporal_threshold = 0;   // used only inside (min, max]
  int64_t rep_movsb_threshold = 0;      // used only above its minimum
  int64_t rep_stosb_threshold = 2048;   // always used
  // Output only.
  uint64_t non_temporal_threshold_min = 0;
  uint64_t non_temporal_threshold_max = 0;
  uint64_t rep_movsb_threshold_min = 0;
};

// Fills *cf exactly as glibc 2.36's loader (init_cpu_features,
// update_active, dl_init_cacheinfo) does on this CPU with no GLIBC_TUNABLES:
// every byte of *cf is written. The glibc.cpu.hwcaps tunable (feature masks)
// and CET (always inactive for a process this loader starts) are not applied.
void InitCpuFeatures(CpuFeatures* cf);

// The same, honouring the x86 cache tunables in *tunables (nullptr: the
// defaults) and reporting what glibc stores back into them.
void InitCpuFeatures(CpuFeatures* cf, X86CacheTunables* tunables);

}  // namespace rtld::glibc
