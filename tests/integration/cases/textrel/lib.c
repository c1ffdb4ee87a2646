/* libtextrel.so: compiled without PIC in the large code model and linked
 * -shared -z notext, so its code holds absolute addresses that the loader
 * patches in place (DT_TEXTREL): R_X86_64_64 against its own exported data
 * and function and another library's data and function, and R_X86_64_RELATIVE
 * for its static data. Calls and data accesses within the text use PC32
 * relocations too, which the linker resolves. No linker (bfd, gold, lld,
 * mold) emits a dynamic R_X86_64_PC32; all reject it. */
#include "rt.h"
#include <elf.h>

extern int textrel_ext_data;       /* libtextrel_ext.so */
int textrel_ext_fn(void);          /* libtextrel_ext.so */
int textrel_own_data = 11;
static int textrel_static_data = 22;

int textrel_own_fn(void) { return 33; }

void textrel_report(void) {
  unsigned long flags = 0;
  int has_textrel = rt_dynamic_tag(DT_TEXTREL, 0) ||
                    (rt_dynamic_tag(DT_FLAGS, &flags) && (flags & DF_TEXTREL) != 0);
  rt_kv_bool("libtextrel: DT_TEXTREL", has_textrel);
  rt_kv_dec("libtextrel: own data", textrel_own_data);
  rt_kv_dec("libtextrel: static data", textrel_static_data);
  rt_kv_dec("libtextrel: own function", textrel_own_fn());
  rt_kv_dec("libtextrel: other library's data", textrel_ext_data);
  rt_kv_dec("libtextrel: other library's function", textrel_ext_fn());
  textrel_static_data += 1;
  rt_kv_dec("libtextrel: static data after a write", textrel_static_data);
}
