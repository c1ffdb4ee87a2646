/* dynamic_dptr: glibc's loader rewrites some d_ptr values of a writable
 * dynamic section in place (elf_get_dynamic_info): DT_HASH, DT_GNU_HASH,
 * DT_PLTGOT, DT_STRTAB, DT_SYMTAB, DT_RELA, DT_JMPREL, DT_VERSYM, DT_RELR
 * become addresses; DT_INIT_ARRAY, DT_FINI_ARRAY, DT_VERNEED, DT_VERDEF keep
 * the linker's value. Programs that read _DYNAMIC depend on this. Asserts
 * which is which, in a PIE program and in a library. */
#include "report.h"

void dptr_lib_report(void);

int main(void) {
  report_dptr("prog");
  dptr_lib_report();
  return 0;
}
