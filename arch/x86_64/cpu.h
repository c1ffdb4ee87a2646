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

}  // namespace rtld::arch
