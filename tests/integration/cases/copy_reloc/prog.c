/* copy_reloc_nonpie: an ET_EXEC program (no PIC) reads and writes
 * libcopy.so's initialised data objects, which the linker gave it as copy
 * relocations. Asserts the copies start with the library's initial values,
 * the library sees the program's writes, and both agree on the address. It
 * also counts its R_X86_64_COPY relocations, so that a toolchain that stops
 * making them fails here rather than testing nothing. */
#include "rt.h"
#include <elf.h>

extern int shared_counter;
extern char shared_text[16];
int lib_counter(void);
const char *lib_text(void);
int *lib_counter_address(void);
extern const Elf64_Dyn _DYNAMIC[];

static int count_copy_relocations(void) {
  const Elf64_Rela *rela = 0;
  unsigned long rela_size = 0;
  for (const Elf64_Dyn *dyn = _DYNAMIC; dyn->d_tag != DT_NULL; ++dyn) {
    if (dyn->d_tag == DT_RELA) rela = (const Elf64_Rela *)dyn->d_un.d_ptr; /* ET_EXEC: absolute */
    if (dyn->d_tag == DT_RELASZ) rela_size = dyn->d_un.d_val;
  }
  int copies = 0;
  for (unsigned long i = 0; rela != 0 && i < rela_size / sizeof *rela; ++i)
    if (ELF64_R_TYPE(rela[i].r_info) == R_X86_64_COPY) ++copies;
  return copies;
}

int main(void) {
  rt_kv_dec("R_X86_64_COPY relocations", count_copy_relocations());
  rt_kv_dec("shared_counter", shared_counter);
  rt_kv_str("shared_text", shared_text);
  shared_counter = 101;
  shared_text[0] = 'F';
  rt_kv_dec("library sees shared_counter", lib_counter());
  rt_kv_str("library sees shared_text", lib_text());
  rt_kv_bool("same address", lib_counter_address() == &shared_counter);
  return 0;
}
