/* libdl_lazy_undef.so (linked -z lazy; needs libdl_lazy_def.so): calls
 * lazy_present (libdl_lazy_def.so's) and lazy_missing (defined nowhere)
 * through PLT slots, and reports where a slot points: into this library
 * itself (its PLT: not bound yet) or elsewhere (bound). The slot is found
 * from the library's own DT_JMPREL relocations. */
#include "dl.h"

int lazy_present(void);
int lazy_missing(void);

int lazy_ok(void) { return 1; }
int lazy_call_present(void) { return lazy_present(); }
int lazy_call_missing(void) { return lazy_missing(); }

extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern const char _end[] __attribute__((visibility("hidden")));

typedef struct {
  unsigned long r_offset, r_info;
  long r_addend;
} rela;

enum { DT_PLTRELSZ = 2, DT_STRTAB = 5, DT_SYMTAB = 6, DT_JMPREL = 23 };

/* A d_ptr value as an address: glibc's loader rewrites some in place. */
static unsigned long dyn_address(long tag) {
  unsigned long value = 0;
  rt_dynamic_tag(tag, &value);
  unsigned long base = (unsigned long)__ehdr_start;
  return value < base ? value + base : value;
}

/* 1: NAME's slot points into this library; 0: elsewhere; -1: no slot. */
int lazy_slot_unbound(const char *name) {
  unsigned long base = (unsigned long)__ehdr_start;
  unsigned long size = 0;
  rt_dynamic_tag(DT_PLTRELSZ, &size);
  const rela *r = (const rela *)dyn_address(DT_JMPREL);
  const Elf64_Sym *symtab = (const Elf64_Sym *)dyn_address(DT_SYMTAB);
  const char *strtab = (const char *)dyn_address(DT_STRTAB);
  for (unsigned long i = 0; i < size / sizeof *r; ++i) {
    if (!rt_streq(strtab + symtab[r[i].r_info >> 32].st_name, name)) continue;
    unsigned long target = *(const unsigned long *)(base + r[i].r_offset);
    return target >= base && target < (unsigned long)_end;
  }
  return -1;
}
