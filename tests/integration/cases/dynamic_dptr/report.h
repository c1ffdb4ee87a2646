/* Prints, for each address tag of the calling object's own dynamic section
 * (_DYNAMIC, through rt_dynamic_tag), whether its d_ptr holds an address in
 * the object (it is at least the object's load address, __ehdr_start) or
 * the value the linker wrote (an offset below it). */
#include "rt.h"
#include <elf.h>

extern const char __ehdr_start[] __attribute__((visibility("hidden")));

static void report_dptr(const char *who) {
  static const struct {
    long tag;
    const char *name;
  } tags[] = {
      {DT_HASH, "DT_HASH"},         {DT_GNU_HASH, "DT_GNU_HASH"}, {DT_PLTGOT, "DT_PLTGOT"},
      {DT_STRTAB, "DT_STRTAB"},     {DT_SYMTAB, "DT_SYMTAB"},     {DT_RELA, "DT_RELA"},
      {DT_JMPREL, "DT_JMPREL"},     {DT_VERSYM, "DT_VERSYM"},     {36, "DT_RELR"},
      {DT_INIT_ARRAY, "DT_INIT_ARRAY"}, {DT_FINI_ARRAY, "DT_FINI_ARRAY"},
      {DT_VERNEED, "DT_VERNEED"},   {DT_VERDEF, "DT_VERDEF"},
  };
  for (unsigned i = 0; i < sizeof tags / sizeof tags[0]; ++i) {
    unsigned long value = 0;
    if (!rt_dynamic_tag(tags[i].tag, &value)) continue;
    rt_puts(who);
    rt_puts(": ");
    rt_puts(tags[i].name);
    rt_puts(value == 0 ? " 0\n" : value >= (unsigned long)__ehdr_start ? " address\n" : " as linked\n");
  }
}
