/* libsymld.so (SYM_NAME "libsymld"): linked -Bsymbolic, the linker binds its
 * references to its own sym_fn and sym_var; DT_SYMBOLIC is set.
 * libsymrt.so (SYM_NAME "libsymrt"): linked with a dynamic list, so its
 * references stay symbolic relocations (JUMP_SLOT, GLOB_DAT) for the loader;
 * DT_SYMBOLIC is added after the link (add_dt_symbolic.py): the loader must
 * look in the library itself first.
 * libsymplain.so (SYM_NAME "libsymplain"): an ordinary library, which binds to
 * the program's definitions. */
#include "rt.h"
#include <elf.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

const char *sym_fn(void) { return SYM_NAME; }
int sym_var = SYM_VALUE;

void CAT(SYM_PREFIX, _report)(void) {
  unsigned long flags = 0;
  int has_symbolic = rt_dynamic_tag(DT_SYMBOLIC, 0) ||
                     (rt_dynamic_tag(DT_FLAGS, &flags) && (flags & DF_SYMBOLIC) != 0);
  rt_puts(SYM_NAME ": DT_SYMBOLIC=");
  rt_puts(has_symbolic ? "yes" : "no");
  rt_puts(" sym_fn=");
  rt_puts(sym_fn());
  rt_puts(" sym_var=");
  rt_put_dec(sym_var);
  rt_puts("\n");
}
