// rtld/glibc/layout.h compiled as the loader compiles (freestanding, no libc
// headers, -fno-exceptions -fno-rtti, -Werror): a dependency of the 'layout'
// test, so a header that only builds hosted fails there.
#include "rtld/glibc/layout.h"

namespace rtld::glibc {

// A little code over the structures, so they are used, not just declared.
size_t layout_check_nloaded(const RtldGlobal& gl) {
  size_t n = 0;
  for (size_t ns = 0; ns < gl._dl_nns; ns++) n += gl._dl_ns[ns]._ns_nloaded;
  return n;
}

bool layout_check_contiguous(const LinkMap* l) { return l->l_contiguous && l->l_type == lt_executable; }

uint32_t layout_check_cpu_id(const Pthread* pd) { return pd->rseq_area.cpu_id; }

}  // namespace rtld::glibc
