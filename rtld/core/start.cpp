// Stages 1-2 of start-up (DESIGN §4).
//
// Stage 1 — RtldStart, before self-relocation. MAY touch: locals, the
// arguments, hidden linker-defined symbols reached PC-relatively
// (__ehdr_start, _DYNAMIC), inline functions of rtld/elf and support/string.
// MUST NOT touch: any global with a relocated initialiser, any function
// through the GOT or PLT, the stack protector (no TCB yet).
//
// Stage 2 — RtldMain (main.cpp), entered through a non-inlined call after
// a compiler barrier: the loader is relocated and is ordinary code.
#include "arch/x86_64/syscall.h"
#include "rtld/core/main.h"
#include "rtld/elf/dynamic.h"
#include "rtld/elf/types.h"

extern "C" {
extern const rtld::elf::Ehdr __ehdr_start __attribute__((visibility("hidden")));
extern const rtld::elf::Dyn _DYNAMIC[] __attribute__((visibility("hidden")));
}

namespace {

// Applies the loader's own RELATIVE and RELR relocations. The build check
// (tools/check-ldso.py) guarantees these are the only kinds present.
__attribute__((always_inline)) inline void SelfRelocate(uint64_t base, const rtld::elf::Dyn* dyn) {
  uint64_t rela = 0, relasz = 0, relr = 0, relrsz = 0;
  for (; dyn->tag != DT_NULL; ++dyn) {
    if (dyn->tag == DT_RELA) rela = dyn->val;
    else if (dyn->tag == DT_RELASZ) relasz = dyn->val;
    else if (dyn->tag == 36) relr = dyn->val;  // DT_RELR
    else if (dyn->tag == 35) relrsz = dyn->val;  // DT_RELRSZ
  }
  const auto* r = reinterpret_cast<const rtld::elf::Rela*>(base + rela);
  for (uint64_t i = 0; i < relasz / sizeof(rtld::elf::Rela); ++i)
    *reinterpret_cast<uint64_t*>(base + r[i].offset) = base + static_cast<uint64_t>(r[i].addend);
  rtld::elf::ForEachRelr(reinterpret_cast<const rtld::elf::Relr*>(base + relr),
                         relrsz / sizeof(rtld::elf::Relr),
                         [base](uint64_t vaddr) { *reinterpret_cast<uint64_t*>(base + vaddr) += base; });
}

}  // namespace

extern "C" __attribute__((used)) rtld::EntryAndStack RtldStart(uint64_t* sp) {
  const uint64_t start_tsc = rtld::arch::ReadTsc();
  const uint64_t base = reinterpret_cast<uint64_t>(&__ehdr_start);
  SelfRelocate(base, _DYNAMIC);
  __asm__ volatile("" ::: "memory");
  return rtld::RtldMain(sp, base, start_tsc);
}
