// Lazy binding of PLT slots: the trampoline PLT0 jumps to (chosen once from
// the processor's state-saving support) and the fixup it calls.
#pragma once

#include <stdint.h>

#include "rtld/core/module.h"

namespace rtld {

// The trampoline's address for GOT[2].
uint64_t LazyTrampoline();

}  // namespace rtld

// Called by the trampoline: binds PLT relocation `index` of `m`, writes the
// GOT slot (unless LD_BIND_NOT) and returns the target.
extern "C" uint64_t RtldLazyFixup(rtld::Module* m, uint64_t index);
