// Computes glibc 2.36's `struct cpu_features` (see cpu_features.h).
//
// What glibc's loader does, restated (sources: release/2.36/master,
// sysdeps/x86/cpu-features.c, dl-cacheinfo.h, get-isa-level.h, sysdep.h):
//
//  1. cpuid 0 gives max_cpuid and the vendor. Intel, AMD/Hygon and
//     Zhaoxin/Centaur read leaf 1 (family/model/stepping), leaves 7.0, 7.1,
//     0xd.1, 0x14.0, 0x19 (each only when max_cpuid reaches it) and the
//     extended leaves 0x80000001/7/8. Any other vendor skips leaf 1 and the
//     extended leaves altogether.
//  2. "active" starts as the subset of cpuid bits usable without OS help;
//     the vector and tile features are added only when XCR0 shows the OS
//     saves their state; xsave_state_size is the save area
//     _dl_runtime_resolve needs; isa_1 summarises x86-64-v1..v4.
//  3. Per-vendor and per-model adjustments of active and preferred bits.
//  4. Cache sizes from cpuid (Intel: leaf 2 descriptors or leaf 4; AMD:
//     0x80000005/6 and 0x8000001d; Zhaoxin: leaf 4), then the memcpy and
//     memset thresholds.
//  5. Without OSXSAVE (or without XSAVE and XSAVEC) every AVX-class bit is
//     withdrawn again and xsave_state_size is 0.
//
// cpuid is slow under a hypervisor, so the cache code reads leaves 2, 4,
// 0x80000005 and 0x80000006 once each and reuses what step 1 read, where
// glibc repeats them per query; it never issues a leaf glibc would not.
//
// Freestanding: no library calls, no exceptions, no static constructors.

#include "rtld/glibc/cpu_features.h"

#include "arch/x86_64/cpu.h"

namespace rtld::glibc {
namespace {

using arch::Cpuid;
using arch::CpuidLeaf;

// ---------------------------------------------------------------------------
// Feature bits: (row of features[], register, bit).
// ---------------------------------------------------------------------------

struct Bit {
  uint8_t row;
  uint8_t reg;
  uint8_t shift;
  constexpr uint32_t mask() const { return uint32_t{1} << shift; }
};

// Leaf 1.
constexpr Bit kSSE3{kCpuidIndex1, kRegEcx, 0};
constexpr Bit kPCLMULQDQ{kCpuidIndex1, kRegEcx, 1};
constexpr Bit kSSSE3{kCpuidIndex1, kRegEcx, 9};
constexpr Bit kFMA{kCpuidIndex1, kRegEcx, 12};
constexpr Bit kCMPXCHG16B{kCpuidIndex1, kRegEcx, 13};
constexpr Bit kSSE4_1{kCpuidIndex1, kRegEcx, 19};
constexpr Bit kSSE4_2{kCpuidIndex1, kRegEcx, 20};
constexpr Bit kMOVBE{kCpuidIndex1, kRegEcx, 22};
constexpr Bit kPOPCNT{kCpuidIndex1, kRegEcx, 23};
constexpr Bit kAES{kCpuidIndex1, kRegEcx, 25};
constexpr Bit kXSAVE{kCpuidIndex1, kRegEcx, 26};
constexpr Bit kOSXSAVE{kCpuidIndex1, kRegEcx, 27};
constexpr Bit kAVX{kCpuidIndex1, kRegEcx, 28};
constexpr Bit kF16C{kCpuidIndex1, kRegEcx, 29};
constexpr Bit kRDRAND{kCpuidIndex1, kRegEcx, 30};
constexpr Bit kFPU{kCpuidIndex1, kRegEdx, 0};
constexpr Bit kTSC{kCpuidIndex1, kRegEdx, 4};
constexpr Bit kCX8{kCpuidIndex1, kRegEdx, 8};
constexpr Bit kCMOV{kCpuidIndex1, kRegEdx, 15};
constexpr Bit kCLFSH{kCpuidIndex1, kRegEdx, 19};
constexpr Bit kMMX{kCpuidIndex1, kRegEdx, 23};
constexpr Bit kFXSR{kCpuidIndex1, kRegEdx, 24};
constexpr Bit kSSE{kCpuidIndex1, kRegEdx, 25};
constexpr Bit kSSE2{kCpuidIndex1, kRegEdx, 26};
constexpr Bit kHTT{kCpuidIndex1, kRegEdx, 28};

// Leaf 7, subleaf 0.
constexpr Bit kBMI1{kCpuidIndex7, kRegEbx, 3};
constexpr Bit kHLE{kCpuidIndex7, kRegEbx, 4};
constexpr Bit kAVX2{kCpuidIndex7, kRegEbx, 5};
constexpr Bit kBMI2{kCpuidIndex7, kRegEbx, 8};
constexpr Bit kERMS{kCpuidIndex7, kRegEbx, 9};
constexpr Bit kRTM{kCpuidIndex7, kRegEbx, 11};
constexpr Bit kAVX512F{kCpuidIndex7, kRegEbx, 16};
constexpr Bit kAVX512DQ{kCpuidIndex7, kRegEbx, 17};
constexpr Bit kRDSEED{kCpuidIndex7, kRegEbx, 18};
constexpr Bit kADX{kCpuidIndex7, kRegEbx, 19};
constexpr Bit kAVX512_IFMA{kCpuidIndex7, kRegEbx, 21};
constexpr Bit kCLFLUSHOPT{kCpuidIndex7, kRegEbx, 23};
constexpr Bit kCLWB{kCpuidIndex7, kRegEbx, 24};
constexpr Bit kAVX512PF{kCpuidIndex7, kRegEbx, 26};
constexpr Bit kAVX512ER{kCpuidIndex7, kRegEbx, 27};
constexpr Bit kAVX512CD{kCpuidIndex7, kRegEbx, 28};
constexpr Bit kSHA{kCpuidIndex7, kRegEbx, 29};
constexpr Bit kAVX512BW{kCpuidIndex7, kRegEbx, 30};
constexpr Bit kAVX512VL{kCpuidIndex7, kRegEbx, 31};
constexpr Bit kPREFETCHWT1{kCpuidIndex7, kRegEcx, 0};
constexpr Bit kAVX512_VBMI{kCpuidIndex7, kRegEcx, 1};
constexpr Bit kPKU{kCpuidIndex7, kRegEcx, 3};
constexpr Bit kOSPKE{kCpuidIndex7, kRegEcx, 4};
constexpr Bit kWAITPKG{kCpuidIndex7, kRegEcx, 5};
constexpr Bit kAVX512_VBMI2{kCpuidIndex7, kRegEcx, 6};
constexpr Bit kGFNI{kCpuidIndex7, kRegEcx, 8};
constexpr Bit kVAES{kCpuidIndex7, kRegEcx, 9};
constexpr Bit kVPCLMULQDQ{kCpuidIndex7, kRegEcx, 10};
constexpr Bit kAVX512_VNNI{kCpuidIndex7, kRegEcx, 11};
constexpr Bit kAVX512_BITALG{kCpuidIndex7, kRegEcx, 12};
constexpr Bit kAVX512_VPOPCNTDQ{kCpuidIndex7, kRegEcx, 14};
constexpr Bit kRDPID{kCpuidIndex7, kRegEcx, 22};
constexpr Bit kKL{kCpuidIndex7, kRegEcx, 23};
constexpr Bit kCLDEMOTE{kCpuidIndex7, kRegEcx, 25};
constexpr Bit kMOVDIRI{kCpuidIndex7, kRegEcx, 27};
constexpr Bit kMOVDIR64B{kCpuidIndex7, kRegEcx, 28};
constexpr Bit kAVX512_4VNNIW{kCpuidIndex7, kRegEdx, 2};
constexpr Bit kAVX512_4FMAPS{kCpuidIndex7, kRegEdx, 3};
constexpr Bit kFSRM{kCpuidIndex7, kRegEdx, 4};
constexpr Bit kAVX512_VP2INTERSECT{kCpuidIndex7, kRegEdx, 8};
constexpr Bit kRTM_ALWAYS_ABORT{kCpuidIndex7, kRegEdx, 11};
constexpr Bit kSERIALIZE{kCpuidIndex7, kRegEdx, 14};
constexpr Bit kTSXLDTRK{kCpuidIndex7, kRegEdx, 16};
constexpr Bit kAMX_BF16{kCpuidIndex7, kRegEdx, 22};
constexpr Bit kAVX512_FP16{kCpuidIndex7, kRegEdx, 23};
constexpr Bit kAMX_TILE{kCpuidIndex7, kRegEdx, 24};
constexpr Bit kAMX_INT8{kCpuidIndex7, kRegEdx, 25};

// Leaf 0x80000001.
constexpr Bit kLAHF64_SAHF64{kCpuidIndex80000001, kRegEcx, 0};
constexpr Bit kLZCNT{kCpuidIndex80000001, kRegEcx, 5};
constexpr Bit kSSE4A{kCpuidIndex80000001, kRegEcx, 6};
constexpr Bit kPREFETCHW{kCpuidIndex80000001, kRegEcx, 8};
constexpr Bit kXOP{kCpuidIndex80000001, kRegEcx, 11};
constexpr Bit kFMA4{kCpuidIndex80000001, kRegEcx, 16};
constexpr Bit kTBM{kCpuidIndex80000001, kRegEcx, 21};
constexpr Bit kRDTSCP{kCpuidIndex80000001, kRegEdx, 27};

// Leaf 0xd, subleaf 1.
constexpr Bit kXSAVEOPT{kCpuidIndexD_Ecx1, kRegEax, 0};
constexpr Bit kXSAVEC{kCpuidIndexD_Ecx1, kRegEax, 1};
constexpr Bit kXGETBV_ECX_1{kCpuidIndexD_Ecx1, kRegEax, 2};
constexpr Bit kXFD{kCpuidIndexD_Ecx1, kRegEax, 4};

// Leaf 0x80000008.
constexpr Bit kWBNOINVD{kCpuidIndex80000008, kRegEbx, 9};

// Leaf 7, subleaf 1.
constexpr Bit kAVX_VNNI{kCpuidIndex7_Ecx1, kRegEax, 4};
constexpr Bit kAVX512_BF16{kCpuidIndex7_Ecx1, kRegEax, 5};
constexpr Bit kFZLRM{kCpuidIndex7_Ecx1, kRegEax, 10};
constexpr Bit kFSRS{kCpuidIndex7_Ecx1, kRegEax, 11};
constexpr Bit kFSRCS{kCpuidIndex7_Ecx1, kRegEax, 12};

// Leaf 0x19.
constexpr Bit kAESKLE{kCpuidIndex19, kRegEbx, 0};
constexpr Bit kWIDE_KL{kCpuidIndex19, kRegEbx, 2};

// Leaf 0x14, subleaf 0.
constexpr Bit kPTWRITE{kCpuidIndex14_Ecx0, kRegEbx, 4};

// Features usable as soon as the CPU reports them. (IBT and SHSTK would be
// here in a CET build, but glibc withdraws them again unless the kernel
// reports CET enabled through ARCH_CET_STATUS, which no released kernel
// implements; they stay clear.)
constexpr Bit kPlainFeatures[] = {
    kSSE3, kPCLMULQDQ, kSSSE3, kCMPXCHG16B, kSSE4_1, kSSE4_2, kMOVBE, kPOPCNT, kAES, kOSXSAVE,
    kTSC, kCX8, kCMOV, kCLFSH, kMMX, kFXSR, kSSE, kSSE2, kHTT, kBMI1, kHLE, kBMI2, kERMS,
    kRDSEED, kADX, kCLFLUSHOPT, kCLWB, kSHA, kPREFETCHWT1, kOSPKE, kWAITPKG, kGFNI, kRDPID,
    kRDRAND, kCLDEMOTE, kMOVDIRI, kMOVDIR64B, kFSRM, kRTM_ALWAYS_ABORT, kSERIALIZE, kTSXLDTRK,
    kLAHF64_SAHF64, kLZCNT, kSSE4A, kPREFETCHW, kTBM, kRDTSCP, kWBNOINVD, kFZLRM, kFSRS, kFSRCS,
    kPTWRITE,
};

// Need the YMM state (and the features need AVX itself).
constexpr Bit kAvxDependents[] = {kAVX_VNNI, kFMA, kVAES, kVPCLMULQDQ, kXOP, kF16C};

// Need the opmask and ZMM states and AVX512F.
constexpr Bit kAvx512Dependents[] = {
    kAVX512CD, kAVX512ER, kAVX512PF, kAVX512VL, kAVX512DQ, kAVX512BW, kAVX512_4FMAPS,
    kAVX512_4VNNIW, kAVX512_BITALG, kAVX512_IFMA, kAVX512_VBMI, kAVX512_VBMI2, kAVX512_VNNI,
    kAVX512_VPOPCNTDQ, kAVX512_VP2INTERSECT, kAVX512_BF16, kAVX512_FP16,
};

constexpr Bit kAmxFeatures[] = {kAMX_BF16, kAMX_TILE, kAMX_INT8};

// Withdrawn when XSAVE-managed state turns out unusable (step 5).
constexpr Bit kXsaveOnly[] = {kXSAVE, kXSAVEOPT, kXSAVEC, kXGETBV_ECX_1, kXFD};
constexpr Bit kStateDependent[] = {
    kAVX, kAVX2, kAVX_VNNI, kFMA, kVAES, kVPCLMULQDQ, kXOP, kF16C, kAVX512F, kAVX512CD,
    kAVX512ER, kAVX512PF, kAVX512VL, kAVX512DQ, kAVX512BW, kAVX512_4FMAPS, kAVX512_4VNNIW,
    kAVX512_BITALG, kAVX512_IFMA, kAVX512_VBMI, kAVX512_VBMI2, kAVX512_VNNI,
    kAVX512_VPOPCNTDQ, kAVX512_VP2INTERSECT, kAVX512_BF16, kAVX512_FP16, kAMX_BF16, kAMX_TILE,
    kAMX_INT8, kFMA4,
};

// XCR0 state components.
constexpr uint64_t kXcr0Sse = 1u << 1;
constexpr uint64_t kXcr0Avx = 1u << 2;
constexpr uint64_t kXcr0Opmask = 1u << 5;
constexpr uint64_t kXcr0ZmmHi256 = 1u << 6;
constexpr uint64_t kXcr0Hi16Zmm = 1u << 7;
constexpr uint64_t kXcr0TileCfg = 1u << 17;
constexpr uint64_t kXcr0TileData = 1u << 18;

// _dl_runtime_resolve saves 7 argument registers plus alignment (64 bytes)
// below an xsave area holding these components: SSE, AVX, MPX bounds,
// opmask, ZMM_Hi256, Hi16_ZMM.
constexpr uint32_t kResolveRegsSize = 64;
constexpr uint32_t kResolveStateMask = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 5) |
                                       (1u << 6) | (1u << 7);

bool Present(const CpuFeatures& f, Bit b) {
  return (f.features[b.row].cpuid_array[b.reg] & b.mask()) != 0;
}
bool Usable(const CpuFeatures& f, Bit b) {
  return (f.features[b.row].active_array[b.reg] & b.mask()) != 0;
}
// Usable if present.
void Adopt(CpuFeatures& f, Bit b) {
  f.features[b.row].active_array[b.reg] |= f.features[b.row].cpuid_array[b.reg] & b.mask();
}
void MarkUsable(CpuFeatures& f, Bit b) { f.features[b.row].active_array[b.reg] |= b.mask(); }
void MarkUnusable(CpuFeatures& f, Bit b) { f.features[b.row].active_array[b.reg] &= ~b.mask(); }

void Store(CpuFeatures& f, unsigned row, const Cpuid& c) {
  f.features[row].cpuid_array[kRegEax] = c.eax;
  f.features[row].cpuid_array[kRegEbx] = c.ebx;
  f.features[row].cpuid_array[kRegEcx] = c.ecx;
  f.features[row].cpuid_array[kRegEdx] = c.edx;
}

uint64_t ReadXcr0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t{hi} << 32) | lo;
}

constexpr uint64_t AlignUp64(uint64_t v) { return (v + 63) & ~uint64_t{63}; }

// ---------------------------------------------------------------------------
// cpuid results the cache code needs more than once.
// ---------------------------------------------------------------------------

struct Probe {
  uint32_t max_extended = 0;  // cpuid 0x80000000 eax, once read

  bool have_leaf2 = false;
  Cpuid leaf2{};

  // Leaf 4 subleaves 0..leaf4_count-1, read in order on first need. The
  // bound only matters on a CPU whose list never ends (glibc would spin).
  static constexpr unsigned kLeaf4Max = 32;
  unsigned leaf4_count = 0;
  Cpuid leaf4[kLeaf4Max];

  bool have_amd5 = false, have_amd6 = false;
  Cpuid amd5{}, amd6{};

  const Cpuid& Leaf2() {
    if (!have_leaf2) {
      leaf2 = CpuidLeaf(2);
      have_leaf2 = true;
    }
    return leaf2;
  }
  // nullptr past the bound.
  const Cpuid* Leaf4(unsigned i) {
    if (i >= kLeaf4Max) return nullptr;
    while (leaf4_count <= i) {
      leaf4[leaf4_count] = CpuidLeaf(4, leaf4_count);
      ++leaf4_count;
    }
    return &leaf4[i];
  }
  const Cpuid& Amd(unsigned leaf) {
    if (leaf == 0x80000005) {
      if (!have_amd5) amd5 = CpuidLeaf(0x80000005), have_amd5 = true;
      return amd5;
    }
    if (!have_amd6) amd6 = CpuidLeaf(0x80000006), have_amd6 = true;
    return amd6;
  }
};

// ---------------------------------------------------------------------------
// Step 1: raw cpuid rows.
// ---------------------------------------------------------------------------

struct Signature {
  uint32_t family = 0, model = 0, extended_model = 0, stepping = 0;
};

void ReadStandardLeaves(CpuFeatures& f, Signature* sig) {
  if (sig != nullptr) {
    const Cpuid l1 = CpuidLeaf(1);
    Store(f, kCpuidIndex1, l1);
    sig->family = (l1.eax >> 8) & 0xf;
    sig->model = (l1.eax >> 4) & 0xf;
    sig->extended_model = (l1.eax >> 12) & 0xf0;
    sig->stepping = l1.eax & 0xf;
    if (sig->family == 0xf) {
      sig->family += (l1.eax >> 20) & 0xff;
      sig->model += sig->extended_model;
    }
  }
  const int32_t max = f.basic.max_cpuid;
  if (max >= 7) {
    Store(f, kCpuidIndex7, CpuidLeaf(7, 0));
    Store(f, kCpuidIndex7_Ecx1, CpuidLeaf(7, 1));
  }
  if (max >= 0xd) Store(f, kCpuidIndexD_Ecx1, CpuidLeaf(0xd, 1));
  if (max >= 0x14) Store(f, kCpuidIndex14_Ecx0, CpuidLeaf(0x14, 0));
  if (max >= 0x19) Store(f, kCpuidIndex19, CpuidLeaf(0x19, 0));
}

void ReadExtendedLeaves(CpuFeatures& f, Probe& probe) {
  const uint32_t max = CpuidLeaf(0x80000000).eax;
  probe.max_extended = max;
  if (max >= 0x80000001) Store(f, kCpuidIndex80000001, CpuidLeaf(0x80000001));
  if (max >= 0x80000007) Store(f, kCpuidIndex80000007, CpuidLeaf(0x80000007));
  if (max >= 0x80000008) Store(f, kCpuidIndex80000008, CpuidLeaf(0x80000008));
}

// ---------------------------------------------------------------------------
// Step 2: active bits, xsave_state_size, isa_1.
// ---------------------------------------------------------------------------

// The compacted (XSAVEC) size of the components _dl_runtime_resolve saves,
// counted the way glibc counts them: each component of the mask in index
// order, whether or not XCR0 enables it, 64-aligned where cpuid says so.
uint32_t CompactedResolveStateSize() {
  uint32_t offset = 576;  // legacy area + header: where component 2 starts
  uint32_t size = 0;      // of the previous component
  for (unsigned i = 2; i < 32; ++i) {
    uint32_t this_size = 0, flags = 0;
    if (kResolveStateMask & (1u << i)) {
      const Cpuid c = CpuidLeaf(0xd, i);
      this_size = c.eax;
      flags = c.ecx;
    }
    if (i > 2) {
      offset += size;
      if (flags & (1u << 1)) offset = static_cast<uint32_t>(AlignUp64(offset));
    }
    size = this_size;
  }
  return offset + size;
}

uint32_t IsaLevel(const CpuFeatures& f) {
  uint32_t level = 0;
  if (!(Usable(f, kCMOV) && Usable(f, kCX8) && Present(f, kFPU) && Usable(f, kFXSR) &&
        Usable(f, kMMX) && Usable(f, kSSE) && Usable(f, kSSE2)))
    return level;
  level |= kIsa1Baseline;
  if (!(Usable(f, kCMPXCHG16B) && Usable(f, kLAHF64_SAHF64) && Usable(f, kPOPCNT) &&
        Usable(f, kSSE3) && Usable(f, kSSSE3) && Usable(f, kSSE4_1) && Usable(f, kSSE4_2)))
    return level;
  level |= kIsa1V2;
  if (!(Usable(f, kAVX) && Usable(f, kAVX2) && Usable(f, kBMI1) && Usable(f, kBMI2) &&
        Usable(f, kF16C) && Usable(f, kFMA) && Usable(f, kLZCNT) && Usable(f, kMOVBE)))
    return level;
  level |= kIsa1V3;
  if (Usable(f, kAVX512F) && Usable(f, kAVX512BW) && Usable(f, kAVX512CD) &&
      Usable(f, kAVX512DQ) && Usable(f, kAVX512VL))
    level |= kIsa1V4;
  return level;
}

void ComputeActive(CpuFeatures& f) {
  for (const Bit& b : kPlainFeatures) Adopt(f, b);
  // RTM counts only when the CPU does not say it always aborts.
  if (!Present(f, kRTM_ALWAYS_ABORT)) Adopt(f, kRTM);

  if (Present(f, kOSXSAVE)) {
    const uint64_t xcr0 = ReadXcr0();
    if ((xcr0 & (kXcr0Sse | kXcr0Avx)) == (kXcr0Sse | kXcr0Avx)) {
      if (Present(f, kAVX)) {
        MarkUsable(f, kAVX);
        if (Present(f, kAVX2)) {
          MarkUsable(f, kAVX2);
          f.preferred[0] |= kPrefAVXFastUnalignedLoad;
        }
        for (const Bit& b : kAvxDependents) Adopt(f, b);
      }
      constexpr uint64_t kZmm = kXcr0Opmask | kXcr0ZmmHi256 | kXcr0Hi16Zmm;
      if ((xcr0 & kZmm) == kZmm && Present(f, kAVX512F)) {
        MarkUsable(f, kAVX512F);
        for (const Bit& b : kAvx512Dependents) Adopt(f, b);
      }
    }
    if ((xcr0 & (kXcr0TileCfg | kXcr0TileData)) == (kXcr0TileCfg | kXcr0TileData)) {
      for (const Bit& b : kAmxFeatures) Adopt(f, b);
    }

    MarkUsable(f, kXSAVE);
    Adopt(f, kXSAVEOPT);
    Adopt(f, kXSAVEC);
    Adopt(f, kXGETBV_ECX_1);
    Adopt(f, kXFD);

    if (f.basic.max_cpuid >= 0xd) {
      const uint32_t standard = CpuidLeaf(0xd, 0).ebx;  // for the enabled XCR0
      if (standard != 0) {
        const uint32_t full = static_cast<uint32_t>(AlignUp64(standard + kResolveRegsSize));
        f.xsave_state_size = full;
        f.xsave_state_full_size = full;
        if (Present(f, kXSAVEC)) {
          const uint32_t compact = CompactedResolveStateSize();
          if (compact != 0) {
            f.xsave_state_size = AlignUp64(compact + kResolveRegsSize);
            MarkUsable(f, kXSAVEC);
          }
        }
      }
    }
  }

  if (Present(f, kOSPKE)) MarkUsable(f, kPKU);

  if (Present(f, kAESKLE)) {
    MarkUsable(f, kAESKLE);
    Adopt(f, kKL);
    Adopt(f, kWIDE_KL);
  }

  f.isa_1 = IsaLevel(f);
}

// ---------------------------------------------------------------------------
// Step 3: vendor adjustments.
// ---------------------------------------------------------------------------

constexpr uint32_t kCoreStringBits =
    kPrefFastRepString | kPrefFastUnalignedLoad | kPrefFastUnalignedCopy |
    kPrefPreferPMINUBForStringop;
constexpr uint32_t kAtomStringBits = kPrefFastUnalignedLoad | kPrefFastUnalignedCopy |
                                     kPrefPreferPMINUBForStringop | kPrefSlowSSE4_2;

void WithdrawTsx(CpuFeatures& f) {
  MarkUnusable(f, kHLE);
  MarkUnusable(f, kRTM);
  MarkUsable(f, kRTM_ALWAYS_ABORT);
}

// Family 6 only; `model` already includes the extended model.
void AdjustIntelFamily6(CpuFeatures& f, uint32_t model, uint32_t stepping) {
  uint32_t& pref = f.preferred[0];
  switch (model) {
    case 0x1c: case 0x26:  // Atom (Bonnell): slow BSF
      pref |= kPrefSlowBSF;
      break;
    case 0x57:                        // Knights Landing
    case 0x7a:                        // Goldmont Plus
    case 0x5c: case 0x5f:             // Goldmont
    case 0x4c: case 0x5a: case 0x75:  // Airmont
    case 0x37: case 0x4a: case 0x4d: case 0x5d:  // Silvermont
      pref |= kAtomStringBits;
      break;
    case 0x86: case 0x96: case 0x9c:  // Tremont
      pref |= kPrefFastRepString | kAtomStringBits;
      break;
    case 0x1a: case 0x1e: case 0x1f: case 0x25: case 0x2c: case 0x2e: case 0x2f:  // Nehalem/Westmere
      pref |= kCoreStringBits;
      break;
    default:
      // Any other family-6 model counts as a Core processor when it has AVX.
      if (Present(f, kAVX)) pref |= kCoreStringBits;
      break;
  }

  // TSX errata: models whose microcode may still expose broken TSX.
  switch (model) {
    case 0x55:
      if (stepping <= 5) WithdrawTsx(f);
      break;
    case 0x8e: case 0x9e:
      if (stepping <= 0xc) WithdrawTsx(f);
      break;
    case 0x4e: case 0x5e:
      WithdrawTsx(f);
      break;
    case 0x3f:
      if (stepping >= 4) break;  // Xeon E7 v3 from stepping 4 is fine
      MarkUnusable(f, kRTM);
      break;
    case 0x3c: case 0x45: case 0x46:  // Haswell
      MarkUnusable(f, kRTM);
      break;
    default:
      break;
  }
}

void AdjustIntel(CpuFeatures& f, Signature& sig) {
  if (sig.family == 6) {
    sig.model += sig.extended_model;
    AdjustIntelFamily6(f, sig.model, sig.stepping);
  }
  uint32_t& pref = f.preferred[0];
  if (Present(f, kAVX512ER)) {
    pref |= kPrefPreferNoVZEROUPPER;  // Xeon Phi
  } else {
    // AVX-512 lowers the clock unless the CPU also has AVX-VNNI.
    if (!Present(f, kAVX_VNNI)) pref |= kPrefPreferNoAVX512;
    // vzeroupper aborts an RTM transaction.
    if (Usable(f, kRTM)) pref |= kPrefPreferNoVZEROUPPER;
  }
  if (Present(f, kFSRM)) pref |= kPrefAvoidShortDistanceRepMovsb;
}

void AdjustAmd(CpuFeatures& f, const Signature& sig) {
  // FMA4 sits in the extended leaf and needs AVX.
  if (Usable(f, kAVX)) Adopt(f, kFMA4);
  if (sig.family == 0x15 && sig.model >= 0x60 && sig.model <= 0x7f) {  // Excavator
    f.preferred[0] |= kPrefFastUnalignedLoad | kPrefFastCopyBackward;
    f.preferred[0] &= ~kPrefAVXFastUnalignedLoad;
  }
}

void AdjustZhaoxin(CpuFeatures& f, Signature& sig) {
  sig.model += sig.extended_model;
  bool no_avx = false, slow_sse42 = false;
  if (sig.family == 6) {
    no_avx = slow_sse42 = (sig.model == 0xf || sig.model == 0x19);
  } else if (sig.family == 7) {
    if (sig.model == 0x1b) no_avx = slow_sse42 = true;
    if (sig.model == 0x3b) no_avx = true;
  }
  if (no_avx) {
    MarkUnusable(f, kAVX);
    MarkUnusable(f, kAVX2);
    f.preferred[0] &= ~kPrefAVXFastUnalignedLoad;
  }
  if (slow_sse42) f.preferred[0] |= kPrefSlowSSE4_2;
}

// ---------------------------------------------------------------------------
// Step 4: caches.
// ---------------------------------------------------------------------------

// sysconf-style queries, in _SC_LEVEL1_ICACHE_SIZE.. order: each level has
// size, associativity and line size, in that order.
enum Query : int {
  kL1I = 0, kL1IAssoc, kL1ILine,
  kL1D = 3, kL1DAssoc, kL1DLine,
  kL2 = 6, kL2Assoc, kL2Line,
  kL3 = 9, kL3Assoc, kL3Line,
  kL4 = 12, kL4Assoc, kL4Line,
};

// Cache geometry from a leaf 4 entry.
int64_t Leaf4Value(const Cpuid& c, int offset) {
  const uint32_t ways = (c.ebx >> 22) + 1;
  const uint32_t partitions = ((c.ebx >> 12) & 0x3ff) + 1;
  const uint32_t line = (c.ebx & 0xfff) + 1;
  if (offset == 0) return static_cast<uint32_t>(ways * partitions * line * (c.ecx + 1));
  if (offset == 1) return ways;
  return line;
}

// Walks leaf 4 for `query`. Intel knows level 4 and answers -1 when the
// list ends without a match; Zhaoxin answers 0.
int64_t Leaf4Lookup(Probe& probe, int query, bool intel) {
  const int group = (query / 3) * 3;
  for (unsigned i = 0;; ++i) {
    const Cpuid* c = probe.Leaf4(i);
    const uint32_t type = c ? (c->eax & 0x1f) : 0;  // 0 none, 1 data, 2 code, 3 unified
    if (type == 0) break;
    const uint32_t level = (c->eax >> 5) & 0x7;
    const bool match = (level == 1 && type == 1 && group == kL1D) ||
                       (level == 1 && type == 2 && group == kL1I) ||
                       (level == 2 && group == kL2) || (level == 3 && group == kL3) ||
                       (intel && level == 4 && group == kL4);
    if (match) return Leaf4Value(*c, query - group);
  }
  return intel ? -1 : 0;
}

// Leaf 2 descriptor bytes: cache, associativity, line size, size in KiB.
struct Descriptor {
  uint8_t code, assoc, line, group;
  uint16_t kib;
};
constexpr Descriptor kDescriptors[] = {
    {0x06, 4, 32, kL1I, 8}, {0x08, 4, 32, kL1I, 16}, {0x09, 4, 32, kL1I, 32},
    {0x0a, 2, 32, kL1D, 8}, {0x0c, 4, 32, kL1D, 16}, {0x0d, 4, 64, kL1D, 16},
    {0x0e, 6, 64, kL1D, 24}, {0x21, 8, 64, kL2, 256}, {0x22, 4, 64, kL3, 512},
    {0x23, 8, 64, kL3, 1024}, {0x25, 8, 64, kL3, 2048}, {0x29, 8, 64, kL3, 4096},
    {0x2c, 8, 64, kL1D, 32}, {0x30, 8, 64, kL1I, 32}, {0x39, 4, 64, kL2, 128},
    {0x3a, 6, 64, kL2, 192}, {0x3b, 2, 64, kL2, 128}, {0x3c, 4, 64, kL2, 256},
    {0x3d, 6, 64, kL2, 384}, {0x3e, 4, 64, kL2, 512}, {0x3f, 2, 64, kL2, 256},
    {0x41, 4, 32, kL2, 128}, {0x42, 4, 32, kL2, 256}, {0x43, 4, 32, kL2, 512},
    {0x44, 4, 32, kL2, 1024}, {0x45, 4, 32, kL2, 2048}, {0x46, 4, 64, kL3, 4096},
    {0x47, 8, 64, kL3, 8192}, {0x48, 12, 64, kL2, 3072}, {0x49, 16, 64, kL2, 4096},
    {0x4a, 12, 64, kL3, 6144}, {0x4b, 16, 64, kL3, 8192}, {0x4c, 12, 64, kL3, 12288},
    {0x4d, 16, 64, kL3, 16384}, {0x4e, 24, 64, kL2, 6144}, {0x60, 8, 64, kL1D, 16},
    {0x66, 4, 64, kL1D, 8}, {0x67, 4, 64, kL1D, 16}, {0x68, 4, 64, kL1D, 32},
    {0x78, 8, 64, kL2, 1024}, {0x79, 8, 64, kL2, 128}, {0x7a, 8, 64, kL2, 256},
    {0x7b, 8, 64, kL2, 512}, {0x7c, 8, 64, kL2, 1024}, {0x7d, 8, 64, kL2, 2048},
    {0x7f, 2, 64, kL2, 512}, {0x80, 8, 64, kL2, 512}, {0x82, 8, 32, kL2, 256},
    {0x83, 8, 32, kL2, 512}, {0x84, 8, 32, kL2, 1024}, {0x85, 8, 32, kL2, 2048},
    {0x86, 4, 64, kL2, 512}, {0x87, 8, 64, kL2, 1024}, {0xd0, 4, 64, kL3, 512},
    {0xd1, 4, 64, kL3, 1024}, {0xd2, 4, 64, kL3, 2048}, {0xd6, 8, 64, kL3, 1024},
    {0xd7, 8, 64, kL3, 2048}, {0xd8, 8, 64, kL3, 4096}, {0xdc, 12, 64, kL3, 2048},
    {0xdd, 12, 64, kL3, 4096}, {0xde, 12, 64, kL3, 8192}, {0xe2, 16, 64, kL3, 2048},
    {0xe3, 16, 64, kL3, 4096}, {0xe4, 16, 64, kL3, 8192}, {0xea, 24, 64, kL3, 12288},
    {0xeb, 24, 64, kL3, 18432}, {0xec, 24, 64, kL3, 24576},
};

const Descriptor* FindDescriptor(uint32_t code) {
  for (const Descriptor& d : kDescriptors)
    if (d.code == code) return &d;
  return nullptr;
}

// One leaf 2 register: 0 when it says nothing about `query` (the caller
// tries the next register), else the answer.
int64_t IntelRegister(const CpuFeatures& f, Probe& probe, int query, uint32_t value,
                      bool* no_l2_or_l3) {
  if (value & 0x80000000u) return 0;  // register contents are reserved
  int group = (query / 3) * 3;
  for (; value != 0; value >>= 8) {
    const uint32_t code = value & 0xff;
    if (code == 0x40) {  // no L2, or no L3 when an L2 is listed
      *no_l2_or_l3 = true;
      if (group == kL3) break;
      continue;
    }
    if (code == 0xff) return Leaf4Lookup(probe, query, true);  // all in leaf 4
    // 0x49 describes the L3 on family 15 model 6, an L2 everywhere else.
    if (code == 0x49 && group == kL3 && f.basic.family == 15 && f.basic.model == 6) {
      query = kL2 + (query - kL3);
      group = kL2;
    }
    const Descriptor* d = FindDescriptor(code);
    if (d != nullptr && d->group == group) {
      const int offset = query - group;
      if (offset == 0) return int64_t{d->kib} * 1024;
      if (offset == 1) return d->assoc;
      return d->line;
    }
  }
  return 0;
}

int64_t IntelCache(const CpuFeatures& f, Probe& probe, int query) {
  if (f.basic.max_cpuid < 2) return -1;
  const Cpuid& l2 = probe.Leaf2();
  bool no_l2_or_l3 = false;
  // Leaf 2's low byte must be 1; anything else means: use leaf 4.
  if ((l2.eax & 0xff) != 1) return IntelRegister(f, probe, query, 0xff, &no_l2_or_l3);
  const uint32_t regs[4] = {l2.eax & 0xffffff00u, l2.ebx, l2.ecx, l2.edx};
  for (uint32_t r : regs) {
    const int64_t v = IntelRegister(f, probe, query, r, &no_l2_or_l3);
    if (v != 0) return v;
  }
  if (query >= kL2 && query <= kL3Line && no_l2_or_l3) return -1;
  return 0;
}

uint32_t AmdAssoc(uint32_t code, uint32_t size, uint32_t line) {
  switch (code) {
    case 0: case 1: case 2: case 4: return code;
    case 6: return 8;
    case 8: return 16;
    case 10: return 32;
    case 11: return 48;
    case 12: return 64;
    case 13: return 96;
    case 14: return 128;
    case 15: return line != 0 ? size / line : 0;  // fully associative
    default: return 0;
  }
}

int64_t AmdCache(Probe& probe, int query) {
  if (query > kL3Line) return 0;  // no L4 information
  const uint32_t leaf = query >= kL2 ? 0x80000006 : 0x80000005;
  if (probe.max_extended < leaf) return 0;
  const Cpuid& c = probe.Amd(leaf);
  uint32_t ecx = c.ecx;
  if (query < kL1D) {  // L1 code cache: edx of 0x80000005, decoded like the data cache
    query += kL1D - kL1I;
    ecx = c.edx;
  }
  const uint32_t edx = c.edx;
  switch (query) {
    case kL1D: return (ecx >> 14) & 0x3fc00;
    case kL1DAssoc: {
      const uint32_t a = ecx >> 16;
      if ((a & 0xff) == 0xff) return (a << 2) & 0x3fc00;
      return a & 0xff;
    }
    case kL1DLine: return ecx & 0xff;
    case kL2: return (ecx & 0xf000) == 0 ? 0 : (ecx >> 6) & 0x3fffc00;
    case kL2Assoc: return AmdAssoc((ecx >> 12) & 0xf, (ecx >> 6) & 0x3fffc00, ecx & 0xff);
    case kL2Line: return (ecx & 0xf000) == 0 ? 0 : ecx & 0xff;
    case kL3: return (edx & 0xf000) == 0 ? 0 : (edx & 0x3ffc0000u) << 1;
    case kL3Assoc: return AmdAssoc((edx >> 12) & 0xf, (edx & 0x3ffc0000u) << 1, edx & 0xff);
    case kL3Line: return (edx & 0xf000) == 0 ? 0 : edx & 0xff;
    default: return -1;
  }
}

// Bits below and including the highest set bit of x (x > 0).
uint32_t MaskThroughTopBit(int x) {
  const unsigned top = 31u - static_cast<unsigned>(__builtin_clz(static_cast<uint32_t>(x)));
  return top >= 31 ? ~0u : (2u << top) - 1;
}

// Intel and Zhaoxin: how many threads share the largest cache, and the
// per-thread share of it (get_common_cache_info).
void ShareCache(const CpuFeatures& f, Probe& probe, int64_t* shared_io,
                int64_t* per_thread_io, uint32_t* threads_io, int64_t core) {
  const bool intel = f.basic.kind == kCpuKindIntel;
  const int32_t max_cpuid = f.basic.max_cpuid;
  int64_t shared = *shared_io;
  int64_t per_thread = *per_thread_io;
  uint32_t threads = *threads_io;
  bool inclusive = true;
  const bool use_topology = !(f.basic.kind == kCpuKindZhaoxin && f.basic.family == 6);

  int level = 3;
  int threads_l2 = 0, threads_l3 = 0;
  if (shared <= 0) {  // no L3: the L2 is the shared cache
    level = 2;
    shared = core;
    per_thread = core;
    threads_l3 = -1;
  }

  if (Present(f, kHTT)) {
    bool fallback = max_cpuid < 4;
    if (!fallback) {
      // The first L2 and (when wanted) L3 entries of leaf 4: how many
      // logical processors may share each.
      unsigned want = 1u | (threads_l3 == 0 ? 2u : 0u);
      for (unsigned i = 0; want != 0; ++i) {
        const Cpuid* c = probe.Leaf4(i);
        if (c == nullptr) break;
        if (intel && (c->eax & 0x1f) == 0) {  // list ended early (Pentium D bug)
          fallback = true;
          break;
        }
        const uint32_t lvl = (c->eax >> 5) & 0x7;
        if (lvl == 2 && (want & 1u)) {
          threads_l2 = static_cast<int>((c->eax >> 14) & 0x3ff);
          want &= ~1u;
        } else if (lvl == 3 && (want & 2u)) {
          threads_l3 = static_cast<int>((c->eax >> 14) & 0x3ff);
          inclusive = (c->edx & 0x2) != 0;
          want &= ~2u;
        }
      }
    }
    if (!fallback) {
      // With leaf 0xb those counts are ID ranges: narrow them with the
      // number of logical processors per core (SMT) and per package.
      if (max_cpuid >= 11 && use_topology) {
        unsigned todo = ((threads_l2 > 0 && level == 3) ? 1u : 0u) |
                        ((threads_l3 > 0 || (threads_l2 > 0 && level == 2)) ? 2u : 0u);
        for (unsigned i = 0; todo != 0 && i < 64; ++i) {
          const Cpuid c = CpuidLeaf(11, i);
          const int shipped = static_cast<int>(c.ebx & 0xff);
          const uint32_t type = c.ecx & 0xff00;
          if (shipped == 0 || type == 0) break;
          if (type == 0x100 && (todo & 1u)) {
            threads_l2 = static_cast<int>((shipped - 1) & MaskThroughTopBit(threads_l2));
            todo &= ~1u;
          } else if (type == 0x200 && (todo & 2u)) {
            int& t = level == 2 ? threads_l2 : threads_l3;
            t = static_cast<int>((shipped - 1) & MaskThroughTopBit(t));
            todo &= ~2u;
          }
        }
      }
      if (threads_l2 > 0) ++threads_l2;
      if (threads_l3 > 0) ++threads_l3;
      if (level == 2) {
        if (threads_l2 != 0) {
          threads = static_cast<uint32_t>(threads_l2);
          if (intel && threads > 2 && f.basic.family == 6) {
            switch (f.basic.model) {
              case 0x37: case 0x4a: case 0x4d: case 0x5a: case 0x5d:
                threads = 2;  // Silvermont: two cores per L2
                break;
              default:
                break;
            }
          }
        }
      } else if (threads_l3 != 0) {
        threads = static_cast<uint32_t>(threads_l3);
      }
    } else {
      // All logical processors of the package share the largest cache.
      threads = (f.features[kCpuidIndex1].cpuid_array[kRegEbx] >> 16) & 0xff;
    }
    if (per_thread > 0 && threads > 0) per_thread /= static_cast<int64_t>(threads);
  }

  if (!inclusive) {  // the L2 adds to the L3
    per_thread += threads_l2 > 0 ? core / threads_l2 : core;
    shared += core;
  }

  *shared_io = shared;
  *per_thread_io = per_thread;
  *threads_io = threads;
}

void ComputeCaches(CpuFeatures& f, Probe& probe, X86CacheTunables* tun) {
  // -1 (all ones once stored) unless the vendor's method says otherwise.
  int64_t data = -1, shared = -1, per_thread = -1, core = -1;
  uint32_t threads = 0;
  int64_t l1i = -1, l1i_line = -1, l1d_assoc = -1, l1d_line = -1, l2_assoc = -1,
          l2_line = -1, l3 = -1, l3_assoc = -1, l3_line = -1, l4 = -1;

  const uint32_t kind = f.basic.kind;
  if (kind == kCpuKindIntel || kind == kCpuKindZhaoxin) {
    const bool intel = kind == kCpuKindIntel;
    auto query = [&](int q) {
      return intel ? IntelCache(f, probe, q) : Leaf4Lookup(probe, q, false);
    };
    data = query(kL1D);
    core = query(kL2);
    shared = l3 = per_thread = query(kL3);
    l1i = query(kL1I);
    l1i_line = query(kL1ILine);
    l1d_assoc = query(kL1DAssoc);
    l1d_line = query(kL1DLine);
    l2_assoc = query(kL2Assoc);
    l2_line = query(kL2Line);
    l3_assoc = query(kL3Assoc);
    l3_line = query(kL3Line);
    if (intel) l4 = query(kL4);
    ShareCache(f, probe, &shared, &per_thread, &threads, core);
  } else if (kind == kCpuKindAmd) {
    data = AmdCache(probe, kL1D);
    core = AmdCache(probe, kL2);
    shared = l3 = per_thread = AmdCache(probe, kL3);
    l1i = AmdCache(probe, kL1I);
    l1i_line = AmdCache(probe, kL1ILine);
    l1d_assoc = AmdCache(probe, kL1DAssoc);
    l1d_line = AmdCache(probe, kL1DLine);
    l2_assoc = AmdCache(probe, kL2Assoc);
    l2_line = AmdCache(probe, kL2Line);
    l3_assoc = AmdCache(probe, kL3Assoc);
    l3_line = AmdCache(probe, kL3Line);

    if (shared <= 0) {  // no L3: the L2 is all there is
      shared = core;
      per_thread = core;
    } else {
      // Threads sharing the L3: the APIC ID width of 0x80000008, or on Zen
      // (family 0x17+) and without that leaf the logical count of leaf 1.
      if (probe.max_extended >= 0x80000008)
        threads = 1u << ((f.features[kCpuidIndex80000008].cpuid_array[kRegEcx] >> 12) & 0xf);
      if (threads == 0 || f.basic.family >= 0x17) {
        const CpuidFeatureInternal& l1 = f.features[kCpuidIndex1];
        if (l1.cpuid_array[kRegEdx] & kHTT.mask()) threads = (l1.cpuid_array[kRegEbx] >> 16) & 0xff;
      }
      if (threads > 0) per_thread /= static_cast<int64_t>(threads);
      if (f.basic.family >= 0x17) {
        // Zen: the L3 belongs to a CCX; scale back up by its thread count.
        const Cpuid ccx = CpuidLeaf(0x8000001d, 3);
        per_thread *= static_cast<int64_t>(((ccx.eax >> 14) & 0xfff) + 1);
      } else {
        shared += core;  // exclusive L2 and L3
        per_thread += core;
      }
    }
  }

  f.level1_icache_size = static_cast<uint64_t>(l1i);
  f.level1_icache_linesize = static_cast<uint64_t>(l1i_line);
  f.level1_dcache_size = static_cast<uint64_t>(data);
  f.level1_dcache_assoc = static_cast<uint64_t>(l1d_assoc);
  f.level1_dcache_linesize = static_cast<uint64_t>(l1d_line);
  f.level2_cache_size = static_cast<uint64_t>(core);
  f.level2_cache_assoc = static_cast<uint64_t>(l2_assoc);
  f.level2_cache_linesize = static_cast<uint64_t>(l2_line);
  f.level3_cache_size = static_cast<uint64_t>(l3);
  f.level3_cache_assoc = static_cast<uint64_t>(l3_assoc);
  f.level3_cache_linesize = static_cast<uint64_t>(l3_line);
  f.level4_cache_size = static_cast<uint64_t>(l4);

  // Non-temporal stores pay off beyond a quarter of the shared cache, but
  // never below 3/4 of one thread's share (which is the threshold outright
  // without ERMS); clamped to [0x4040, SIZE_MAX / 16].
  uint64_t non_temporal = static_cast<uint64_t>(shared / 4);
  const uint64_t per_thread_floor = static_cast<uint64_t>(per_thread * 3 / 4);
  if (non_temporal < per_thread_floor) non_temporal = per_thread_floor;
  if (!Usable(f, kERMS)) non_temporal = per_thread_floor;
  constexpr uint64_t kNtMin = 0x4040;
  constexpr uint64_t kNtMax = ~uint64_t{0} >> 4;
  if (non_temporal < kNtMin)
    non_temporal = kNtMin;
  else if (non_temporal > kNtMax)
    non_temporal = kNtMax;

  // rep movsb from 4 KiB per 16 bytes of vector (2 KiB for SSE2 alone);
  // 2112 with fast short rep movsb. The tunable must exceed 8 vectors.
  uint64_t rep_movsb, rep_movsb_min;
  if (Usable(f, kAVX512F) && !(f.preferred[0] & kPrefPreferNoAVX512)) {
    rep_movsb = 4096 * 4;
    rep_movsb_min = 64 * 8;
  } else if (f.preferred[0] & kPrefAVXFastUnalignedLoad) {
    rep_movsb = 4096 * 2;
    rep_movsb_min = 32 * 8;
  } else {
    rep_movsb = 2048;
    rep_movsb_min = 16 * 8;
  }
  if (Usable(f, kFSRM)) rep_movsb = 2112;

  uint64_t rep_stosb = 2048;

  if (tun != nullptr) {
    if (tun->data_cache_size != 0) data = tun->data_cache_size;
    if (tun->shared_cache_size != 0) shared = tun->shared_cache_size;
    const uint64_t nt = static_cast<uint64_t>(tun->non_temporal_threshold);
    if (nt > kNtMin && nt <= kNtMax) non_temporal = nt;
    const uint64_t rm = static_cast<uint64_t>(tun->rep_movsb_threshold);
    if (rm > rep_movsb_min) rep_movsb = rm;
    rep_stosb = static_cast<uint64_t>(tun->rep_stosb_threshold);

    tun->data_cache_size = data;
    tun->shared_cache_size = shared;
    tun->non_temporal_threshold = static_cast<int64_t>(non_temporal);
    tun->rep_movsb_threshold = static_cast<int64_t>(rep_movsb);
    tun->rep_stosb_threshold = static_cast<int64_t>(rep_stosb);
    tun->non_temporal_threshold_min = kNtMin;
    tun->non_temporal_threshold_max = kNtMax;
    tun->rep_movsb_threshold_min = rep_movsb_min;
  }

  // AMD's rep movsb is slow beyond the L2; elsewhere it stops where
  // non-temporal stores start.
  f.rep_movsb_stop_threshold =
      kind == kCpuKindAmd ? static_cast<uint64_t>(core) : non_temporal;
  f.data_cache_size = static_cast<uint64_t>(data);
  f.shared_cache_size = static_cast<uint64_t>(shared);
  f.non_temporal_threshold = non_temporal;
  f.rep_movsb_threshold = rep_movsb;
  f.rep_stosb_threshold = rep_stosb;
}

// ---------------------------------------------------------------------------
// Step 5.
// ---------------------------------------------------------------------------

void WithdrawUnsavedState(CpuFeatures& f) {
  bool withdraw = false;
  if (!Usable(f, kOSXSAVE)) {
    for (const Bit& b : kXsaveOnly) MarkUnusable(f, b);
    withdraw = true;
  }
  if (withdraw || (!Usable(f, kXSAVE) && !Usable(f, kXSAVEC))) {
    f.xsave_state_size = 0;
    for (const Bit& b : kStateDependent) MarkUnusable(f, b);
  }
}

bool IsVendor(const Cpuid& c, uint32_t b, uint32_t d, uint32_t cx) {
  return c.ebx == b && c.edx == d && c.ecx == cx;
}

}  // namespace

void InitCpuFeatures(CpuFeatures* cf, X86CacheTunables* tunables) {
  // Every byte, padding included, starts at zero as in glibc's RELRO copy.
  unsigned char* bytes = reinterpret_cast<unsigned char*>(cf);
  for (size_t i = 0; i < sizeof(CpuFeatures); ++i) bytes[i] = 0;

  CpuFeatures& f = *cf;
  Probe probe;
  Signature sig;

  const Cpuid l0 = CpuidLeaf(0);
  f.basic.max_cpuid = static_cast<int32_t>(l0.eax);
  uint32_t kind;
  uint32_t stepping;
  // Vendor strings as ebx, edx, ecx.
  if (IsVendor(l0, 0x756e6547, 0x49656e69, 0x6c65746e)) {  // GenuineIntel
    kind = kCpuKindIntel;
    ReadStandardLeaves(f, &sig);
    ReadExtendedLeaves(f, probe);
    ComputeActive(f);
    AdjustIntel(f, sig);
    stepping = sig.stepping;
  } else if (IsVendor(l0, 0x68747541, 0x69746e65, 0x444d4163) ||   // AuthenticAMD
             IsVendor(l0, 0x6f677948, 0x6e65476e, 0x656e6975)) {  // HygonGenuine
    kind = kCpuKindAmd;
    ReadStandardLeaves(f, &sig);
    ReadExtendedLeaves(f, probe);
    ComputeActive(f);
    AdjustAmd(f, sig);
    stepping = sig.stepping;
  } else if (IsVendor(l0, 0x746e6543, 0x48727561, 0x736c7561) ||   // CentaurHauls
             IsVendor(l0, 0x68532020, 0x68676e61, 0x20206961)) {  // "  Shanghai  "
    kind = kCpuKindZhaoxin;
    ReadStandardLeaves(f, &sig);
    ReadExtendedLeaves(f, probe);
    ComputeActive(f);
    AdjustZhaoxin(f, sig);
    stepping = 0;  // glibc's Zhaoxin branch never stores the stepping
  } else {
    kind = kCpuKindOther;
    ReadStandardLeaves(f, nullptr);  // no leaf 1, no extended leaves
    ComputeActive(f);
    stepping = 0;
  }

  if (Present(f, kCX8)) f.preferred[0] |= kPrefI586;
  if (Present(f, kCMOV)) f.preferred[0] |= kPrefI686;

  f.basic.kind = kind;
  f.basic.family = sig.family;
  f.basic.model = sig.model;
  f.basic.stepping = stepping;

  ComputeCaches(f, probe, tunables);
  WithdrawUnsavedState(f);
}

void InitCpuFeatures(CpuFeatures* cf) { InitCpuFeatures(cf, nullptr); }

}  // namespace rtld::glibc
