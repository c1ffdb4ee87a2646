#include "rtld/core/lazy.h"

#include "arch/x86_64/cpu.h"
#include "rtld/core/diag.h"
#include "rtld/core/relocate.h"
#include "rtld/core/state.h"

extern "C" {
void RtldLazyXsave() __attribute__((visibility("hidden")));
void RtldLazyXsavec() __attribute__((visibility("hidden")));
void RtldLazyFxsave() __attribute__((visibility("hidden")));
// Bytes the xsave trampoline reserves (a multiple of 64); read by the
// assembly, set once before any PLT slot can be called.
__attribute__((visibility("hidden"))) uint64_t RtldXsaveSize = 0;
}

namespace rtld {

uint64_t LazyTrampoline() {
  static uint64_t chosen = 0;
  if (chosen == 0) {
    const uint64_t compact = arch::XsavecAreaSize();
    const uint64_t size = arch::XsaveAreaSize();
    if (compact >= 576) {
      RtldXsaveSize = (compact + 63) & ~uint64_t{63};
      chosen = reinterpret_cast<uint64_t>(&RtldLazyXsavec);
    } else if (size >= 576) {  // legacy area + header at least
      RtldXsaveSize = (size + 63) & ~uint64_t{63};
      chosen = reinterpret_cast<uint64_t>(&RtldLazyXsave);
    } else {
      chosen = reinterpret_cast<uint64_t>(&RtldLazyFxsave);
    }
  }
  return chosen;
}

}  // namespace rtld

extern "C" uint64_t RtldLazyFixup(rtld::Module* m, uint64_t index) {
  using namespace rtld;
  if (index >= m->jmprel.count) FatalLoad(DisplayName(*m), "lazy binding of a PLT index beyond DT_PLTRELSZ");
  const elf::Rela& r = m->jmprel[index];
  const Resolved res = ResolveSymbol(*m, r.symndx(), arch::RelocKind::kJumpSlot);
  ++g_reloc_stats.lazy_bound;
  if (!g.opt.bind_not) *reinterpret_cast<uint64_t*>(m->base + r.offset) = res.value;
  return res.value;
}
