// cpuid access and the facts about the processor the loader needs.
#pragma once

#include <stdint.h>

namespace rtld::arch {

struct Cpuid {
  uint32_t eax, ebx, ecx, edx;
};

inline Cpuid CpuidLeaf(uint32_t leaf, uint32_t subleaf = 0) {
  Cpuid r;
  __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
  return r;
}

// Bytes xsave needs for the state components the OS enabled (XCR0), or 0
// when XSAVE is unusable (no XSAVE, or the OS did not enable it).
inline uint64_t XsaveAreaSize() {
  if (CpuidLeaf(0).eax < 0xd) return 0;
  const Cpuid l1 = CpuidLeaf(1);
  constexpr uint32_t kXsave = 1u << 26, kOsxsave = 1u << 27;
  if ((l1.ecx & (kXsave | kOsxsave)) != (kXsave | kOsxsave)) return 0;
  return CpuidLeaf(0xd, 0).ebx;  // size for the features enabled in XCR0
}

// Bytes xsavec needs for the enabled components in the compacted format
// (components >= 2 packed after the 576-byte legacy area and header, some
// aligned to 64), or 0 without XSAVEC.
inline uint64_t XsavecAreaSize() {
  if (XsaveAreaSize() == 0 || (CpuidLeaf(0xd, 1).eax & (1u << 1)) == 0) return 0;
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  const uint64_t xcr0 = (uint64_t{hi} << 32) | lo;
  uint64_t size = 576;
  for (unsigned i = 2; i < 64; ++i) {
    if ((xcr0 & (uint64_t{1} << i)) == 0) continue;
    const Cpuid c = CpuidLeaf(0xd, i);
    if (c.ecx & (1u << 1)) size = (size + 63) & ~uint64_t{63};
    size += c.eax;
  }
  return size;
}

}  // namespace rtld::arch
